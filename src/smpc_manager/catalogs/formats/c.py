"""C and Objective C format strings (``c-format``, ``objc-format``) as GNU gettext 0.21 reads
them (``format-c.c``, ``format-c-parse.h``).

A directive is POSIX ``printf``'s: ``%`` or ``%m$``; flags (``#0- +'``, and in a
translation glibc's ``I``); a width and a precision, each a number, ``*`` or ``*m$``; a size
(``hh h l ll L q j z Z t``) and a conversion, or instead one of ISO C99's ``<inttypes.h>``
macros in angle brackets (``%<PRId64>``, which gettext expands for each platform). glibc's
``%m`` takes no argument; Objective C adds ``%@``, an object. Numbered and unnumbered
arguments do not mix, and numbered ones must use every argument up to the highest. A
translation must ask for the msgid's arguments, in order, each of the same type (an ``int``
is not a ``long``, a ``char *`` not a ``wchar_t *``).
"""

from __future__ import annotations

import re

from smpc_manager.catalogs.formats.base import (
    END,
    Arguments,
    FormatError,
    Language,
    Scan,
    argument_number,
    check_count,
    end_error,
    merged,
    star,
)

# An argument's type, as GNU's bits: a basic type, unsigned, and a size.
INTEGER, DOUBLE, CHAR, STRING, OBJECT, POINTER, COUNT_POINTER = 1, 2, 3, 4, 5, 6, 7
UNSIGNED = 1 << 3
SHORT, CHAR_SIZE, LONG, LONGLONG = 1 << 4, 2 << 4, 1 << 6, 2 << 6
#: The sizes of ``<inttypes.h>``'s macros (``8`` ... ``LEAST64``, ``FAST8`` ...), then
#: intmax_t, intptr_t, size_t and ptrdiff_t.
_FIXED = {name: 1 << bit for bit, name in enumerate(
    ["8", "16", "32", "64", "LEAST8", "LEAST16", "LEAST32", "LEAST64",
     "FAST8", "FAST16", "FAST32", "FAST64", "MAX", "PTR"], start=8)}
INTMAX, SIZE_T, PTRDIFF = _FIXED["MAX"], 1 << 22, 1 << 23
SIZES = SHORT | CHAR_SIZE | LONG | LONGLONG | SIZE_T | PTRDIFF | sum(_FIXED.values())

_MACRO = re.compile(r"PRI([diouxX])(MAX|PTR|LEAST(?:8|16|32|64)|FAST(?:8|16|32|64)|8|16|32|64)")
_SIZE_LETTERS = {"L": LONGLONG, "q": LONGLONG, "j": INTMAX, "z": SIZE_T, "Z": SIZE_T,
                 "t": PTRDIFF}


def _macro(scan: Scan, i: int) -> tuple[int, int]:
    """The type of the ``<PRI...>`` macro whose ``<`` is at ``s[i]``, and the index of its
    ``>``."""
    found = _MACRO.match(scan.s, i + 1)
    if found is None:
        raise scan.error(i, f"In the directive number {scan.directives}, the token after '<'"
                            " is not the name of a format specifier macro. The valid macro"
                            " names are listed in ISO C 99 section 7.8.1.")
    kind = INTEGER if found.group(1) in "di" else INTEGER | UNSIGNED
    kind |= _FIXED[found.group(2)]
    at = found.end()
    if scan.s[at] != ">":
        raise scan.error(at, f"In the directive number {scan.directives}, the token after '<'"
                             " is not followed by '>'.")
    return kind, at


def _size(s: str, i: int) -> tuple[int, int]:
    """The size letters at ``s[i]`` (``hh``, ``l``, ``z``...): their size, and the index
    after them."""
    size = 0
    while True:
        char = s[i]
        if char == "h":
            size = CHAR_SIZE if size & (SHORT | CHAR_SIZE) else SHORT
        elif char == "l":
            size = LONGLONG if size & (LONG | LONGLONG) else LONG
        elif char in _SIZE_LETTERS:
            size = _SIZE_LETTERS[char]
        else:
            return size, i
        i += 1


def _conversion(char: str, size: int, objc: bool) -> int | None:
    """The type a conversion character asks for with ``size`` (0: none, ``%%`` and
    ``%m``); None if it is no conversion."""
    wide = LONG if size & (LONG | LONGLONG) else 0
    kinds = {
        "%": 0, "m": 0, "c": CHAR | wide, "C": CHAR | LONG, "s": STRING | wide,
        "S": STRING | LONG, "i": INTEGER | (size & SIZES), "d": INTEGER | (size & SIZES),
        "p": POINTER, "n": COUNT_POINTER | (size & SIZES),
        **dict.fromkeys("ouxX", INTEGER | UNSIGNED | (size & SIZES)),
        **dict.fromkeys("eEfFgGaA", DOUBLE | (size & LONGLONG)),
    }
    if objc:
        kinds["@"] = OBJECT
    return kinds.get(char) if char != "\0" else None


def _directive(scan: Scan, i: int, objc: bool, arguments: Arguments) -> int:
    """Read the directive whose ``%`` is at ``s[i - 1]``; return the index after it."""
    s = scan.s
    scan.directive(i - 1)
    number, i = argument_number(scan, i)
    while s[i] in " +-#0'" or (scan.translated and s[i] == "I"):
        i += 1
    i = star(scan, i, arguments, INTEGER, "width's argument")
    if s[i] == ".":
        i = star(scan, i + 1, arguments, INTEGER, "precision's argument")
    if s[i] == "<":
        kind, i = _macro(scan, i)
    else:
        size, i = _size(s, i)
        found = _conversion(s[i], size, objc)
        if found is None:
            raise end_error(scan, i)
        kind = found
    if kind:
        arguments.take(scan, number, kind, i)
    scan.marks.set(i, END)
    return i + 1


def parse(scan: Scan, objc: bool = False) -> list[int]:
    """The types of the arguments a C format string asks for, in order."""
    arguments = Arguments()
    i = 0
    while scan.s[i] != "\0":
        i += 1
        if scan.s[i - 1] == "%":
            i = _directive(scan, i, objc, arguments)
    if not arguments.numbered:
        return arguments.unnumbered
    found = merged(sorted(arguments.numbered))
    for expected, number in enumerate(sorted(found), 1):
        if number != expected:
            raise FormatError(f"The string refers to argument number {number} but ignores"
                              f" argument number {expected}.")
    return [found[number] for number in sorted(found)]


def parse_objc(scan: Scan) -> list[int]:
    """The types of the arguments an Objective C format string asks for, in order."""
    return parse(scan, objc=True)


C = Language("c", "C", parse, check_count)
OBJC = Language("objc", "Objective C", parse_objc, check_count)
