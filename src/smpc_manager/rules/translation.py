"""Translating one message, and the checks that decide whether a translation is usable.

A translation is used only when it is there, not fuzzy, and passes every check. Each check
has a short stable id, printed after each of its reasons (``… [numbers]``) and named by
``smpc stats`` and ``smpc check``; ``docs/checks.md`` says what each catches and how to fix
it:

``empty``
    the translation is blank;
``unsafe-characters``
    an invisible character that changes how the text reads (bidirectional controls,
    zero-width and control characters) that the English does not have;
``tags``
    the inline tags (``sup``, ``sub``, ``em``) differ from the English's or are broken;
``name``
    the invented name is missing;
``numbers``
    the numbers with their units do not correspond one to one, in the locale's notation and
    in the English's order per unit; a reference (``section 6.1``) is not as written
    (:mod:`smpc_manager.rules.numbers`);
``untranslated-sentence``
    a run of five or more words of the English is left as it was
    (:mod:`smpc_manager.rules.sentences`);
``placeholders``
    a label or phrase of the tool's ``smpc`` domain lost or gained a ``%(name)s``
    placeholder (checked where those are read, :mod:`smpc_manager.render`).

Anything that fails counts as not translated, so a German text never carries a silent
English fallback or a wrong dose.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from smpc_manager import inline
from smpc_manager.errors import Problem
from smpc_manager.locales import language, same_language
from smpc_manager.model import Text
from smpc_manager.rules.numbers import check_numbers, symbols
from smpc_manager.rules.sentences import check_untranslated_sentence


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
class Failure:
    """Why a translation fails one check: the check's id and the reason.

    >>> str(Failure("numbers", "the number 0.25 is missing"))
    'the number 0.25 is missing [numbers]'
    """

    check: str
    reason: str

    def __str__(self) -> str:
        return f"{self.reason} [{self.check}]"


@dataclass(frozen=True, slots=True)
class Translated:
    """A message and what the catalog holds for it.

    ``translation`` is the catalog's text (also for a fuzzy or failing entry, so a report can
    show it); only when :attr:`ok` may it be used. ``reasons`` say why not; for a failing
    translation they are its ``failures``, each worded with its check's id.
    """

    text: Text
    translation: str | None
    status: Status
    reasons: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "translated" and self.translation is not None

    @property
    def checks(self) -> tuple[str, ...]:
        """The ids of the checks the translation fails, each once, in the checks' order."""
        return tuple(dict.fromkeys(f.check for f in self.failures))


@dataclass(frozen=True, slots=True)
class TranslationProblem(Problem):
    """A message that cannot be printed in a locale, with the ids of the checks its
    translation fails (none when it is missing or fuzzy)."""

    checks: tuple[str, ...] = ()


def translate(
    text: Text,
    catalog: Messages | None,
    locale: str,
    invented_name: str,
    *,
    source_locale: str = SOURCE_LOCALE,
    untranslatable: Sequence[str] = (),
) -> Translated:
    """What ``catalog`` gives for ``text`` in ``locale``, checked.

    In the source language the English is the text and no catalog is needed. Otherwise a
    missing catalog or entry is ``untranslated``, a fuzzy entry ``fuzzy``, and a translation
    failing :func:`check_translation` ``failed`` with the reasons. ``untranslatable`` are
    the terms the portfolio lets stay in the source language.
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
    failures = check_translation(text.source, string, locale, invented_name,
                                 source_locale=source_locale, untranslatable=untranslatable)
    if failures:
        return Translated(text, string, "failed", tuple(str(f) for f in failures),
                          tuple(failures))
    return Translated(text, string, "translated")


# ------------------------------------------------------------------------ checks


@dataclass(frozen=True, slots=True)
class Pair:
    """A message and its translation, as each check reads them."""

    source: str
    translation: str
    locale: str
    invented_name: str = ""
    source_locale: str = SOURCE_LOCALE
    #: The terms the portfolio lets stay in the source language.
    untranslatable: tuple[str, ...] = ()


#: The id of the check of a blank translation, run before the others (:data:`CHECKS`).
EMPTY = "empty"
#: The id of the check of the tool's labels and phrases (:func:`placeholders`).
PLACEHOLDERS = "placeholders"


def check_translation(source: str, translation: str, locale: str, invented_name: str, *,
                      source_locale: str = SOURCE_LOCALE,
                      untranslatable: Sequence[str] = ()) -> list[Failure]:
    """Why ``translation`` of ``source`` cannot be used in ``locale``; [] if it can.

    >>> check_translation("Each vial contains 0.25 mg.", "Jede enthält 0,25 mg.", "de", "X")
    []
    >>> [str(f) for f in check_translation("Each vial contains 0.25 mg.",
    ...                                    "Jede enthält 0.25 mg.", "de", "X")]
    ['the number 0.25 is missing: in de it is written 0,25 [numbers]']
    """
    if not translation.strip():
        return [Failure(EMPTY, "the translation is empty")]
    # Whether a translation passes depends on the locales only through their language and
    # their decimal and group symbols: a pass for de_AT is a pass for de_DE. Passes are
    # remembered (a product's messages are checked for every market); a failure is checked
    # again to name the locale.
    terms = tuple(untranslatable)
    key = (source, translation, verdict_key(locale), verdict_key(source_locale),
           invented_name, terms)
    if key in _PASSED:
        _PASSED.move_to_end(key)
        return []
    pair = Pair(source, translation, locale, invented_name, source_locale, terms)
    failures = [Failure(check_id, reason)
                for check_id, check in CHECKS.items() for reason in check(pair)]
    if not failures:
        _PASSED[key] = None
        if len(_PASSED) > PASSED_SIZE:
            _PASSED.popitem(last=False)
    return failures


#: How many passing checks (by source, translation, locales' verdict keys, name, terms) are
#: remembered: bounded, so memory does not grow with the number of products.
PASSED_SIZE = 2048
_PASSED: OrderedDict[tuple[object, ...], None] = OrderedDict()


@cache
def verdict_key(locale: str) -> tuple[str, str, str]:
    """What of ``locale`` a :func:`translate` verdict depends on: its language and its
    decimal and group symbols. Two locales with the same key (``de_AT`` and ``de_DE`` when
    CLDR gives them the same symbols) get the same translation of a text, passed or not."""
    return (language(locale), *symbols(locale))


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


def check_unsafe_characters(pair: Pair) -> list[str]:
    """No bidirectional control, zero-width character or control character the English
    does not have; each is named by its code point.

    >>> check_unsafe_characters(Pair("0.25 mg", "0,25" + chr(0x202E) + " mg", "de"))[0][:44]
    'U+202E RIGHT-TO-LEFT OVERRIDE at character 5'
    """
    found: dict[str, int] = {}
    for match in UNSAFE_CHARACTERS.finditer(pair.translation):
        char = match.group()
        if char not in found and char not in pair.source:
            found[char] = match.start() + 1
    if not found:
        return []
    named = ", ".join(f"{character_name(char)} at character {place}"
                      for char, place in found.items())
    why = "it changes how the text reads or is searched): remove it" if len(found) == 1 \
        else "they change how the text reads or is searched): remove them"
    return [f"{named} (invisible; {why}"]


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


def check_tags(pair: Pair) -> list[str]:
    """The translation carries the same inline tags, in the same order, well formed."""
    try:
        theirs = inline.tags(pair.translation)
    except inline.InlineError as err:
        return [f"the markup is broken: {err}"]
    try:
        ours = inline.tags(pair.source)
    except inline.InlineError:  # the English itself is checked by the loader
        return []
    if theirs != ours:
        return [f"the inline tags differ: the English has {_show_tags(ours)},"
                f" the translation {_show_tags(theirs)}"]
    return []


def _show_tags(names: list[str]) -> str:
    return " ".join(f"<{n}>" for n in names) if names else "none"


def check_name(pair: Pair) -> list[str]:
    """The invented name, where the English uses it, is kept as it is written."""
    name = pair.invented_name
    if name and name in _plain(pair.source) and name not in _plain(pair.translation):
        return [f"the invented name {name} is missing"]
    return []


def check_quantities(pair: Pair) -> list[str]:
    """The numbers with their units correspond one to one
    (:func:`smpc_manager.rules.numbers.check_numbers`). An unsafe character between a
    number and its unit is left to its own check, not reported again as a lost unit."""
    source, translation = (UNSAFE_CHARACTERS.sub("", _plain(text))
                           for text in (pair.source, pair.translation))
    return check_numbers(source, translation, pair.locale, pair.source_locale)


def check_english_left(pair: Pair) -> list[str]:
    """No run of five or more words of the English is left as it was
    (:func:`smpc_manager.rules.sentences.check_untranslated_sentence`); a translation into
    the source language itself is not held to it."""
    if same_language(pair.locale, pair.source_locale):
        return []
    return check_untranslated_sentence(_plain(pair.source), _plain(pair.translation),
                                       (pair.invented_name, *pair.untranslatable))


def _plain(message: str) -> str:
    try:
        return inline.plain(message)
    except inline.InlineError:  # check_tags reports the broken markup
        return message


def placeholders(text: str) -> set[str]:
    """The ``%(name)s`` (and ``%s``, ``%d``) placeholders of a label or phrase of the tool's
    ``smpc`` domain: a translation has the English's (check ``placeholders``).

    >>> sorted(placeholders("%(price)s per %(pack)s"))
    ['%(pack)s', '%(price)s']
    """
    return set(re.findall(r"%\(\w+\)s|%[sd]", text))


#: The checks :func:`check_translation` runs after :data:`EMPTY`, in order, by id; each
#: returns its reasons.
CHECKS: dict[str, Callable[[Pair], list[str]]] = {
    "unsafe-characters": check_unsafe_characters,
    "tags": check_tags,
    "name": check_name,
    "numbers": check_quantities,
    "untranslated-sentence": check_english_left,
}

#: Every check's id, in the order the checks run.
CHECK_IDS: tuple[str, ...] = (EMPTY, *CHECKS, PLACEHOLDERS)
