"""Shell format strings (``sh-format``) as GNU gettext 0.21 reads them (``format-sh.c``),
the strings ``envsubst`` fills in.

A directive is ``$name`` or ``${name}``, an ASCII name not starting with a digit. Anything
else after a ``$`` is an error: ``$1``, ``$$``, a non-ASCII name, and the shell's
``${name-default}`` forms, which a translator could use to change a value. A translation
uses the msgid's names (with ``equality``, all of them).
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    UNTERMINATED,
    Language,
    Scan,
    check_arguments,
    is_alpha,
    is_digit,
    is_word,
    shown,
)

_NON_ASCII = "The string refers to a shell variable with a non-ASCII name."
_COMPLEX = ("The string refers to a shell variable with complex shell brace syntax. This"
            " syntax is unsupported here due to security reasons.")
_CONTEXT = ("The string refers to a shell variable whose value may be different inside shell"
            " functions.")


def _braced(scan: Scan, i: int) -> tuple[str, int]:
    """The name of ``${name}`` whose ``{`` is at ``s[i - 1]``, and the index after the
    ``}``."""
    s = scan.s
    start = i
    while s[i] not in "\0}":
        char = s[i]
        if char >= "\x80":
            raise scan.error(i, _NON_ASCII)
        if i > start and char in "-=+?:":
            raise scan.error(i, _COMPLEX)
        if not is_word(char) or (i == start and is_digit(char)):
            raise scan.error(i, _CONTEXT)
        i += 1
    if s[i] == "\0":
        raise scan.error(i - 1, UNTERMINATED)
    if i == start:
        raise scan.error(i, "The string refers to a shell variable with an empty name.")
    return s[start:i], i + 1


def parse_sh(scan: Scan) -> dict[str, None]:
    """The variables a ``sh-format`` string names."""
    s = scan.s
    names: dict[str, None] = {}
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "$":
            continue
        scan.directive(i - 1)
        if s[i] == "{":
            name, i = _braced(scan, i + 1)
        elif is_alpha(s[i]) or s[i] == "_":
            start = i
            while is_word(s[i]):
                i += 1
            name = s[start:i]
        elif s[i] == "\0":
            raise scan.error(i - 1, UNTERMINATED)
        else:
            raise scan.error(i, _NON_ASCII if s[i] >= "\x80" else _CONTEXT)
        names[name] = None
        scan.marks.set(i - 1, END)
    return names


def check_sh(msgid: dict[str, None], msgstr: dict[str, None], equality: bool,
             pretty_msgid: str, pretty_msgstr: str) -> str | None:
    """GNU's check of two ``sh-format`` strings."""
    return check_arguments(msgid, msgstr, equality, pretty_msgid, pretty_msgstr,
                           label=lambda name: f"'{shown(name)}'")


SH = Language("sh", "Shell", parse_sh, check_sh)
