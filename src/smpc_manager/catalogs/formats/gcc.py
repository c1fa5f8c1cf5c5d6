"""GCC's own format strings (``gcc-internal-format``, ``gfc-internal-format``) as GNU gettext
0.21 reads them (``format-gcc-internal.c``, ``format-gfc-internal.c``).

GCC's diagnostics take ``%%``, ``%<``, ``%>``, ``%'`` and ``%m`` (errno's message) without
an argument; any other directive is ``%`` or ``%m$``, flags (``q``, ``l`` or ``ll`` or
``w``, ``+``, ``#``, each once) and a conversion: ``c``, ``s``, ``.NNNs``, ``.*s`` (with an
integer argument before it, numbered ``m - 1`` in a numbered string), ``i d``, ``o u x``,
``p``, ``H``, and the trees and codes ``J K D F T E A C L O P Q V``. GNU Fortran's take
``%%``, ``%C`` (the current locus: an argument in the numbering, but none to pass), ``%L``,
``%c``, ``%s``, ``%d``/``%i``/``%u`` (``l`` for long), each ``%`` or ``%m$``. A translation
must use ``%m`` (``%C``) where the msgid does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smpc_manager.catalogs.formats.base import (
    UNTERMINATED,
    Arguments,
    FormatError,
    Language,
    Scan,
    argument_number,
    check_arguments,
    check_count,
    each_directive,
    end_error,
    merged,
    number_at,
)

_TREES = {"J": "declaration", "K": "statement", "D": "declaration",
          "F": "function declaration", "T": "type", "E": "expression", "A": "argument list",
          "C": "tree code", "L": "languages", "O": "binary operator", "P": "parameter",
          "Q": "assignment operator", "V": "qualifiers", "p": "pointer", "H": "location"}


@dataclass
class GccSpec:
    """The arguments a GCC diagnostic asks for, by number, and whether it uses ``%m``."""

    arguments: dict[int, str] = field(default_factory=dict)
    errno: bool = False


def _flags(scan: Scan, i: int) -> tuple[str, int]:
    """The flags at ``s[i]``: the size they give (``l``, ``ll``, ``w``), and the index
    after them."""
    s = scan.s
    seen = ""
    while s[i] in "qlw+#":
        char = s[i]
        repeated = char in seen and not (char == "l" and seen.count("l") == 1)
        exclusive = (char == "l" and "w" in seen) or (char == "w" and "l" in seen)
        if repeated or exclusive:
            raise scan.error(i, f"In the directive number {scan.directives}, the flags"
                                " combination is invalid.")
        seen += char
        i += 1
    return {2: "long long ", 1: "long "}.get(seen.count("l"), "wide " if "w" in seen else ""), i


def _precision(scan: Scan, i: int, number: int, arguments: Arguments) -> int:
    """The precision whose ``.`` is at ``s[i - 1]``, before an ``s``; return the index of
    the ``s``."""
    s, directive = scan.s, scan.directives
    if "0" <= s[i] <= "9":
        while "0" <= s[i] <= "9":
            i += 1
        what = "a precision is not allowed"
    elif s[i] == "*":
        i += 1
        precision, end = number_at(s, i) if "0" <= s[i] <= "9" else (0, i)
        if end > i and s[end] == "$":
            if precision == 0:
                raise scan.error(end, f"In the directive number {directive}, the width's"
                                      " argument number 0 is not a positive integer.")
            if arguments.unnumbered or number == 0:
                raise scan.error(end, "The string refers to arguments both through absolute"
                                      " argument numbers and through unnumbered argument"
                                      " specifications.")
            if precision != number - 1:
                raise scan.error(end, f"In the directive number {directive}, the argument"
                                      " number for the precision must be equal to"
                                      f" {number - 1}.")
            i = end + 1
        else:
            precision = 0
        arguments.take(scan, precision, "integer", i - 1)
        what = "a precision specification is not allowed"
    else:
        raise scan.error(i - 1 if s[i] == "\0" else i, f"In the directive number {directive},"
                                                       " the precision specification is"
                                                       " invalid.")
    if s[i] != "s":
        if s[i] == "\0":
            raise scan.error(i - 1, UNTERMINATED)
        raise scan.error(i, f"In the directive number {directive}, {what} before '{s[i]}'.")
    return i


def _gcc_directive(scan: Scan, i: int, arguments: Arguments) -> int:
    """Read the directive whose ``%`` is at ``s[i - 1]`` (one that takes an argument);
    return the index of its conversion."""
    s = scan.s
    number, i = argument_number(scan, i)
    size, i = _flags(scan, i)
    char = s[i]
    if char in "cs":
        kind = "character" if char == "c" else "string"
    elif char == ".":
        i = _precision(scan, i + 1, number, arguments)
        kind = "string"
    elif char in "id":
        kind = size + "integer"
    elif char in "oux":
        kind = size + "unsigned integer"
    elif char in _TREES:
        kind = _TREES[char]
    else:
        raise end_error(scan, i)
    arguments.take(scan, number, kind, i)
    return i


def parse_gcc(scan: Scan) -> GccSpec:
    """The arguments of a ``gcc-internal-format`` string."""
    spec, arguments = GccSpec(), Arguments()

    def directive(i: int) -> int:
        if scan.s[i] == "m":
            spec.errno = True
        elif scan.s[i] not in "<>'":
            i = _gcc_directive(scan, i, arguments)
        return i

    each_directive(scan, directive)
    spec.arguments = dict(enumerate(arguments.unnumbered, 1)) if arguments.unnumbered \
        else merged(sorted(arguments.numbered))
    return spec


def check_gcc(msgid: GccSpec, msgstr: GccSpec, equality: bool, pretty_msgid: str,
              pretty_msgstr: str) -> str | None:
    """GNU's check of two ``gcc-internal-format`` strings."""
    problem = check_arguments(msgid.arguments, msgstr.arguments, equality, pretty_msgid,
                              pretty_msgstr)
    if problem is None and msgid.errno != msgstr.errno:
        problem = (f"'{pretty_msgid}' uses %m but '{pretty_msgstr}' doesn't" if msgid.errno
                   else f"'{pretty_msgid}' does not use %m but '{pretty_msgstr}' uses %m")
    return problem


GCC_INTERNAL = Language("gcc-internal", "GCC internal", parse_gcc, check_gcc)

_GFC = {"C": "", "L": "locus", "c": "character", "s": "string", "i": "integer",
        "d": "integer", "u": "unsigned integer"}


def parse_gfc(scan: Scan) -> GccSpec:
    """The arguments of a ``gfc-internal-format`` string, in order (``errno``: it uses
    ``%C``)."""
    s = scan.s
    spec = GccSpec()
    taken: list[tuple[int, str]] = []
    number = 1

    def directive(i: int) -> int:
        nonlocal number
        given, i = argument_number(scan, i)
        number = given or number
        long = s[i] == "l" and s[i + 1] in "idu"
        i += long
        if s[i] not in _GFC:
            raise end_error(scan, i)
        spec.errno = spec.errno or s[i] == "C"
        taken.append((number, ("long " if long else "") + _GFC[s[i]]))
        number += 1
        return i

    each_directive(scan, directive)
    found = merged(sorted(taken))
    for expected, given in enumerate(sorted(found), 1):
        if given != expected:
            raise FormatError(f"The string refers to argument number {given} but ignores"
                              f" argument number {expected}.")
    spec.arguments = dict(enumerate((kind for _, kind in sorted(found.items()) if kind), 1))
    return spec


def check_gfc(msgid: GccSpec, msgstr: GccSpec, equality: bool, pretty_msgid: str,
              pretty_msgstr: str) -> str | None:
    """GNU's check of two ``gfc-internal-format`` strings."""
    problem = check_count(list(msgid.arguments.values()), list(msgstr.arguments.values()),
                          equality, pretty_msgid, pretty_msgstr)
    if problem is None and msgid.errno != msgstr.errno:
        problem = (f"'{pretty_msgid}' uses %C but '{pretty_msgstr}' doesn't" if msgid.errno
                   else f"'{pretty_msgid}' does not use %C but '{pretty_msgstr}' uses %C")
    return problem


GFC_INTERNAL = Language("gfc-internal", "GFC internal", parse_gfc, check_gfc)
