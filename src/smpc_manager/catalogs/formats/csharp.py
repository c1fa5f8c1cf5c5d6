"""C# format strings (``csharp-format``) as GNU gettext 0.21 reads them (``format-csharp.c``).

``String.Format``'s directive is ``{m}``, ``{m,width}`` or ``{m:format}`` (or both), and
``{{`` and ``}}`` are braces; a lone ``}`` is an error. A translation is compared by the
number of arguments only: one more than the highest ``m``.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    START,
    Language,
    Scan,
    count_differs,
    is_digit,
    number_at,
)

_UINT = (1 << 32) - 1


def _error_at(scan: Scan, i: int) -> int:
    """Where GNU marks an error found at ``s[i]``: there, or before the end."""
    return i - 1 if scan.s[i] == "\0" else i


def _directive(scan: Scan, i: int) -> tuple[int, int]:
    """Read the directive whose ``{`` is at ``s[i - 1]``; return its argument number and
    the index after it."""
    s = scan.s
    directive = scan.directives
    if not is_digit(s[i]):
        raise scan.error(_error_at(scan, i), f"In the directive number {directive}, '{{' is not"
                                             " followed by an argument number.")
    number, i = number_at(s, i)
    if s[i] == ",":
        i += 1
        i += s[i] == "-"
        if not is_digit(s[i]):
            raise scan.error(_error_at(scan, i), f"In the directive number {directive}, ',' is"
                                                 " not followed by a number.")
        while is_digit(s[i]):
            i += 1
    if s[i] == ":":
        i += 1
        while s[i] not in "\0}":
            i += 1
    if s[i] == "\0":
        raise scan.error(i - 1, "The string ends in the middle of a directive: found '{'"
                                " without matching '}'.")
    if s[i] != "}":
        raise scan.error(i, f"The directive number {directive} ends with an invalid character"
                            + (f" '{s[i]}'" if " " <= s[i] <= "~" else "") + " instead of '}'.")
    return number, i + 1


def parse_csharp(scan: Scan) -> int:
    """How many arguments a ``csharp-format`` string asks for: one more than its highest
    argument number."""
    s = scan.s
    count = i = 0
    while s[i] != "\0":
        i += 1
        char = s[i - 1]
        if char not in "{}":
            continue
        scan.marks.set(i - 1, START)
        if s[i] == char:
            i += 1
        elif char == "}":
            raise scan.error(_error_at(scan, i), "The string starts in the middle of a"
                                                 " directive: found '}' without matching '{'."
                             if not scan.directives else "The string contains a lone '}'"
                             f" after directive number {scan.directives}.")
        else:
            scan.directives += 1
            number, i = _directive(scan, i)
            if count <= number:
                count = (number + 1) & _UINT
        scan.marks.set(i - 1, END)
    return count


def check_csharp(msgid: int, msgstr: int, equality: bool, pretty_msgid: str,
                 pretty_msgstr: str) -> str | None:
    """GNU's check of two ``csharp-format`` strings: as many arguments (or, relaxed, no
    more)."""
    if msgid != msgstr if equality else msgid < msgstr:
        return count_differs(pretty_msgid, pretty_msgstr)
    return None


CSHARP = Language("csharp", "C#", parse_csharp, check_csharp)
