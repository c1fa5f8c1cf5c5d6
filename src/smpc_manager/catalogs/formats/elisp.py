"""Emacs Lisp and librep format strings (``elisp-format``, ``librep-format``) as GNU gettext
0.21 reads them (``format-elisp.c``, ``format-librep.c``).

A directive is ``%`` or ``%m$`` (which sets the current argument to m), flags, a width and
a precision, and a conversion: ``c`` (a character), ``d x X o`` (an integer; Emacs Lisp
adds ``i`` and the floats ``e E f g G``), ``s`` (any object, as ``princ`` prints it) and
``S`` (any object, as ``prin1`` prints it); ``%%`` is a percent sign. Emacs Lisp's width and
precision may be ``*``, an integer argument. Each argument taken moves the current one on.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    Language,
    Scan,
    check_arguments,
    end_error,
    is_digit,
    merged,
    number_at,
)

_ELISP = {"%": None, "c": "character", "s": "object (princ)", "S": "object (prin1)",
          **dict.fromkeys("dixXo", "integer"), **dict.fromkeys("eEfgG", "float")}
_LIBREP = {"%": None, "c": "character", "s": "object (princ)", "S": "object (prin1)",
           **dict.fromkeys("dxXo", "integer")}


def _digits_or_star(s: str, i: int, star: bool) -> tuple[int, bool]:
    """A width or precision at ``s[i]``: digits, or (where ``star``) a ``*``; return the
    index after it and whether it was a ``*``."""
    if star and s[i] == "*":
        return i + 1, True
    while is_digit(s[i]):
        i += 1
    return i, False


def _parse(scan: Scan, flags: str, types: dict[str, str | None], star: bool
           ) -> dict[int, str]:
    """The arguments of an Emacs Lisp or librep format string, by number."""
    s = scan.s
    taken: list[tuple[int, str]] = []
    number = 1
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        if is_digit(s[i]):
            given, end = number_at(s, i)
            if s[end] == "$" and given > 0:
                number, i = given, end + 1
        while s[i] in flags:
            i += 1
        for part in ("width", "precision"):
            if part == "precision":
                if s[i] != ".":
                    break
                i += 1
            i, took = _digits_or_star(s, i, star)
            if took:
                taken.append((number, "integer"))
                number += 1
        if s[i] not in types:
            raise end_error(scan, i)
        kind = types[s[i]]
        if kind is not None:
            taken.append((number, kind))
            number += 1
        scan.marks.set(i, END)
        i += 1
    return merged(sorted(taken))


def parse_elisp(scan: Scan) -> dict[int, str]:
    """The arguments of an ``elisp-format`` string, by number."""
    return _parse(scan, " +-#0", _ELISP, star=True)


def parse_librep(scan: Scan) -> dict[int, str]:
    """The arguments of a ``librep-format`` string, by number."""
    return _parse(scan, "-^0+ ", _LIBREP, star=False)


def check(msgid: dict[int, str], msgstr: dict[int, str], equality: bool, pretty_msgid: str,
          pretty_msgstr: str) -> str | None:
    """GNU's check of two Emacs Lisp or librep format strings."""
    return check_arguments(msgid, msgstr, equality, pretty_msgid, pretty_msgstr)


ELISP = Language("elisp", "Emacs Lisp", parse_elisp, check)
LIBREP = Language("librep", "librep", parse_librep, check)
