"""Where a product's approved SmPCs lie in its portfolio: ``sources/<id>/<lang>.xml`` or
``.json`` by convention, or the file a product's ``smpc-source`` names for its language.

Apart from the reader, so that a build's plan, which asks where each output's SmPC lies
without parsing anything, does not load the XML library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from smpc_manager.locales import normalize_locale
from smpc_manager.portfolio import Portfolio

SOURCES_DIR = "sources"
_LANG = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]+)*")


def source_paths(portfolio: Portfolio, product_id: str,
                 named: Iterable[tuple[str, str]] = ()) -> dict[str, Path]:
    """The SmPC files of the product ``product_id`` by language: ``named`` (its
    ``smpc-source`` elements' languages and paths, relative to the portfolio), and those at
    the conventional place for the other languages. What a build knows of a product it has
    not parsed again is enough: its id and the sources it named."""
    found: dict[str, Path] = {}
    folder = portfolio.root / SOURCES_DIR / product_id
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in (".xml", ".json") and _LANG.fullmatch(path.stem):
                found.setdefault(normalize_locale(path.stem), path)
    for lang, name in named:
        found[normalize_locale(lang)] = portfolio.root / name
    return found
