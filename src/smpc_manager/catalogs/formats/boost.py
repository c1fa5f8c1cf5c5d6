"""Boost format strings (``boost-format``) as GNU gettext 0.21 reads them (``format-boost.c``).

A directive is ``%%``, ``%N%`` (argument N, of any type), or a printf-like one: ``%`` or
``%|`` (which must end in ``|``), an optional ``m$``, flags (``#0- +'_=hl``), a width and a
precision (a number, ``*`` or ``*m$``), sizes (``hlL``) and a conversion (``c``, ``s``,
``d``..., ``p``, ``t``, ``TX`` and ``n`` taking none; ``%|...|`` may have none). Numbered
and unnumbered arguments do not mix.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    ERROR,
    UNTERMINATED,
    Arguments,
    Language,
    Scan,
    check_arguments,
    conversion_error,
    merged,
    number_at,
    star,
)

NONE, INTEGER, DOUBLE, CHAR, POINTER, ANY = range(6)
_TYPES = {"c": CHAR, "C": CHAR, "s": ANY, "S": ANY, "p": POINTER, "t": NONE, "n": NONE,
          **dict.fromkeys("idouxX", INTEGER), **dict.fromkeys("eEfgG", DOUBLE)}


def _conversion(scan: Scan, i: int, brackets: bool) -> tuple[int, int]:
    """The type the conversion at ``s[i]`` asks for, and the index after the directive."""
    s = scan.s
    char = s[i]
    if char == "T":
        if s[i + 1] == "\0":
            raise scan.error(i, UNTERMINATED)
        kind, i = NONE, i + 2
    elif char == "|" and brackets:
        kind = ANY
    elif char in _TYPES:
        kind, i = _TYPES[char], i + 1
    elif char == "\0":
        raise scan.error(i - 1, UNTERMINATED)
    else:
        scan.marks.set(i, ERROR)
        raise conversion_error(scan.directives, char)
    if brackets:
        if s[i] != "|":
            if s[i] == "\0":
                raise scan.error(i - 1, UNTERMINATED)
            raise scan.error(i, f"The directive number {scan.directives} starts with | but"
                                " does not end with |.")
        i += 1
    return kind, i


def _directive(scan: Scan, i: int, arguments: Arguments) -> int:
    """Read the directive whose ``%`` is at ``s[i - 1]``; return the index after it."""
    s = scan.s
    scan.directive(i - 1)
    if s[i] == "%":
        return i + 1
    brackets = s[i] == "|"
    i += brackets
    number, kind = 0, NONE
    if "1" <= s[i] <= "9":
        found, end = number_at(s, i)
        if s[end] == "$" or (s[end] == "%" and not brackets):
            if found == 0:
                raise scan.error(end, f"In the directive number {scan.directives}, the"
                                      " argument number 0 is not a positive integer.")
            number = found
            if s[end] == "%":
                arguments.take(scan, number, ANY, end)
                return end + 1
            i = end + 1
    while s[i] in " +-#0'_=hl":
        i += 1
    i = star(scan, i, arguments, INTEGER, "width's argument")
    if s[i] == ".":
        i = star(scan, i + 1, arguments, INTEGER, "precision's argument")
    while s[i] in "hlL":
        i += 1
    kind, i = _conversion(scan, i, brackets)
    if kind != NONE:
        arguments.take(scan, number, kind, i - 1)
    return i


def parse_boost(scan: Scan) -> dict[int, int]:
    """The arguments of a ``boost-format`` string, by number."""
    arguments = Arguments()
    i = 0
    while scan.s[i] != "\0":
        i += 1
        if scan.s[i - 1] == "%":
            i = _directive(scan, i, arguments)
            scan.marks.set(i - 1, END)
    if arguments.unnumbered:
        return dict(enumerate(arguments.unnumbered, 1))
    return merged(sorted(arguments.numbered),
                  lambda a, b: a if b in (a, ANY) else b if a == ANY else None)


BOOST = Language("boost", "Boost", parse_boost, check_arguments)
