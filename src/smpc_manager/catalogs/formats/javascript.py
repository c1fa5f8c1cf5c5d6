"""JavaScript format strings (``javascript-format``) as GNU gettext 0.21 reads them
(``format-javascript.c``), the ``printf`` of Gjs and its kin.

A directive is ``%`` or ``%m$``, flags (``-+ 0I``), a width, a precision and one of ``c``
(a character), ``s`` (a string), ``bdoxX`` (an integer), ``f`` (a float) or ``j`` (any
value, as JSON); ``%%`` is a percent sign. Numbered and unnumbered arguments do not mix.
Where the check is relaxed, ``%j`` agrees with any type.
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
    is_digit,
    merged,
)

NONE, ANY, CHARACTER, STRING, INTEGER, FLOAT = range(6)
_TYPES = {"%": NONE, "c": CHARACTER, "s": STRING, "f": FLOAT, "j": ANY,
          **dict.fromkeys("bdoxX", INTEGER)}


def parse_javascript(scan: Scan) -> dict[int, int]:
    """The arguments of a ``javascript-format`` string, by number."""
    s = scan.s
    arguments = Arguments()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        number, i = argument_number(scan, i)
        while s[i] in "-+ 0I":
            i += 1
        while is_digit(s[i]):
            i += 1
        if s[i] == ".":
            i += 1
            while is_digit(s[i]):
                i += 1
        kind = _TYPES.get(s[i])
        if kind is None:
            raise end_error(scan, i)
        if kind != NONE:
            arguments.take(scan, number, kind, i)
        scan.marks.set(i, END)
        i += 1
    if arguments.unnumbered:
        return dict(enumerate(arguments.unnumbered, 1))
    return merged(sorted(arguments.numbered))


def check_javascript(msgid: dict[int, int], msgstr: dict[int, int], equality: bool,
                     pretty_msgid: str, pretty_msgstr: str) -> str | None:
    """GNU's check of two ``javascript-format`` strings."""
    # GNU compares the translation's type by the msgid's index among the arguments, which
    # is the translation's own index only where it leaves none of the msgid's out (and
    # past its end no type at all).
    theirs = dict(msgstr)
    ours_numbers = sorted(msgid)
    theirs_numbers = sorted(msgstr)
    for position, number in enumerate(ours_numbers):
        if number in theirs:
            theirs_at = theirs_numbers[position] if position < len(theirs_numbers) else None
            if not equality and msgid[number] != msgstr[number] and \
                    (msgid[number] == ANY or (theirs_at is not None
                                              and msgstr[theirs_at] == ANY)):
                theirs[number] = msgid[number]
    return check_arguments(msgid, theirs, equality, pretty_msgid, pretty_msgstr)


JAVASCRIPT = Language("javascript", "JavaScript", parse_javascript, check_javascript)
