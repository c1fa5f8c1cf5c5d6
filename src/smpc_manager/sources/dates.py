"""Dates as SmPCs write them, in their own language: ``12 de febrero de 2007``,
``20/diciembre/2007``, ``15. März 2020``, ``March 2020``, ``07/05/1976``, ``07/2024``.

Month names come from CLDR through Babel, in every form the language's locales have (wide
and abbreviated, for formatting and standing alone; ``Jänner`` of Austrian German as well
as ``Januar``), compared without case and accents, so ``Septiembre`` and ``sept.`` are
September. A day-month-year with numbers only is read day first, as every EU language
writes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers

from smpc_manager.sources.qrd import fold


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in a text: its day (None where the text gives the month only), where it
    stands in the text, and the words it was read from."""

    year: int
    month: int
    day: int | None
    start: int
    written: str

    def date(self) -> dt.date:
        """The day, or the first of the month where only the month is given."""
        return dt.date(self.year, self.month, self.day or 1)

    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@cache
def month_names(lang: str) -> dict[str, int]:
    """Every name of every month in ``lang`` (folded), with its number."""
    language = re.split(r"[-_]", lang, maxsplit=1)[0].lower()
    names: dict[str, int] = {}
    for identifier in [language, *(i for i in locale_identifiers()
                                   if i.startswith(language + "_"))]:
        try:
            locale = Locale.parse(identifier)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months.get(context, {}).get(width, {}).items():
                    folded = fold(name)
                    if len(folded) >= 3:
                        names.setdefault(folded, number)
    return names


@cache
def _pattern(lang: str) -> re.Pattern[str]:
    names = "|".join(sorted((re.escape(n) for n in month_names(lang)), key=len, reverse=True))
    month = rf"(?P<name>{names})\.?|(?P<number>\d{{1,2}})(?!\d)"
    between = r"\s*(?:[./\-]|\bde\b|\bof\b)?\s*(?:de\s+)?"
    return re.compile(
        rf"(?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}}))"
        rf"|(?<![\d/.])(?P<day>\d{{1,2}})(?!\d)\.?{between}(?:{month}){between}(?P<year>\d{{4}})\b"
        rf"|\b(?P<uname>{names})\.?\s+(?P<uday>\d{{1,2}}),?\s+(?P<uyear>\d{{4}})\b"
        rf"|(?<![\d/.])(?:\b(?P<mname>{names})\.?|(?P<mnumber>\d{{1,2}})(?!\d)){between}"
        rf"(?P<myear>\d{{4}})\b")


def find_dates(text: str, lang: str) -> list[FoundDate]:
    """The dates in ``text`` (in ``lang``), in order; impossible ones (30 February) left
    out."""
    folded = fold_keeping_places(text)
    found = []
    for match in _pattern(lang).finditer(folded):
        date = _date(match, lang)
        if date is None:
            continue
        year, month, day = date
        try:
            dt.date(year, month, 1 if day is None else day)
        except ValueError:
            continue
        found.append(FoundDate(year, month, day, match.start(),
                               text[match.start():match.end()]))
    return found


def _date(match: re.Match[str], lang: str) -> tuple[int, int, int | None] | None:
    names = month_names(lang)
    if match.group("iso"):
        return int(match.group("iy")), int(match.group("im")), int(match.group("id"))
    if match.group("year"):
        month = names[match.group("name")] if match.group("name") else int(match.group(
            "number"))
        return int(match.group("year")), month, int(match.group("day"))
    if match.group("uyear"):
        return int(match.group("uyear")), names[match.group("uname")], int(match.group("uday"))
    month = names[match.group("mname")] if match.group("mname") else int(match.group(
        "mnumber"))
    return int(match.group("myear")), month, None


def fold_keeping_places(text: str) -> str:
    """``text`` without case and accents, each character where it was (so that a match in
    the folded text is a match at the same place in the text)."""
    return "".join(_fold_one(c) for c in text)


def _fold_one(character: str) -> str:
    folded = fold(character)
    return folded if len(folded) == 1 else character.lower()
