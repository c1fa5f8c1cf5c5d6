"""Smalltalk and YCP format strings (``smalltalk-format``, ``ycp-format``) as GNU gettext 0.21
reads them (``format-smalltalk.c``): GNU Smalltalk's ``bindWith:`` and YaST's ``sformat``.

A directive is ``%1`` to ``%9`` or ``%%``; any other character after a ``%`` is an error. A
translation uses the msgid's arguments (with ``equality``, all of them).
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import END, UNTERMINATED, Language, Scan, check_arguments


def parse_smalltalk(scan: Scan) -> dict[int, None]:
    """The argument numbers a ``smalltalk-format`` or ``ycp-format`` string uses."""
    s = scan.s
    used: dict[int, None] = {}
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        directive = scan.directive(i - 1)
        if "1" <= s[i] <= "9":
            used[ord(s[i]) - 48] = None
        elif s[i] == "\0":
            raise scan.error(i - 1, UNTERMINATED)
        elif s[i] != "%":
            raise scan.error(i, f"In the directive number {directive}, the character '{s[i]}'"
                                " is not a digit between 1 and 9." if " " <= s[i] <= "~"
                             else "The character that terminates the directive number"
                                  f" {directive} is not a digit between 1 and 9.")
        i += 1
        scan.marks.set(i - 1, END)
    return dict(sorted(used.items()))


SMALLTALK = Language("smalltalk", "Smalltalk", parse_smalltalk, check_arguments)
YCP = Language("ycp", "YCP", parse_smalltalk, check_arguments)
