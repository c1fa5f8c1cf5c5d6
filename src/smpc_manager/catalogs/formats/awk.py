"""awk format strings (``awk-format``) as GNU gettext 0.21 reads them (``format-awk.c``),
gawk's ``printf``.

A directive is ``%`` or ``%m$``, flags (``#0- +``), a width and a precision (a number,
``*`` or ``*m$``), and a conversion: ``c`` (a character), ``s`` (a string), ``i d`` (an
integer), ``o u x X`` (an unsigned integer) or ``e E f g G`` (a float); ``%%`` is a
percent sign. Numbered and unnumbered arguments do not mix.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    Arguments,
    Language,
    Scan,
    argument_number,
    check_arguments,
    end_error,
    merged,
    star,
)

_TYPES = {"%": None, "c": "character", "s": "string", "i": "integer", "d": "integer",
          **dict.fromkeys("ouxX", "unsigned integer"), **dict.fromkeys("eEfgG", "float")}


def parse_awk(scan: Scan) -> dict[int, str]:
    """The arguments of an ``awk-format`` string, by number."""
    s = scan.s
    arguments = Arguments()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        number, i = argument_number(scan, i)
        while s[i] in " +-#0":
            i += 1
        i = star(scan, i, arguments, "integer", "width's argument")
        if s[i] == ".":
            i = star(scan, i + 1, arguments, "integer", "precision's argument")
        if s[i] not in _TYPES:
            raise end_error(scan, i)
        kind = _TYPES[s[i]]
        if kind is not None:
            arguments.take(scan, number, kind, i)
        scan.marks.set(i, END)
        i += 1
    if arguments.unnumbered:
        return dict(enumerate(arguments.unnumbered, 1))
    return merged(sorted(arguments.numbered))


AWK = Language("awk", "awk", parse_awk, check_arguments)
