"""Lua format strings (``lua-format``) as GNU gettext 0.21 reads them (``format-lua.c``).

A directive is ``%``, a width and a precision (digits; GNU reads no flags) and one of ``c``
(a character), ``diouxX`` (an integer), ``aAeEfgG`` (a float), ``s`` or ``q`` (a string,
quoted); ``%%`` is a percent sign. Lua has one number type, but a translation must still
use each argument as the msgid does, in order, and all of them: GNU's check is always
strict here.
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    ERROR,
    Language,
    Scan,
    check_arguments,
    conversion_error,
    each_directive,
    end_error,
    is_digit,
)

_TYPES = {"c": "character", "s": "string", "q": "escaped string",
          **dict.fromkeys("dioxXu", "integer"), **dict.fromkeys("aAeEfgG", "float")}


def parse_lua(scan: Scan) -> list[str]:
    """The types of the arguments a ``lua-format`` string asks for, in order."""
    s = scan.s
    arguments: list[str] = []

    def directive(i: int) -> int:
        while is_digit(s[i]):
            i += 1
        if s[i] == ".":
            i += 1
            while is_digit(s[i]):
                i += 1
        kind = _TYPES.get(s[i])
        if kind is None:
            if s[i] == "\0":
                raise end_error(scan, i)
            # GNU numbers the directive by the arguments before it, plus one.
            scan.marks.set(i, ERROR)
            raise conversion_error(len(arguments) + 1, s[i])
        arguments.append(kind)
        return i

    each_directive(scan, directive)
    return arguments


def check_lua(msgid: list[str], msgstr: list[str], equality: bool, pretty_msgid: str,
              pretty_msgstr: str) -> str | None:
    """GNU's check of two ``lua-format`` strings: always strict."""
    return check_arguments(dict(enumerate(msgid, 1)), dict(enumerate(msgstr, 1)), True,
                           pretty_msgid, pretty_msgstr)


LUA = Language("lua", "Lua", parse_lua, check_lua)
