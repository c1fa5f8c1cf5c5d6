"""The numbers of a translation: each with its unit, one to one with the English's.

A number in running text is read with the word or symbol that follows it, its unit
(``0.25 mg``, ``7 months``, ``20%``, ``1.8 mg/m<sup>2</sup>``). A translation passes the
``numbers`` check when:

* its quantities, each a value and a unit, are those of the English, as many times each:
  the value in the notation of the translation's locale (``0.25`` is ``0,25`` in German,
  ``1,000`` is ``1.000`` or ``1000``), the unit in its symbol or, where both languages have
  a table of unit words (:data:`UNIT_WORDS`), in the translation's word (``months`` is
  ``Monate``, ``1 hour`` is ``1 Stunde``, ``3-month`` is ``3-monatig``). A number the English
  has without a unit has none in the translation either; a number the English does not have
  is refused like one that is missing;
* the quantities of one unit come in the English's order, so that exchanging two doses or
  two durations (``7 months`` and ``4 months``) fails. Numbers without a unit (a count, a
  day of a cycle, a grade) may move with the word order of the translation;
* a number that is a reference (``section 6.1``, ``Table 2``) is in the translation exactly
  as written: it is the number the document it points into gives its part.

Symbols are the same in every language, with the spellings that differ (``mL`` and ``ml``,
``µg`` and ``mcg``, ``m2`` and ``m²``, ``IU`` and German ``I.E.``); unit words are read
only where both languages have a table, so a language without one is held to the symbols.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from smpc_manager.locales import language

#: Words after which a number names a place in a document and is never localised.
_REFERENCE_WORDS = (
    r"sections?|chapters?|tables?|annex(?:es)?|appendix|appendices|figures?|paragraphs?|"
    r"articles?|points?|items?|see|§+"
)
_NUMBER = r"\d+(?:[.,]\d+)*"
_REFERENCE = re.compile(
    rf"(?:\b(?:{_REFERENCE_WORDS})|§)\s*({_NUMBER}(?:\s*(?:,|and|or|to|-|–)\s*{_NUMBER})*)",
    re.IGNORECASE,
)


def _number_start(separator: str) -> str:
    """Where a number may start, its digits joined by ``separator`` (a character class):
    not in the tail of a longer number ("8" is not in "0,8"), nor after letters, where the
    digits belong to a code or a formula (CD22, E172, H2O, B12), which a translation may
    add or leave out with a name (Eisen(III)-hydroxid-oxid x H2O) and never localises."""
    return rf"(?<!\d)(?<!\d{separator})(?<![^\W\d_])"


_NUMBER_RE = re.compile(rf"{_number_start('[.,]')}{_NUMBER}")

#: Unit symbols, the same in every language: the canonical name, then how it is written.
UNIT_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("%", r"%"),
    ("kg", r"kg"), ("mg", r"mg"), ("µg", r"[µμ]g|mcg"), ("ng", r"ng"), ("g", r"g"),
    ("ml", r"m[lL]"), ("dl", r"d[lL]"), ("µl", r"[µμ][lL]"), ("l", r"[lL]"),
    ("mmol", r"mmol"), ("µmol", r"[µμ]mol"), ("mol", r"mol"),
    ("IU", r"IU|I\.\s?E\."), ("MBq", r"MBq"), ("mmHg", r"mmHg"), ("°C", r"°\s?C"),
    ("m2", r"m[2²]"),
)

#: Unit words per language: the canonical name, then the word as the language writes it
#: after a number (case aside), in the plural and in compounds (``3-month``, ``2-wöchig``).
UNIT_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("year", r"years?|yrs?"),
        ("month", r"months?"),
        ("week", r"weeks?|wks?"),
        ("day", r"days?"),
        ("hour", r"hours?|hrs?|h"),
        ("minute", r"minutes?|mins?"),
        ("second", r"seconds?|secs?"),
        ("unit", r"units?"),
        ("%", r"per\s?cent|percent"),
    ),
    "de": (
        ("year", r"Jahr(?:e|en|es)?|jährig\w*|\.\s*Lebensjahr(?:e|en|es)?"),
        ("month", r"Monat(?:e|en|s)?|monatig\w*"),
        ("week", r"Woche(?:n)?|wöchig\w*"),
        ("day", r"Tag(?:e|en|es)?|tägig\w*"),
        ("hour", r"Stunde(?:n)?|stündig\w*|Std\.|h"),
        ("minute", r"Minute(?:n)?|minütig\w*|Min\.|min"),
        ("second", r"Sekunde(?:n)?|Sek\."),
        ("unit", r"Einheit(?:en)?"),
        ("%", r"Prozent"),
    ),
}

# Between a number and its unit: white space (no-break and thin spaces, and the tab or line
# break a translator typed, which printing folds into a space), or a hyphen.
_LEAD = r"(?:\s*|-)"
# A unit ends where a word would go on: "1 given" is no gram.
_END = r"(?![^\W_])"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number of a text with its unit, as written and as compared."""

    #: The number as the text writes it (``0,25``).
    written: str
    #: What it is compared by: its digits with ``.`` as the decimal point and no grouping
    #: (``1000.5``); the number as written, prefixed ``=``, when the text's notation does
    #: not read it (``1.8`` in German).
    value: str
    #: The unit's canonical name (``mg``, ``month``); None for a number without one.
    unit: str | None
    #: The unit as the text writes it (``Monate``), for the reasons.
    unit_written: str = ""

    @property
    def key(self) -> tuple[str, str | None]:
        return self.value, self.unit

    def shown(self) -> str:
        return f"{self.written} {self.unit_written}".strip() if self.unit else self.written


def numbers(text: str) -> list[tuple[str, bool]]:
    """The numbers in a plain text, each with whether it is a reference (``section 6.1``).

    >>> numbers("1.8 mg, see section 6.1 and 4.4")
    [('1.8', False), ('6.1', True), ('4.4', True)]
    """
    spans = _reference_spans(text)
    return [(m.group(0), _inside(m.start(), spans)) for m in _NUMBER_RE.finditer(text)]


def _reference_spans(text: str) -> list[tuple[int, int]]:
    return [m.span(1) for m in _REFERENCE.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


@cache
def symbols(locale: str) -> tuple[str, str]:
    """The decimal and group symbols of a locale, from CLDR (``,`` and ``.`` for de)."""
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        parsed = Locale.parse(language(locale))
    return get_decimal_symbol(parsed), get_group_symbol(parsed)


def localized_forms(number: str, source_locale: str, locale: str) -> list[str]:
    """How a number of the English may be written in ``locale``: with the locale's decimal
    symbol, and with its group symbol or without grouping.

    >>> localized_forms("0.25", "en", "de")
    ['0,25']
    >>> localized_forms("1,000", "en", "de")
    ['1.000', '1000']
    """
    decimal, group = symbols(source_locale)
    to_decimal, to_group = symbols(locale)
    forms = []
    for target_group in (to_group, ""):
        form = "".join(to_decimal if char == decimal else target_group if char == group
                       else char for char in number)
        if form not in forms:
            forms.append(form)
    return forms


@cache
def _number_pattern(decimal: str, group: str) -> re.Pattern[str]:
    """A number as a text in this notation may write it: digits joined by ``.`` or ``,``
    (the other notation, so that a number written the English way is still seen) or by the
    locale's own symbols (``’`` in Switzerland, a narrow no-break space in France)."""
    separator = "[" + re.escape("".join(sorted({".", ",", decimal, group}))) + "]"
    return re.compile(rf"{_number_start(separator)}\d+(?:{separator}\d+)*")


@cache
def _value_pattern(decimal: str, group: str) -> re.Pattern[str]:
    """A number this notation reads: grouped by threes or not grouped, with decimals."""
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(rf"(\d{{1,3}}(?:{g}\d{{3}})+|\d+)(?:{d}(\d+))?")


def _value(written: str, decimal: str, group: str) -> str:
    """``1.000,5`` in German is ``1000.5``; ``=1.8``: German does not read ``1.8``."""
    match = _value_pattern(decimal, group).fullmatch(written)
    if match is None:
        return "=" + written
    whole, fraction = match.group(1).replace(group, ""), match.group(2)
    return f"{whole}.{fraction}" if fraction is not None else whole


@cache
def _units(lang: str, words: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each unit a text in ``lang`` may write: the symbols and, with ``words``, the
    language's unit words (case aside); by canonical name, with the pattern of one."""
    found = [(name, pattern) for name, pattern in UNIT_SYMBOLS]
    if words:
        found += [(name, f"(?i:{pattern})") for name, pattern in UNIT_WORDS.get(lang, ())]
    return tuple((name, re.compile(f"(?:{pattern}){_END}")) for name, pattern in found)


@cache
def _unit_pattern(lang: str, words: bool) -> re.Pattern[str]:
    """A unit right after a number, as group 1: one of :func:`_units`, or several joined
    by ``/`` (``mg/m2``, ``mg/kg/Tag``)."""
    atom = "|".join(pattern.pattern for _name, pattern in _units(lang, words))
    return re.compile(rf"{_LEAD}((?:{atom})(?:/(?:{atom}))*)")


def _canonical_unit(written: str, lang: str, words: bool) -> str:
    """``mg/m²`` -> ``mg/m2``; ``Monate`` -> ``month``."""
    return "/".join(next(name for name, pattern in _units(lang, words)
                         if pattern.fullmatch(part.strip()))
                    for part in written.split("/"))


def quantities(text: str, locale: str, *, words: bool,
               skip: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """The numbers of a plain ``text`` in ``locale``'s notation, each with its unit;
    numbers inside ``skip`` (references) and inside a unit (the 2 of ``mg/m2``) are left
    out. ``words``: read the unit words of the language too."""
    decimal, group = symbols(locale)
    lang = language(locale)
    unit_pattern = _unit_pattern(lang, words)
    found: list[Quantity] = []
    covered = 0
    for match in _number_pattern(decimal, group).finditer(text):
        if match.start() < covered or _inside(match.start(), skip or []):
            continue
        written = match.group(0)
        unit = unit_pattern.match(text, match.end())
        covered = match.end()
        if unit is None or not unit.group(1):
            found.append(Quantity(written, _value(written, decimal, group), None))
            continue
        covered = unit.end()
        unit_written = unit.group(1)
        found.append(Quantity(written, _value(written, decimal, group),
                              _canonical_unit(unit_written, lang, words), unit_written))
    return found


def _words_apply(source_locale: str, locale: str) -> bool:
    """Unit words are read when both languages have a table of them."""
    return language(source_locale) in UNIT_WORDS and language(locale) in UNIT_WORDS


def check_numbers(english: str, translation: str, locale: str,
                  source_locale: str = "en") -> list[str]:
    """Why the numbers of plain ``translation`` do not correspond to those of plain
    ``english``, one reason each; [] when they do (see the module's description).

    >>> check_numbers("Each vial contains 0.25 mg.", "Jede enthält 0,25 mg.", "de")
    []
    >>> check_numbers("7 months, then 4 weeks", "4 Monate, dann 7 Wochen", "de")[0]
    '7 months in the English is 7 Wochen in the translation: a number keeps its unit'
    >>> check_numbers("7 months, then 4 months", "4 Monate, dann 7 Monate", "de")[0][:60]
    'the numbers in months come in another order than in the Engl'

    """
    words = _words_apply(source_locale, locale)
    spans = _reference_spans(english)
    ours = quantities(english, source_locale, words=words, skip=spans)
    theirs = quantities(translation, locale, words=words)
    reasons = _references(english, spans, theirs)
    reasons += _missing(ours, theirs, locale, source_locale)
    reasons += _order(ours, theirs)
    return reasons


def _references(english: str, spans: list[tuple[int, int]],
                theirs: list[Quantity]) -> list[str]:
    """Each reference of the English, found as written in the translation and taken out of
    ``theirs`` (a number without a unit first); a reason for each that is missing."""
    reasons = []
    for value, reference in numbers(english):
        if not reference:
            continue
        same = [q for q in theirs if q.written == value]
        if not same:
            reasons.append(f"the reference {value} is missing: it stays as written")
            continue
        theirs.remove(next((q for q in same if q.unit is None), same[0]))
    return reasons


def _missing(ours: list[Quantity], theirs: list[Quantity], locale: str,
             source_locale: str) -> list[str]:
    """A reason for each quantity of the English that the translation lacks, and for each
    the translation has that the English does not."""
    lacking = Counter(q.key for q in ours) - Counter(q.key for q in theirs)
    extra = Counter(q.key for q in theirs) - Counter(q.key for q in ours)
    reasons = []
    for quantity in _each(ours, lacking):
        elsewhere = next((q for q in _each(theirs, extra)
                          if q.value == quantity.value), None)
        if elsewhere is not None:
            extra[elsewhere.key] -= 1
            there = elsewhere.shown() if elsewhere.unit else \
                f"{elsewhere.written} without a unit"
            reasons.append(f"{quantity.shown()} in the English is {there} in the translation:"
                           " a number keeps its unit")
            continue
        reasons.append(_missing_reason(quantity, locale, source_locale, theirs))
    for quantity in _each(theirs, extra):
        if quantity.value.startswith("=") and \
                any(q.written == quantity.written for q in _each(ours, lacking)):
            continue  # the English's notation: its reason says how the locale writes it
        if any(q.key == quantity.key for q in ours):
            reasons.append(f"the translation has {quantity.shown()} more often than the"
                           " English")
        else:
            reasons.append(f"the translation has {quantity.shown()}, which the English has"
                           " not")
    return reasons


def _missing_reason(quantity: Quantity, locale: str, source_locale: str,
                    theirs: list[Quantity]) -> str:
    what = f"the number {quantity.written} is missing"
    forms = localized_forms(quantity.written, source_locale, locale)
    if forms[0] != quantity.written:
        return f"{what}: in {locale} it is written {forms[0]}"
    if quantity.unit and not any(q.value == quantity.value for q in theirs):
        return f"{what}: the English has {quantity.shown()}"
    return what


def _each(found: list[Quantity], wanted: Counter[tuple[str, str | None]]
          ) -> Iterator[Quantity]:
    """The quantities of ``found`` whose keys ``wanted`` counts, as many as it counts."""
    left = Counter(wanted)
    for quantity in found:
        if left[quantity.key] > 0:
            left[quantity.key] -= 1
            yield quantity


def _order(ours: list[Quantity], theirs: list[Quantity]) -> list[str]:
    """A reason for each unit whose numbers, the same in both, come in another order."""
    reasons = []
    for unit in dict.fromkeys(q.unit for q in ours if q.unit):
        english = [q for q in ours if q.unit == unit]
        translated = [q for q in theirs if q.unit == unit]
        values = [q.value for q in english]
        if Counter(values) == Counter(q.value for q in translated) and \
                values != [q.value for q in translated]:
            reasons.append(
                f"the numbers in {english[0].unit_written} come in another order than in the"
                f" English (the English has {', '.join(q.written for q in english)}, the"
                f" translation {', '.join(q.written for q in translated)}): were two"
                " exchanged?")
    return reasons
