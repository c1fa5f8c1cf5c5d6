"""Package facades whose modules are imported when one of their names is first used.

Each package exports its API from its ``__init__``, and the other packages import from there.
Importing the modules behind it only when a name is used (:pep:`562`) keeps a command that
needs little from paying for what it does not use: planning an unchanged build needs the
resolver of an output's inputs, not lxml, Babel's formatting or Jinja2. A package lists its
names once, here as ``{name: module}``, and again under ``if TYPE_CHECKING:`` for type
checkers, which a test holds equal.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, names: Mapping[str, str]
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for ``names`` (``{name: module}``, the
    module relative to ``package``); a name is looked up once, then kept in the package."""

    def __getattr__(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
