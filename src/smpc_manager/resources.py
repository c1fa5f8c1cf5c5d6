"""Where the files that ship with the tool are: schemas, the tool's catalogs, profiles.

In a wheel they lie inside the package (``smpc_manager/schemas``); in a checkout they lie at
the top of the repository, where an XML editor and a translator find them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


#: The folder of the shipped market profiles, ``<market>.toml`` each, beside the package that
#: reads them (:mod:`smpc_manager.markets`).
PROFILE_DIR = _PACKAGE / "markets" / "data"


@cache
def shipped_markets() -> tuple[str, ...]:
    """The markets with a profile inside the package, sorted (``AT``, ``DE``, ``GB``, ``IE``).

    Listed once per process: the package's files do not change while it runs. Here rather
    than with the profiles, so that the settings (:mod:`smpc_manager.portfolio`) can refuse
    a market no profile serves."""
    return tuple(sorted(p.stem.upper() for p in PROFILE_DIR.glob("*.toml")))


@cache
def resource_dir(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``locales``, ``profiles``, ``templates``)."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parents[1] / name
