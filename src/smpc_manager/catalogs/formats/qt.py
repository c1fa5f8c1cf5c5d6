"""Qt and KDE format strings (``qt-format``, ``qt-plural-format``, ``kde-format``) as GNU
gettext 0.21 reads them (``format-qt.c``, ``format-qt-plural.c``, ``format-kde.c``).

Qt's ``QString::arg`` replaces ``%1`` ... ``%99`` (``%L1`` formats for the locale); a string
with only ``%0`` ... ``%9`` and no ``L`` is *simple* and must stay so, and a translation
must use exactly the msgid's numbers, plural or not. ``QObject::tr`` replaces ``%n`` (or
``%Ln``) with the count: a translation uses it where the msgid does, or (relaxed) leaves
it out. KDE's ``%1``, ``%2``... must be numbered 1 to n, one of which may be left out, as
the singular of a plural often leaves out the count; a relaxed translation may leave out
one argument. Nothing else is an error: a ``%`` that begins no directive is text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smpc_manager.catalogs.formats.base import (
    END,
    FormatError,
    Language,
    Scan,
    check_arguments,
    count_differs,
    extra,
    is_digit,
    missing,
)

_UINT = (1 << 32) - 1


@dataclass
class QtSpec:
    """The argument numbers a Qt string uses, and whether it is simple."""

    used: set[int] = field(default_factory=set)
    simple: bool = True


def parse_qt(scan: Scan) -> QtSpec:
    """The argument numbers of a ``qt-format`` string."""
    s, spec = scan.s, QtSpec()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        start = i - 1
        locale = s[i] == "L"
        i += locale
        if is_digit(s[i]):
            scan.directive(start)
            spec.simple = spec.simple and not locale
            number = ord(s[i]) - 48
            if is_digit(s[i + 1]):
                number = 10 * number + ord(s[i + 1]) - 48
                spec.simple = False
                i += 1
            spec.used.add(number)
            scan.marks.set(i, END)
            i += 1
    return spec


def check_qt(msgid: QtSpec, msgstr: QtSpec, equality: bool, pretty_msgid: str,
             pretty_msgstr: str) -> str | None:
    """GNU's check of two ``qt-format`` strings: always strict."""
    if msgid.simple and not msgstr.simple:
        return (f"'{pretty_msgid}' is a simple format string, but '{pretty_msgstr}' is not: it"
                " contains an 'L' flag or a double-digit argument number")
    return check_arguments(dict.fromkeys(msgid.used), dict.fromkeys(msgstr.used), True,
                           pretty_msgid, pretty_msgstr)


QT = Language("qt", "Qt", parse_qt, check_qt)


def parse_qt_plural(scan: Scan) -> int:
    """The number of ``%n`` directives of a ``qt-plural-format`` string."""
    s = scan.s
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        start = i - 1
        i += s[i] == "L"
        if s[i] == "n":
            scan.directive(start)
            scan.marks.set(i, END)
            i += 1
    return scan.directives


def check_qt_plural(msgid: int, msgstr: int, equality: bool, pretty_msgid: str,
                    pretty_msgstr: str) -> str | None:
    """GNU's check of two ``qt-plural-format`` strings: the count is used where the
    msgid uses it (or, relaxed, left out)."""
    if (msgid == 0 and msgstr > 0) or (equality and msgid > 0 and msgstr == 0):
        return count_differs(pretty_msgid, pretty_msgstr)
    return None


QT_PLURAL = Language("qt-plural", "Qt plural", parse_qt_plural, check_qt_plural)


def parse_kde(scan: Scan) -> list[int]:
    """The argument numbers of a ``kde-format`` string, sorted, each once."""
    s = scan.s
    numbers: set[int] = set()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] == "%" and "1" <= s[i] <= "9":
            scan.directive(i - 1)
            number = ord(s[i]) - 48
            while is_digit(s[i + 1]):
                number = (10 * number + ord(s[i + 1]) - 48) & _UINT
                i += 1
            numbers.add(number)
            scan.marks.set(i, END)
            i += 1
    # GNU sorts n - 1 as an unsigned number: an argument that overflowed to 0 comes last.
    ordered = sorted(numbers, key=lambda number: (number - 1) & _UINT)
    gap = None
    for index, number in enumerate(ordered):
        expected = index + 1 + (gap is not None)
        if number > expected:
            if gap is not None:
                raise FormatError(f"The string refers to argument number {number} but ignores"
                                  f" the arguments {gap} and {expected}.")
            gap = expected
            if number > expected + 1:
                raise FormatError(f"The string refers to argument number {number} but ignores"
                                  f" the arguments {gap} and {expected + 1}.")
    return ordered


def check_kde(msgid: list[int], msgstr: list[int], equality: bool, pretty_msgid: str,
              pretty_msgstr: str) -> str | None:
    """GNU's check of two ``kde-format`` strings: the translation's numbers are the
    msgid's, or (relaxed) all but one of them."""
    theirs = set(msgstr)
    for number in msgstr:
        if number not in msgid:
            return extra(str(number), pretty_msgid, pretty_msgstr)
    left_out = [number for number in msgid if number not in theirs]
    if left_out and equality:
        return missing(str(left_out[0]), pretty_msgstr)
    if len(left_out) > 1:
        return (f"a format specification for arguments {left_out[0]} and {left_out[1]} doesn't"
                f" exist in '{pretty_msgstr}', only one argument may be ignored")
    return None


KDE = Language("kde", "KDE", parse_kde, check_kde)
