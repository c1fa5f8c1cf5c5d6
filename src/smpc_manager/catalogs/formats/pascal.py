"""Object Pascal format strings (``object-pascal-format``) as GNU gettext 0.21 reads them
(``format-pascal.c``), Free Pascal's and Delphi's ``Format``.

A directive is ``%%`` or ``%``, an index (``n:`` for argument n counted from 0, or ``*:``
for one read from an argument), ``-``, a width and a precision (a number or ``*``, an
integer argument) and a conversion in either case: ``d u x`` (an integer), ``e f g n m`` (a
float), ``s`` (a string) or ``p`` (a pointer). An argument without an index is the next
after the last one without an index.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    Language,
    Scan,
    check_arguments,
    each_directive,
    end_error,
    is_digit,
    merged,
    number_at,
)

_TYPES = {**dict.fromkeys("dux", "integer"), **dict.fromkeys("efgnm", "float"),
          "s": "string", "p": "pointer"}


class _Arguments:
    """The arguments so far, and the next one without an index."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, str]] = []
        self.next = 0

    def take(self, kind: str, number: int | None = None) -> None:
        if number is None:
            number, self.next = self.next, self.next + 1
        self.taken.append((number, kind))


def _directive(scan: Scan, i: int, arguments: _Arguments) -> int:
    """Read the directive whose ``%`` is at ``s[i - 1]`` (not ``%%``); return the index of
    its conversion."""
    s = scan.s
    index: int | None = None
    unknown = False
    if is_digit(s[i]) or s[i] == ":":
        number, end = number_at(s, i)
        if s[end] == ":":
            index, i = number, end + 1
    elif s[i] == "*" and s[i + 1] == ":":
        unknown, i = True, i + 2
    i += s[i] == "-"
    for part in ("width", "precision"):
        if part == "precision":
            if s[i] != ".":
                break
            i += 1
            if not (is_digit(s[i]) or s[i] == "*"):
                i -= 1  # the '.' is then the directive's end, and no conversion
                break
        if s[i] == "*":
            arguments.take("integer")
            i += 1
        else:
            while is_digit(s[i]):
                i += 1
    kind = _TYPES.get(s[i].lower())
    if kind is None:
        raise end_error(scan, i)
    if unknown:
        arguments.take("integer")
    else:
        arguments.take(kind, index)
    return i


def parse_pascal(scan: Scan) -> dict[int, str]:
    """The arguments of an ``object-pascal-format`` string, by number (from 0)."""
    arguments = _Arguments()
    each_directive(scan, lambda i: _directive(scan, i, arguments))
    return merged(sorted(arguments.taken))


PASCAL = Language("object-pascal", "Object Pascal", parse_pascal, check_arguments)
