"""Tcl format strings (``tcl-format``) as GNU gettext 0.21 reads them (``format-tcl.c``).

A directive is ``%`` or ``%m$`` (which sets the current argument to m), flags (``#0- +``),
a width and a precision (a number or ``*``, an integer argument), a size (``h``; ``l`` is
ignored) and a conversion: ``c`` (a character), ``s`` (a string), ``i d`` (an integer),
``o u x X`` (an unsigned one; with ``h`` both are short) or ``e E f g G`` (a float); ``%%``
is a percent sign. A string numbers all its directives or none. Each argument taken moves
the current one on.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    MIXES_NUMBERED,
    Language,
    Scan,
    check_arguments,
    each_directive,
    end_error,
    is_digit,
    merged,
    number_at,
)

_TYPES = {"c": "character", "s": "string", "i": "integer", "d": "integer",
          **dict.fromkeys("ouxX", "unsigned integer"), **dict.fromkeys("eEfgG", "float")}


class _Reading:
    """The arguments so far, the current one, and whether the string numbers them."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, str]] = []
        self.number = 1
        self.numbered: bool | None = None

    def take(self, kind: str) -> None:
        self.taken.append((self.number, kind))
        self.number += 1

    def numbering(self, scan: Scan, numbered: bool, at: int) -> None:
        """A directive numbered or not: the same as those before it, else an error."""
        if self.numbered is not None and self.numbered != numbered:
            raise scan.error(at, MIXES_NUMBERED)
        self.numbered = numbered


def _directive(scan: Scan, i: int, reading: _Reading) -> int:
    """Read the directive whose ``%`` is at ``s[i - 1]`` (not ``%%``); return the index of
    its conversion."""
    s = scan.s
    numbered = False
    if is_digit(s[i]):
        given, end = number_at(s, i)
        if s[end] == "$":
            if given == 0:
                raise scan.error(end, f"In the directive number {scan.directives}, the"
                                      " argument number 0 is not a positive integer.")
            reading.number, i, numbered = given, end + 1, True
    reading.numbering(scan, numbered, i - 1)
    while s[i] in " +-#0":
        i += 1
    for part in ("width", "precision"):
        if part == "precision":
            if s[i] != ".":
                break
            i += 1
        if s[i] == "*":
            i += 1
            reading.take("integer")
        else:
            while is_digit(s[i]):
                i += 1
    short = s[i] == "h"
    i += s[i] in "hl"
    if s[i] not in _TYPES:
        raise end_error(scan, i)
    reading.take(("short " if short and s[i] not in "cseEfgG" else "") + _TYPES[s[i]])
    return i


def parse_tcl(scan: Scan) -> dict[int, str]:
    """The arguments of a ``tcl-format`` string, by number."""
    reading = _Reading()
    each_directive(scan, lambda i: _directive(scan, i, reading))
    return merged(sorted(reading.taken))


TCL = Language("tcl", "Tcl", parse_tcl, check_arguments)
