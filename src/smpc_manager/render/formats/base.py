"""What every format module provides, and what it is given to lay a page out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smpc_manager.model import Product
    from smpc_manager.render.compose import Document


@dataclass(frozen=True, slots=True)
class Page:
    """A composed document, with what a format may print around it."""

    document: Document
    product: Product
    market: str
    locale: str
    #: The sha256 of every input of the output, by name, sorted by name.
    inputs: Mapping[str, str]
    #: Lays the page out with the format's template (None for a format without one).
    run_template: Callable[[], str] | None = None
    #: Whether that template is the one shipped with the tool (else the portfolio's own).
    shipped_template: bool = True

    def templated(self) -> str:
        """The page laid out by its format's template."""
        if self.run_template is None:
            raise TypeError("this format is laid out without a template")
        return self.run_template()


@dataclass(frozen=True, slots=True)
class Format:
    """An output format: one module under :mod:`smpc_manager.render.formats` each."""

    #: Its name, as ``--format`` takes it.
    name: str
    #: The extension of its output files.
    extension: str
    #: The file name of the template it is laid out with (shipped in
    #: ``smpc_manager/templates``; a portfolio's ``templates/`` may hold its own of the
    #: same name); None for a format laid out without one.
    template: str | None
    #: Lays a composed page out as the output's text.
    lay_out: Callable[[Page], str]
    #: Whether its layout prints the parts' HTML (a portfolio's own template always may).
    uses_html: bool = True
