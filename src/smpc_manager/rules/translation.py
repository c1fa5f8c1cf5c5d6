"""Translating one message, and the checks that decide whether a translation is usable.

A translation is used only when it is there, not fuzzy, and passes every check: no empty
text, no invisible characters that change how it reads, the same inline tags, the invented
name kept, and every number of the English present in the target locale's notation
(``0.25`` is ``0,25`` in German), while a number that is a reference (``section 6.1``)
stays as written (``Abschnitt 6.1``). Anything else counts as not translated, so a German
text never carries a silent English fallback or a wrong dose.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from smpc_manager import inline
from smpc_manager.locales import language, same_language
from smpc_manager.model import Text


class Entry(Protocol):
    """What :func:`translate` reads of a catalog entry: a
    :class:`smpc_manager.catalogs.LookupEntry` or a Babel ``Message``."""

    @property
    def string(self) -> str | tuple[str, ...] | list[str]: ...

    @property
    def fuzzy(self) -> bool: ...


class Messages(Protocol):
    """A catalog as :func:`translate` looks messages up in it: a
    :class:`smpc_manager.catalogs.CatalogLookup` (what rendering reads) or a Babel
    ``Catalog`` (what the statistics read, obsolete entries and all)."""

    def get(self, msgid: str, /, context: str | None = None) -> Entry | None: ...


Status = Literal["translated", "fuzzy", "untranslated", "failed"]

#: The language the product XML is written in unless a portfolio says otherwise.
SOURCE_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Translated:
    """A message and what the catalog holds for it.

    ``translation`` is the catalog's text (also for a fuzzy or failing entry, so a report can
    show it); only when :attr:`ok` may it be used.
    """

    text: Text
    translation: str | None
    status: Status
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "translated" and self.translation is not None


def translate(
    text: Text,
    catalog: Messages | None,
    locale: str,
    invented_name: str,
    *,
    source_locale: str = SOURCE_LOCALE,
) -> Translated:
    """What ``catalog`` gives for ``text`` in ``locale``, checked.

    In the source language the English is the text and no catalog is needed. Otherwise a
    missing catalog or entry is ``untranslated``, a fuzzy entry ``fuzzy``, and a translation
    failing :func:`check_translation` ``failed`` with the reasons.
    """
    if same_language(locale, source_locale):
        return Translated(text, text.source, "translated")
    if catalog is None:
        return Translated(text, None, "untranslated", ("no catalog for this language",))
    message = catalog.get(text.source, context=text.context)
    if message is None:
        return Translated(text, None, "untranslated", ("not in the catalog",))
    string = message.string
    if isinstance(string, (list, tuple)):  # a Babel plural entry: not one of ours
        string = string[0] if string else ""
    if not string:
        return Translated(text, None, "untranslated", ("not translated yet",))
    if message.fuzzy:
        return Translated(text, string, "fuzzy",
                          ("the English changed or the translation needs review",))
    reasons = check_translation(text.source, string, locale, invented_name)
    if reasons:
        return Translated(text, string, "failed", tuple(reasons))
    return Translated(text, string, "translated")


# ------------------------------------------------------------------------ checks

Check = Callable[[str, str, str, str], list[str]]


def check_translation(source: str, translation: str, locale: str,
                      invented_name: str) -> list[str]:
    """Reasons why ``translation`` of ``source`` cannot be used in ``locale``; [] if none.

    >>> check_translation("Each vial contains 0.25 mg.", "Jede enthält 0,25 mg.", "de", "X")
    []
    >>> check_translation("Each vial contains 0.25 mg.", "Jede enthält 0.25 mg.", "de", "X")
    ['the number 0.25 is missing: in de it is written 0,25']
    """
    if not translation.strip():
        return ["the translation is empty"]
    # Whether a translation passes depends on the locale only through its decimal and
    # group symbols: a pass for de_AT is a pass for de_DE. Passes are remembered (a product's
    # messages are checked for every market); a failure is checked again to name the locale.
    key = (source, translation, _symbols(locale), invented_name)
    if key in _PASSED:
        _PASSED.move_to_end(key)
        return []
    reasons: list[str] = []
    for check in CHECKS:
        reasons.extend(check(source, translation, locale, invented_name))
    if not reasons:
        _PASSED[key] = None
        if len(_PASSED) > PASSED_SIZE:
            _PASSED.popitem(last=False)
    return reasons


#: How many passing (source, translation, symbols, name) checks are remembered: bounded, so
#: memory does not grow with the number of products.
PASSED_SIZE = 2048
_PASSED: OrderedDict[tuple[str, str, tuple[str, str], str], None] = OrderedDict()


#: Characters a translation must not carry unless the English has them too, as Weblate's
#: checks and the "Trojan Source" advisory (CVE-2021-42574) name them: the bidirectional
#: embeddings, overrides and isolates, which reorder the text as it is shown (a dose
#: "0,25 mg" that reads "52,0"); the zero-width characters and the byte-order mark, which
#: hide inside words and numbers; and the control characters, C0 and C1. Tab, line feed
#: and carriage return are allowed: printing folds them into a space, as it folds the
#: English's. Zero-width joiners (U+200C, U+200D) are refused as well: no market's script
#: needs them yet; a market that does will allow them here.
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (not tab, LF, CR), DEL and C1
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def check_unsafe_characters(source: str, translation: str, locale: str,
                            invented_name: str) -> list[str]:
    """No bidirectional control, zero-width character or control character the English
    does not have (check ``unsafe-characters``); each is named by its code point.

    >>> check_unsafe_characters("0.25 mg", "0,25" + chr(0x202E) + " mg", "de", "X")[0][:63]
    'unsafe-characters: U+202E RIGHT-TO-LEFT OVERRIDE at character 5'
    """
    found: dict[str, int] = {}
    for match in UNSAFE_CHARACTERS.finditer(translation):
        char = match.group()
        if char not in found and char not in source:
            found[char] = match.start() + 1
    if not found:
        return []
    named = ", ".join(f"{character_name(char)} at character {place}"
                      for char, place in found.items())
    why = "it changes how the text reads or is searched): remove it" if len(found) == 1 \
        else "they change how the text reads or is searched): remove them"
    return [f"unsafe-characters: {named} (invisible; {why}"]


def character_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``; a control character, which has no name, by its
    code point and kind (``U+0007 (a C0 control character)``)."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if name:
        return f"{code} {name}"
    if char == "\x7f":
        return f"{code} (DELETE, a control character)"
    return f"{code} (a {'C1' if ord(char) >= 0x80 else 'C0'} control character)"


def check_tags(source: str, translation: str, locale: str, invented_name: str) -> list[str]:
    """The translation carries the same inline tags, in the same order, well formed."""
    try:
        theirs = inline.tags(translation)
    except inline.InlineError as err:
        return [f"the markup is broken: {err}"]
    try:
        ours = inline.tags(source)
    except inline.InlineError:  # the English itself is checked by the loader
        return []
    if theirs != ours:
        return [f"the inline tags differ: the English has {_show_tags(ours)},"
                f" the translation {_show_tags(theirs)}"]
    return []


def _show_tags(names: list[str]) -> str:
    return " ".join(f"<{n}>" for n in names) if names else "none"


def check_name(source: str, translation: str, locale: str, invented_name: str) -> list[str]:
    """The invented name, where the English uses it, is kept as it is written."""
    if invented_name and invented_name in _plain(source) \
            and invented_name not in _plain(translation):
        return [f"the invented name {invented_name} is missing"]
    return []


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
# Not the tail of a longer number: "8" is not in "0,8".
_NOT_AFTER_A_NUMBER = r"(?<!\d)(?<!\d[.,])"
_NUMBER_RE = re.compile(rf"{_NOT_AFTER_A_NUMBER}{_NUMBER}")


def numbers(text: str) -> list[tuple[str, bool]]:
    """The numbers in a plain text, each with whether it is a reference (``section 6.1``).

    >>> numbers("1.8 mg, see section 6.1 and 4.4")
    [('1.8', False), ('6.1', True), ('4.4', True)]
    """
    spans = [m.span(1) for m in _REFERENCE.finditer(text)]
    found: list[tuple[str, bool]] = []
    for match in _NUMBER_RE.finditer(text):
        value = match.group(0)
        inside = any(start <= match.start() < end for start, end in spans)
        found.append((value, inside))
    return found


@cache
def verdict_key(locale: str) -> tuple[str, str, str]:
    """What of ``locale`` a :func:`translate` verdict depends on: its language and its
    decimal and group symbols. Two locales with the same key (``de_AT`` and ``de_DE`` when
    CLDR gives them the same symbols) get the same translation of a text, passed or not."""
    return (language(locale), *_symbols(locale))


@cache
def _symbols(locale: str) -> tuple[str, str]:
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
    decimal, group = _symbols(source_locale)
    to_decimal, to_group = _symbols(locale)
    forms = []
    for target_group in (to_group, ""):
        out = []
        for char in number:
            if char == decimal:
                out.append(to_decimal)
            elif char == group:
                out.append(target_group)
            else:
                out.append(char)
        form = "".join(out)
        if form not in forms:
            forms.append(form)
    return forms


def _contains_number(text: str, form: str) -> bool:
    return re.search(rf"{_NOT_AFTER_A_NUMBER}{re.escape(form)}(?!\d|[.,]\d)", text) is not None


def check_numbers(source: str, translation: str, locale: str, invented_name: str,
                  *, source_locale: str = SOURCE_LOCALE) -> list[str]:
    """Every number of the English appears in the translation, in the locale's notation;
    a reference (``section 6.1``) exactly as written."""
    try:
        english, theirs = _plain(source), _plain(translation)
    except inline.InlineError:
        return []  # reported by check_tags
    reasons: list[str] = []
    seen: set[str] = set()
    for value, reference in numbers(english):
        if value in seen:
            continue
        seen.add(value)
        if reference:
            if not _contains_number(theirs, value):
                reasons.append(f"the reference {value} is missing: it stays as written")
            continue
        forms = localized_forms(value, source_locale, locale)
        if not any(_contains_number(theirs, form) for form in forms):
            if forms[0] == value:
                reasons.append(f"the number {value} is missing")
            else:
                reasons.append(f"the number {value} is missing: in {locale} it is written"
                               f" {forms[0]}")
    return reasons


def _plain(message: str) -> str:
    try:
        return inline.plain(message)
    except inline.InlineError:  # check_tags reports the broken markup
        return message


#: The checks :func:`check_translation` runs, in order; each returns its reasons.
CHECKS: tuple[Check, ...] = (check_unsafe_characters, check_tags, check_name, check_numbers)
