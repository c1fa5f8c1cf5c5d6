"""PHP format strings (``php-format``) as GNU gettext 0.21 reads them (``format-php.c``).

A directive is ``%`` or ``%m$``, flags (``0``, ``-``, a space, or ``'`` and a padding
character), a width, a precision, an ignored ``l``, and one of ``bduoxX`` (an integer),
``ef`` (a float), ``c`` or ``s``; ``%%`` is a percent sign. Numbered and unnumbered
arguments may mix: an unnumbered one takes the next argument.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    UNTERMINATED,
    Language,
    Scan,
    check_arguments,
    each_directive,
    end_error,
    is_digit,
    merged,
    number_at,
)

_TYPES = {**dict.fromkeys("bduoxX", "integer"), "e": "float", "f": "float",
          "c": "character", "s": "string"}


def _flags(scan: Scan, i: int) -> int:
    """The flags at ``s[i]``; return the index after them."""
    s = scan.s
    while True:
        if s[i] in "0- ":
            i += 1
        elif s[i] == "'":
            i += 1
            if s[i] == "\0":
                raise scan.error(i - 1, UNTERMINATED)
            i += 1
        else:
            return i


def parse_php(scan: Scan) -> dict[int, str]:
    """The arguments of a ``php-format`` string, by number."""
    s = scan.s
    taken: list[tuple[int, str]] = []
    unnumbered = 0

    def directive(i: int) -> int:
        nonlocal unnumbered
        unnumbered += 1
        number = unnumbered
        if is_digit(s[i]):
            given, end = number_at(s, i)
            if s[end] == "$":
                if given == 0:
                    raise scan.error(end, f"In the directive number {scan.directives},"
                                          " the argument number 0 is not a positive"
                                          " integer.")
                number, i = given, end + 1
                unnumbered -= 1
        i = _flags(scan, i)
        while is_digit(s[i]):
            i += 1
        if s[i] == "." and is_digit(s[i + 1]):
            i += 1
            while is_digit(s[i]):
                i += 1
        if s[i] == "l":
            i += 1
        kind = _TYPES.get(s[i])
        if kind is None:
            raise end_error(scan, i)
        taken.append((number, kind))
        return i

    each_directive(scan, directive)
    return merged(sorted(taken))


PHP = Language("php", "PHP", parse_php, check_arguments)
