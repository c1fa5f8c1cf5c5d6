"""Where GNU gettext may break a line of text, and how many columns the text takes.

GNU ``msgcat``, ``msgmerge`` and ``xgettext`` wrap a long PO string with libunistring's line
breaker: Unicode Standard Annex #14 in libunistring's pair-table form, with the column width
of each character from libunistring's ``uc_width`` (East Asian wide characters take two
columns, combining marks none). Python's :mod:`unicodedata` has no line breaking classes,
and its widths are not libunistring's, so both come from ``linebreak.txt`` beside this
module, taken from the libunistring that GNU gettext 0.21 runs on by
``scripts/gnu_linebreak_data.py``. The file is read once, when a string first needs it.

:func:`line_breaks` is libunistring's ``ulc_width_linebreaks`` for a UTF-8 string: the
possible breaks of UAX #14 (:func:`possible_breaks`), then a greedy fill to the width.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: A break before a character: not allowed, allowed, or forced (by a line separator).
PROHIBITED, POSSIBLE, MANDATORY = 1, 2, 3

_DATA = Path(__file__).with_name("linebreak.txt")
#: The classes the algorithm treats apart from the pair table, and a marker for the
#: character after a Hebrew letter and a hyphen (UAX #14's rule LB21a).
_SPECIAL = ("BK", "SP", "ZW", "CM", "ZWJ")
_HEBREW_HYPHEN = -1


@dataclass(frozen=True)
class _Tables:
    """``linebreak.txt`` read: each class as a number, the pair table, the ranges."""

    number: dict[str, int]
    #: pair[before][after]: "D" break, "I" break only after a space, "P" no break.
    pair: list[str]
    class_starts: list[int]
    class_values: list[int]
    width_starts: list[int]
    width_values: list[int]


@cache
def _tables() -> _Tables:
    names: list[str] = []
    rows: dict[str, str] = {}
    classes: list[tuple[int, str]] = []
    widths: list[tuple[int, int]] = []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "classes":
            names = rest.split()
        elif kind == "pair":
            name, row = rest.split()
            rows[name] = row
        elif kind == "class":
            start, name = rest.split()
            classes.append((int(start, 16), name))
        elif kind == "width":
            start, width = rest.split()
            widths.append((int(start, 16), int(width)))
    # The pair table's rows and columns are the classes in their order, specials left out.
    in_table = [name for name in names if name not in _SPECIAL]
    number = {name: i for i, name in enumerate(in_table)}
    number.update({name: len(in_table) + i for i, name in enumerate(_SPECIAL)})
    return _Tables(number, [rows[name] for name in in_table],
                   [start for start, _ in classes], [number[name] for _, name in classes],
                   [start for start, _ in widths], [width for _, width in widths])


@cache
def _class(char: str) -> int:
    tables = _tables()
    return tables.class_values[bisect_right(tables.class_starts, ord(char)) - 1]


@cache
def char_width(char: str) -> int:
    """The columns ``char`` takes as libunistring counts them in a UTF-8 text: 2 for East
    Asian wide characters, 0 for combining ones, -1 for control characters."""
    tables = _tables()
    return tables.width_values[bisect_right(tables.width_starts, ord(char)) - 1]


def possible_breaks(text: str) -> list[int]:
    """For each character of ``text``, whether a line may break before it (UAX #14 as
    libunistring 1.0 implements it; :data:`PROHIBITED`, :data:`POSSIBLE` or
    :data:`MANDATORY`)."""
    tables = _tables()
    n = tables.number
    bk, sp, zw, cm, zwj = (n[name] for name in _SPECIAL)
    al, hl, ri, hy, ba = n["AL"], n["HL"], n["RI"], n["HY"], n["BA"]
    result: list[int] = []
    previous = last = bk  # the class of the last character, and of the last not a space
    spaced = False  # a space since the last character that is not one
    regional = 0  # regional indicators just before, which pair up into flags
    for char in text:
        kind = _class(char)
        if kind == bk:  # (LB4, LB5, LB6) a line separator breaks after it, and only there
            brk, last, spaced = MANDATORY, bk, False
        elif kind == sp:  # (LB7) never before a space
            brk, spaced = PROHIBITED, True
        elif kind == zw:
            brk, last, spaced = PROHIBITED, zw, False
        elif kind in (cm, zwj):  # (LB9, LB10) a mark goes with what it follows
            if last == bk:
                brk, last, spaced = PROHIBITED, al, False
            elif last == zw or spaced:
                brk, last, spaced = POSSIBLE, al, False
            else:
                brk = PROHIBITED
        else:
            if last == bk:
                brk = PROHIBITED
            elif last == zw:  # (LB8)
                brk = POSSIBLE
            elif previous == zwj:  # (LB8a)
                brk = PROHIBITED
            elif last == ri and kind == ri:  # (LB30a)
                brk = POSSIBLE if spaced or regional % 2 == 0 else PROHIBITED
            elif previous == _HEBREW_HYPHEN:  # (LB21a)
                brk = PROHIBITED
            else:
                rule = tables.pair[last][kind]
                brk = POSSIBLE if rule == "D" or (rule == "I" and spaced) else PROHIBITED
            last, spaced = kind, False
        result.append(brk)
        previous = _HEBREW_HYPHEN if previous == hl and kind in (hy, ba) else kind
        regional = regional + 1 if kind == ri else 0
    return result


def line_breaks(text: str, width: int, start_column: int,
                overrides: Sequence[int | None] = ()) -> list[int]:
    """The indexes of ``text`` before which a line is broken so that each line fits
    ``width`` columns where it can, the first line starting at ``start_column``:
    libunistring's ``ulc_width_linebreaks``. ``overrides`` (by index; None: none) replace
    the break UAX #14 gives, as GNU gettext forbids breaks inside an escape sequence.

    A text that fits whole is never broken (a line is broken only where the columns so far
    exceed ``width``), so its breaks are not looked for."""
    if start_column + sum(max(char_width(char), 0) for char in text) <= width:
        return []
    found = possible_breaks(text)
    breaks: list[int] = []
    last_break: int | None = None  # where the current piece of text may break
    column = start_column  # where that piece starts
    piece = 0  # the columns of the piece so far
    for i, char in enumerate(text):
        brk = found[i]
        if i < len(overrides) and overrides[i] is not None:
            brk = overrides[i]  # type: ignore[assignment]
        if brk in (POSSIBLE, MANDATORY) and last_break is not None \
                and column + piece > width:
            breaks.append(last_break)
            column = 0
        if brk == MANDATORY:  # a new line starts here, unbroken by us
            last_break, column, piece = None, 0, 0
            continue
        if brk == POSSIBLE:
            last_break = i
            column += piece
            piece = 0
        piece += max(char_width(char), 0)  # control characters count for nothing
    if last_break is not None and column + piece > width:
        breaks.append(last_break)
    return breaks
