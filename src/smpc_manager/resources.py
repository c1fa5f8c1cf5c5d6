"""Where the files that ship with the tool are: schemas, the tool's catalogs, profiles.

In a wheel they lie inside the package (``smpc_manager/schemas``); in a checkout they lie at
the top of the repository, where an XML editor and a translator find them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``locales``, ``profiles``, ``templates``)."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parents[1] / name
