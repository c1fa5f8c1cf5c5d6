"""Locale names as folders and Babel use them, without importing Babel.

Kept apart from :mod:`smpc_manager.catalogs` (which re-exports them) so that planning a
build, which needs only these names, does not import Babel.
"""

from __future__ import annotations


def normalize_locale(locale: str) -> str:
    """``de-at`` -> ``de_AT``: the form used for folder names and Babel."""
    parts = locale.replace("-", "_").split("_")
    if len(parts) == 1:
        return parts[0].lower()
    return "_".join([parts[0].lower(), *[p.upper() if len(p) == 2 else p for p in parts[1:]]])


def locale_chain(locale: str) -> list[str]:
    """The locales to try for ``locale``, most specific first: ``de_AT`` -> de_AT, de."""
    name = normalize_locale(locale)
    chain = [name]
    while "_" in name:
        name = name.rsplit("_", 1)[0]
        chain.append(name)
    return chain


__all__ = ["locale_chain", "normalize_locale"]
