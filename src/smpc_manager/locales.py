"""Locale names as folders and Babel use them, without importing Babel.

Kept apart from :mod:`smpc_manager.catalogs` and :mod:`smpc_manager.rules` (which use them)
so that planning a build, which needs only these names, imports neither Babel nor the
translation checks. Each answer is remembered: a build asks the same few locales for every
product.

A name may carry a GNU modifier, as gettext's catalogs are named: ``sr@latin`` (Serbian in
the Latin script), ``sr_RS@latin``, ``ca@valencia``. Babel (CLDR) names the script
instead: :func:`cldr_name` gives the name to ask Babel for.
"""

from __future__ import annotations

from functools import lru_cache

#: The GNU modifiers that name a script, and the script's name in CLDR.
_SCRIPTS = {"latin": "Latn", "cyrillic": "Cyrl", "devanagari": "Deva", "arabic": "Arab"}


@lru_cache(maxsize=256)
def normalize_locale(locale: str) -> str:
    """``de-at`` -> ``de_AT``, ``sr-rs@Latin`` -> ``sr_RS@latin``: the form used for folder
    names and Babel."""
    base, at, modifier = locale.partition("@")
    parts = base.replace("-", "_").split("_")
    name = "_".join([parts[0].lower(), *[p.upper() if len(p) == 2 else p for p in parts[1:]]])
    return f"{name}@{modifier.lower()}" if at else name


def locale_chain(locale: str) -> list[str]:
    """The locales to try for ``locale``, most specific first, as GNU gettext tries them:
    ``de_AT`` -> de_AT, de; ``sr_RS@latin`` -> sr_RS@latin, sr@latin, sr_RS, sr."""
    name = normalize_locale(locale)
    base, at, modifier = name.partition("@")
    chain = [base]
    while "_" in chain[-1]:
        chain.append(chain[-1].rsplit("_", 1)[0])
    if not at:
        return chain
    return [f"{part}@{modifier}" for part in chain] + chain


@lru_cache(maxsize=256)
def cldr_name(locale: str) -> str:
    """The name Babel (CLDR) knows ``locale`` by: a script modifier becomes CLDR's script
    (``sr@latin`` -> ``sr_Latn``, ``sr_RS@latin`` -> ``sr_Latn_RS``); another modifier is
    left out (``ca@valencia`` -> ``ca``)."""
    base, _, modifier = normalize_locale(locale).partition("@")
    script = _SCRIPTS.get(modifier)
    if script is None:
        return base
    language, _, rest = base.partition("_")
    return "_".join(part for part in (language, script, rest) if part)


@lru_cache(maxsize=256)
def language(locale: str) -> str:
    """The language of a locale: ``de-AT`` -> ``de``, ``sr@latin`` -> ``sr``."""
    return locale.partition("@")[0].replace("-", "_").split("_")[0].lower()


@lru_cache(maxsize=256)
def same_language(locale: str, other: str) -> bool:
    """Whether two locales share a language (``en_IE`` and ``en``)."""
    return language(locale) == language(other)


__all__ = ["cldr_name", "language", "locale_chain", "normalize_locale", "same_language"]
