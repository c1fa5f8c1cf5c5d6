"""Java ``MessageFormat`` strings (``java-format``) as GNU gettext 0.21 reads them
(``format-java.c``).

A directive is ``{n}``, ``{n,time}`` or ``{n,date}`` (with a style), ``{n,number}`` (with a
style or a ``DecimalFormat`` pattern) or ``{n,choice,...}``, whose choices are message
formats themselves; text between single quotes is literal (``''`` is a quote), and a lone
``}`` is an error. A ``number`` or ``choice`` asks for a number, ``time`` and ``date`` for a
date, a plain ``{n}`` for any object. A translation uses the msgid's argument numbers (with
``equality``, all of them), each of the same type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smpc_manager.catalogs.formats.base import (
    END,
    ERROR,
    START,
    FormatError,
    Language,
    Marks,
    Scan,
    check_arguments,
    is_digit,
    merged,
    number_at,
)

NONE, OBJECT, NUMBER, DATE = range(4)
_HEX = "0123456789abcdefABCDEF"
_LE = "\\u2264"  # the choice separator ≤, as Java source writes it


@dataclass
class _Spec:
    """The arguments found so far, in this string and the choices inside it."""

    directives: int = 0
    arguments: list[tuple[int, int]] = field(default_factory=list)


def _quote(s: str, i: int, quoting: bool) -> tuple[int, bool]:
    """GNU's ``HANDLE_QUOTE``: a quote at ``s[i]`` is skipped and toggles quoting, unless
    it is the first of ``''``."""
    if s[i] == "'":
        i += 1
        if s[i] != "'":
            quoting = not quoting
    return i, quoting


def _skip(s: str, i: int) -> int:
    """The index after the character at ``s[i]``, a ``\\uXXXX`` or ``\\x`` escape whole."""
    if s[i] != "\\":
        return i + 1
    if s[i + 1] == "u" and all(char in _HEX for char in s[i + 2:i + 6]):
        return i + 6
    return i + 2


def _number_format(s: str) -> bool:
    """Whether ``s`` (NUL-ended) is a ``DecimalFormat`` pattern, as GNU checks it."""
    i, quoting = _quote(s, 0, False)

    def digits(i: int, quoting: bool, chars: str, commas: bool) -> tuple[int, bool]:
        while not quoting and s[i] in chars:
            i, quoting = _quote(s, i + 1, quoting)
            if commas and not quoting and s[i] == ",":
                i, quoting = _quote(s, i + 1, quoting)
        return i, quoting

    while True:
        while s[i] != "\0" and (quoting or s[i] not in "0#"):
            i, quoting = _quote(s, _skip(s, i), quoting)
        if quoting or s[i] not in "0#":
            return False
        i, quoting = digits(i, quoting, "#", True)
        i, quoting = digits(i, quoting, "0", True)
        if not quoting and s[i] == ".":
            i, quoting = _quote(s, i + 1, quoting)
            i, quoting = digits(i, quoting, "0", False)
            i, quoting = digits(i, quoting, "#", False)
        if not quoting and s[i] == "E":
            after, quoted = _quote(s, i + 1, quoting)
            if not quoted and s[after] == "0":
                i, quoting = digits(after, quoted, "0", False)
        while s[i] != "\0" and (quoting or s[i] != ";"):
            i, quoting = _quote(s, _skip(s, i), quoting)
        if quoting or s[i] != ";":
            return s[i] == "\0"


def _choice_format(s: str, spec: _Spec) -> None:
    """Check a ``ChoiceFormat`` pattern (NUL-ended), its messages read into ``spec``."""
    i, quoting = _quote(s, 0, False)
    if s[i] == "\0":
        return
    while True:
        start = i
        while s[i] != "\0" and (quoting or not (s[i] in "<#|" or s.startswith(_LE, i))):
            i, quoting = _quote(s, _skip(s, i), quoting)
        if s[i] == "\0":
            return
        if i == start:
            raise FormatError(f"In the directive number {spec.directives}, a choice contains"
                              " no number.")
        if s[i] in "<#":
            i += 1
        elif s.startswith(_LE, i):
            i += len(_LE)
        else:
            raise FormatError(f"In the directive number {spec.directives}, a choice contains a"
                              " number that is not followed by '<', '#' or '\\u2264'.")
        i, quoting = _quote(s, i, quoting)
        message: list[str] = []
        while s[i] != "\0" and (quoting or s[i] != "|"):
            message.append(s[i])
            i, quoting = _quote(s, i + 1, quoting)
        text = "".join(message)
        _message_format(text + "\0" * 8, Marks(len(text)), spec)
        if s[i] == "\0":
            return
        i, quoting = _quote(s, i + 1, quoting)


def _element(element: str, spec: _Spec) -> tuple[int, int]:
    """The argument number and type of a directive's text between its braces; raise
    :class:`FormatError` if it is none."""
    directive = spec.directives
    if not is_digit(element[0]):
        raise FormatError(f"In the directive number {directive}, '{{' is not followed by an"
                          " argument number.")
    number, i = number_at(element, 0)
    rest = element[i:].split("\0", 1)[0]
    for keyword, kind, styles in ((",time", DATE, ("short", "medium", "long", "full")),
                                  (",date", DATE, ("short", "medium", "long", "full")),
                                  (",number", NUMBER, ("currency", "percent", "integer")),
                                  (",choice", NUMBER, None)):
        if not rest.startswith(keyword):
            continue
        style = rest[len(keyword):]
        if not style:
            return number, kind
        if not style.startswith(","):
            raise FormatError(f"In the directive number {directive}, \"{keyword[1:]}\" is not"
                              " followed by a comma.")
        style = style[1:]
        if styles is None:
            _choice_format(style + "\0" * 8, spec)
        elif kind == NUMBER and style not in styles and not _number_format(style + "\0" * 8):
            raise FormatError(f"In the directive number {directive}, the substring"
                              f" \"{style}\" is not a valid number style.")
        return number, kind
    if rest:
        raise FormatError(f"In the directive number {directive}, the argument number is not"
                          ' followed by a comma and one of "time", "date", "number", "choice".')
    return number, OBJECT


def _message_format(s: str, marks: Marks, spec: _Spec) -> None:
    """Read a ``MessageFormat`` pattern (NUL-ended) into ``spec``, marking ``marks``."""
    i, quoting = 0, False
    while True:
        i, quoting = _quote(s, i, quoting)
        if not quoting and s[i] == "{":
            marks.set(i, START)
            spec.directives += 1
            start = i = i + 1
            depth = 0
            while s[i] != "\0" and not (s[i] == "}" and depth == 0):
                depth += 1 if s[i] == "{" else -1 if s[i] == "}" else 0
                i += 1
            if s[i] == "\0":
                marks.set(i - 1, ERROR)
                raise FormatError("The string ends in the middle of a directive: found '{'"
                                  " without matching '}'.")
            i += 1
            try:
                spec.arguments.append(_element(s[start:i - 1] + "\0", spec))
            except FormatError:
                marks.set(i - 1, ERROR)
                raise
            marks.set(i - 1, END)
        elif not quoting and s[i] == "}":
            marks.set(i, START | ERROR)
            raise FormatError("The string starts in the middle of a directive: found '}'"
                              " without matching '{'.")
        elif s[i] != "\0":
            i += 1
        else:
            return


def parse_java(scan: Scan) -> dict[int, int]:
    """The arguments of a ``java-format`` string, by number."""
    spec = _Spec()
    _message_format(scan.s, scan.marks, spec)
    return merged(sorted(spec.arguments),
                  lambda a, b: a if b in (a, OBJECT) else b if a == OBJECT else None)


def check_java(msgid: dict[int, int], msgstr: dict[int, int], equality: bool,
               pretty_msgid: str, pretty_msgstr: str) -> str | None:
    """GNU's check of two ``java-format`` strings."""
    return check_arguments(msgid, msgstr, equality, pretty_msgid, pretty_msgstr,
                           label=lambda number: f"{{{number}}}")


JAVA = Language("java", "Java MessageFormat", parse_java, check_java)
