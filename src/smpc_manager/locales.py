"""Locale names as folders and Babel use them, without importing Babel.

Kept apart from :mod:`smpc_manager.catalogs` and :mod:`smpc_manager.rules` (which use them)
so that planning a build, which needs only these names, imports neither Babel nor the
translation checks. Each answer is remembered: a build asks the same few locales for every
product.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
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


@lru_cache(maxsize=256)
def language(locale: str) -> str:
    """The language of a locale: ``de-AT`` -> ``de``."""
    return locale.replace("-", "_").split("_")[0].lower()


@lru_cache(maxsize=256)
def same_language(locale: str, other: str) -> bool:
    """Whether two locales share a language (``en_IE`` and ``en``)."""
    return language(locale) == language(other)


__all__ = ["language", "locale_chain", "normalize_locale", "same_language"]
