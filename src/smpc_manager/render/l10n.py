"""Babel formatting for a locale: dates, prices, decimal numbers, lists and country names.

CLDR's data, through Babel, except where a market profile pins a wording itself (month
names), so that an approved text does not change with a Babel upgrade.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, get_decimal_symbol

from smpc_manager.errors import UsageError
from smpc_manager.locales import normalize_locale


@lru_cache(maxsize=64)
def checked_locale(locale: str) -> str:
    """A locale as Babel and the folder names write it (``de-at`` -> ``de_AT``); unknown to
    CLDR is a usage error."""
    name = normalize_locale(locale.strip())
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        raise UsageError(f"unknown locale '{locale}' (expected e.g. de_AT, de, en)") from None
    return name


@lru_cache(maxsize=64)
def territories(locale: str) -> Mapping[str, str]:
    """Country names in a locale, by code (CLDR's)."""
    return Locale.parse(locale).territories


def format_month_year(day: dt.date, pattern: str, locale: str,
                      month_names: Sequence[str] | None = None) -> str:
    """``day`` in a CLDR date pattern; ``MMMM`` taken from ``month_names`` when given.

    >>> import datetime as dt
    >>> format_month_year(dt.date(2022, 1, 1), "MMMM y", "de_DE")
    'Januar 2022'
    >>> format_month_year(dt.date(2022, 1, 1), "MMMM y", "de_DE", ["Jänner"] + [""] * 11)
    'Jänner 2022'
    """
    if month_names and "MMMM" in pattern:
        name = month_names[day.month - 1].replace("'", "''")
        pattern = pattern.replace("MMMM", f"'{name}'")
    return _format_date(day, pattern, locale)


@lru_cache(maxsize=1024)
def _format_date(day: dt.date, pattern: str, locale: str) -> str:
    """Babel's ``format_date``, remembered: a portfolio's products share a few dates, and
    each is printed for several markets."""
    return str(format_date(day, pattern, locale=locale))


def format_price(amount: Decimal, currency: str, locale: str) -> str:
    """An amount in a currency as the locale writes prices.

    >>> format_price(Decimal("8500.00"), "EUR", "en_IE")
    '€8,500.00'
    """
    return str(format_currency(amount, currency, locale=locale))


def localize_numbers(text: str, locale: str) -> str:
    """Decimal numbers in an untranslated field (the strength) in the locale's notation.

    >>> localize_numbers("0.5 mg/1.5 ml", "de_AT")
    '0,5 mg/1,5 ml'
    """
    return _DECIMAL.sub(rf"\1{_decimal_symbol(locale)}\2", text)


_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")


@lru_cache(maxsize=64)
def _decimal_symbol(locale: str) -> str:
    return str(get_decimal_symbol(locale))


def join_list(items: Sequence[str], style: str, locale: str) -> str:
    """Join items as the profile says: ``comma`` (``A, B, C``) or a CLDR list style.

    >>> join_list(["Sucrose", "Polysorbat 80"], "comma", "de_AT")
    'Sucrose, Polysorbat 80'
    >>> join_list(["A", "B", "C"], "standard", "de_AT")
    'A, B und C'
    """
    if style == "comma":
        return ", ".join(items)
    return str(format_list(list(items), style=style, locale=locale))  # type: ignore[arg-type]
