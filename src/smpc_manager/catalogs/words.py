"""Words as translation vendors count them: pocount's count, which prices a translation.

translate-toolkit's ``pocount`` counts the words of a message's English after taking out its
markup tags (``<br>`` ends a line) and every letter-dot-letter run (``e.g`` in ``e.g.``), as
the words of Unicode's word boundaries (UAX #29) that hold a letter or a digit. This module
counts the same for plain text in alphabetic scripts, so that ``smpc stats`` and pocount
agree; it is written out here rather than taken from translate-toolkit, a dependency of many
megabytes for one function. The boundary rules followed are UAX #29's WB4 to WB13b: letters
and digits join (``CD22``, ``3rd``); a letter joins a letter across ``'``, ``.``, ``:`` or
``·`` (``don't``, ``U.S``), a digit a digit across ``,``, ``.``, ``;`` or ``'``
(``1,000.5``); ``_`` and the narrow no-break space join either; Katakana joins Katakana; a
combining mark or a format character belongs to the character before it. Any other
character, and a superscript digit or a Han ideograph, stands alone.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

# pocount's own patterns (translate/tools/pocount.py), applied before the words are cut.
_BREAK_TAG = re.compile(r"<br\s*?/?>")
_TAG = re.compile(
    r"""<([\w.:]+)(\s([\w.:]+=((".*?")|('.*?')))?)*/?>|</([\w.]+)>""")
_LETTER_DOT_LETTER = re.compile(r"\D\.\D")

_MID_LETTER = frozenset(":\u00b7\u0387\u055f\u05f4\u2027\ufe13\ufe55\uff1a")
_MID_NUM_LET = frozenset(".\u2018\u2019\u2024\ufe52\uff07\uff0e'")
_MID_NUM = frozenset(",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54"
                     "\uff0c\uff1b")
_NEWLINES = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_ZERO_WIDTH_SPACE = "\u200b"


class _Kind(Enum):
    LETTER = "letter"
    DIGIT = "digit"
    KATAKANA = "katakana"
    JOINER = "joiner"  # UAX #29's ExtendNumLet
    OTHER = "other"


def _kind(char: str) -> _Kind:
    code = ord(char)
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return _Kind.KATAKANA
    if char.isdecimal():
        return _Kind.DIGIT
    if char.isalpha() or unicodedata.category(char) == "Nl":
        name = unicodedata.name(char, "")
        ideographic = name.startswith(("CJK", "HIRAGANA")) or "IDEOGRAPH" in name
        return _Kind.OTHER if ideographic else _Kind.LETTER
    if char == "\u202f" or unicodedata.category(char) == "Pc":
        return _Kind.JOINER
    return _Kind.OTHER


_WORDLIKE = frozenset({_Kind.LETTER, _Kind.DIGIT, _Kind.KATAKANA, _Kind.JOINER})


def _joins(before: _Kind, after: _Kind) -> bool:
    """WB5, WB8 to WB10, WB13 to WB13b: two characters of one word, side by side."""
    if _Kind.JOINER in (before, after):
        return before in _WORDLIKE and after in _WORDLIKE
    if _Kind.KATAKANA in (before, after):
        return before == after
    return before in _WORDLIKE and after in _WORDLIKE


def _joins_across(before: _Kind, middle: str, after: _Kind) -> bool:
    """WB6, WB7, WB11, WB12: two letters or two digits across a middle character."""
    if before == after == _Kind.LETTER:
        return middle in _MID_LETTER or middle in _MID_NUM_LET
    if before == after == _Kind.DIGIT:
        return middle in _MID_NUM or middle in _MID_NUM_LET
    return False


def _without_extenders(text: str) -> str:
    """WB4: a combining mark or a format character (not after a line break) is part of the
    character before it, so it never separates two characters."""
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        extends = category in ("Mn", "Me", "Mc") or (category == "Cf"
                                                      and char != _ZERO_WIDTH_SPACE)
        if extends and kept and kept[-1] not in _NEWLINES:
            continue
        kept.append(char)
    return "".join(kept)


def count_words(message: str) -> int:
    """The words of a message's English, as pocount counts them.

    >>> count_words("The recommended dose is 1.8 mg/m<sup>2</sup>, e.g. on Day 1.")
    10
    >>> count_words("Hypersensitivity (≥ 20%) to CD22-positive B cells; don't")
    8
    """
    text = _LETTER_DOT_LETTER.sub(" ", _TAG.sub("", _BREAK_TAG.sub("\n", message)))
    text = _without_extenders(text)
    kinds = [_kind(char) for char in text]
    words = 0
    start = 0
    while start < len(text):
        end = start + 1
        if kinds[start] in _WORDLIKE:
            while end < len(text):
                if _joins(kinds[end - 1], kinds[end]):
                    end += 1
                elif end + 1 < len(text) and \
                        _joins_across(kinds[end - 1], text[end], kinds[end + 1]):
                    end += 2
                else:
                    break
        if any(char.isalnum() for char in text[start:end]):
            words += 1
        start = end
    return words
