"""Format strings in translations, checked as ``msgfmt --check`` checks them.

An entry flagged ``c-format``, ``python-format`` or ``python-brace-format`` is a format
string: a translation that asks for other arguments than its msgid would fail or lie at run
time, and GNU ``msgfmt --check`` refuses the catalog. These are GNU gettext 0.21's parsers
and comparisons for those languages (``format-c.c``, ``format-python.c``,
``format-python-brace.c``); a msgid that is no valid format string is not checked, as GNU
does not check it. The other languages GNU knows are not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field

from smpc_manager.catalogs.syntax import FORMAT_LANGUAGES


class FormatError(Exception):
    """A string that is no valid format string of its language."""


# ------------------------------------------------------------------------ Python: %(name)s


@dataclass
class PythonSpec:
    """The arguments a Python ``%`` format asks for: by name, or by position."""

    named: dict[str, str] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)


_PYTHON_TYPES = {"%": "none", "c": "character", "s": "string", "r": "string",
                 **dict.fromkeys("iduoxX", "integer"), **dict.fromkeys("eEfgG", "float")}


def _python_width(text: str, i: int, spec: PythonSpec, named: bool) -> tuple[int, bool]:
    """Read a directive's width and precision from ``text[i]`` (a ``*`` asks for an integer
    argument); return where they end and whether the precision is zero."""
    zero_precision = False
    for part in ("width", "precision"):
        if part == "precision":
            if text[i:i + 1] != ".":
                break
            i += 1
        if text[i:i + 1] == "*":
            i += 1
            if named:
                raise FormatError("the string mixes named and unnamed arguments")
            spec.unnamed.append("integer")
        else:
            digits = re.match(r"[0-9]*", text[i:])
            assert digits is not None
            if part == "precision" and digits.group(0):
                zero_precision = set(digits.group(0)) == {"0"}
            i += len(digits.group(0))
    return i, zero_precision


def parse_python(text: str, spans: list[tuple[int, int]] | None = None) -> PythonSpec:
    """The arguments of a ``python-format`` string; each directive's first and last index
    is added to ``spans`` as it is read."""
    spec = PythonSpec()
    named: list[tuple[str, str]] = []
    i = 0
    while (i := text.find("%", i)) >= 0:
        begin = i
        i += 1
        name = None
        if text[i:i + 1] == "(":
            depth, start = 0, i + 1
            i = start
            while i < len(text) and not (text[i] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            if i >= len(text):
                raise FormatError("the string ends in the middle of a directive")
            name, i = text[start:i], i + 1
        while text[i:i + 1] in ("-", "+", " ", "#", "0"):
            i += 1
        i, zero_precision = _python_width(text, i, spec, bool(named))
        if text[i:i + 1] in ("h", "l", "L"):
            i += 1
        if i >= len(text):
            raise FormatError("the string ends in the middle of a directive")
        kind = _PYTHON_TYPES.get(text[i])
        if kind is None:
            raise FormatError(f"{text[i]!r} is not a conversion")
        if kind == "string" and zero_precision:
            kind = "any"
        if name is not None:
            if spec.unnamed:
                raise FormatError("the string mixes named and unnamed arguments")
            named.append((name, kind))
        elif text[i] != "%":
            if named:
                raise FormatError("the string mixes named and unnamed arguments")
            spec.unnamed.append(kind)
        if spans is not None:
            spans.append((begin, i))
        i += 1
    for name, kind in named:
        known = spec.named.get(name)
        if known is None or known == "any":
            spec.named[name] = kind
        elif kind not in (known, "any"):
            raise FormatError(f"the argument {name!r} is used in incompatible ways")
    return spec


def check_python(msgid: PythonSpec, msgstr: PythonSpec, equality: bool) -> str | None:
    """Why the translation's arguments do not fit the msgid's (None: they fit)."""
    if msgid.named and msgstr.unnamed:
        return "the msgid's format asks for a mapping, the translation's for a tuple"
    if msgid.unnamed and msgstr.named:
        return "the msgid's format asks for a tuple, the translation's for a mapping"
    for name in sorted(msgstr.named):
        if name not in msgid.named:
            return f"the translation's %({name}) is not in the msgid"
    if equality:
        for name in sorted(msgid.named):
            if name not in msgstr.named:
                return f"the msgid's %({name}) is missing in the translation"
    for name, kind in sorted(msgstr.named.items()):
        theirs = msgid.named[name]
        if kind != theirs and (equality or "any" not in (kind, theirs)):
            return f"%({name}) has another conversion in the translation"
    if msgid.unnamed or msgstr.unnamed:
        if len(msgid.unnamed) != len(msgstr.unnamed):
            return (f"the msgid has {len(msgid.unnamed)} format directives, the translation"
                    f" {len(msgstr.unnamed)}")
        for number, (ours, theirs) in enumerate(zip(msgid.unnamed, msgstr.unnamed,
                                                    strict=True), 1):
            if ours != theirs and (equality or "any" not in (ours, theirs)):
                return f"format directive {number} has another conversion in the translation"
    return None


# ------------------------------------------------------------------------ Python: {name}


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STANDARD_SPEC = re.compile(r"(?:.[<>=^]|[<>=^])?[-+ ]?#?0?[0-9]*(?:\.[0-9]*)?[bcdoxXneEfFgG%]?",
                            re.DOTALL)


class _BraceError(FormatError):
    """A directive that is not valid, at ``position`` of the directive opened at
    ``start``."""

    def __init__(self, reason: str, start: int, position: int) -> None:
        super().__init__(reason)
        self.start = start
        self.position = position


def _brace_directive(text: str, i: int, top: bool, names: list[tuple[int, int]]) -> int:
    """Read the directive at ``text[i] == "{"``; return where it ends. A top-level one's
    braces are added to ``names``."""
    if text[i + 1:i + 2] == "{":
        return i + 2
    opening = i
    start = i = i + 1
    found = _FIELD.match(text, i)
    if found is None:
        raise _BraceError("a directive starts with no field name", opening, i)
    i = found.end()
    while text[i:i + 1] in (".", "["):
        bracket = text[i] == "["
        found = (_FIELD if bracket else _NAME).match(text, i + 1)
        if found is None:
            raise _BraceError("an attribute or index starts with no name", opening, i + 1)
        i = found.end()
        if bracket:
            if text[i:i + 1] != "]":
                raise _BraceError("an index is not closed", opening, i + 1)
            i += 1
    if text[i:i + 1] == ":":
        if not top:
            raise _BraceError("a format specifier is nested too deep", opening, i)
        i += 1
        if text[i:i + 1] == "{":
            i = _brace_directive(text, i, False, names)
        else:
            spec = _STANDARD_SPEC.match(text, i)
            assert spec is not None
            i = spec.end()
    if text[i:i + 1] != "}":
        raise _BraceError("a directive is not closed", opening, i)
    if top:
        names.append((start - 1, i))
    return i + 1


def _brace_directives(text: str) -> tuple[list[tuple[int, int]], _BraceError | None]:
    """The braces of each top-level directive of ``text``, and the error that ended the
    reading, if one did."""
    directives: list[tuple[int, int]] = []
    i = 0
    try:
        while i < len(text):
            i = _brace_directive(text, i, True, directives) if text[i] == "{" else i + 1
    except _BraceError as err:
        return directives, err
    return directives, None


def parse_python_brace(text: str) -> set[str]:
    """The names a ``python-brace-format`` string asks for (with what follows them up to
    the closing brace, as GNU compares them)."""
    directives, error = _brace_directives(text)
    if error is not None:
        raise error
    return {text[first + 1:last] for first, last in directives}


def python_brace_spans(text: str) -> list[tuple[int, int]]:
    """Where GNU gettext 0.21 keeps a ``python-brace-format`` string from being broken.

    Its parser marks each directive's start and end relative to the directive, not to the
    string (``FDI_SET`` against the directive's own ``format_start``), so every mark lands
    near the start of the string: what it protects is the string's first bytes, up to the
    first end (or error) marked, in bytes as GNU counts them. To write what it writes,
    this does the same.
    """
    directives, error = _brace_directives(text)
    if not directives:
        return []

    def size(first: int, last: int) -> int:
        return len(text[first:last].encode("utf-8"))

    ends = [size(first, last) for first, last in directives]
    if error is not None:
        failed = size(error.start, error.position)
        if failed <= min(ends):
            return []  # an error mark comes first: GNU protects nothing
    end = min(ends)
    offset = last = 0
    for i, char in enumerate(text):
        if offset > end:
            break
        last, offset = i, offset + len(char.encode("utf-8"))
    return [(0, last)]


def check_python_brace(msgid: set[str], msgstr: set[str], equality: bool) -> str | None:
    """Why the translation's fields do not fit the msgid's (None: they fit)."""
    if equality:
        for name in sorted(msgid ^ msgstr):
            where = "translation" if name in msgid else "msgid"
            return f"{{{name}}} is missing in the {where}"
    return None


# ------------------------------------------------------------------------ the checks


def python_spans(text: str) -> list[tuple[int, int]]:
    """The first and last index of each ``python-format`` directive of ``text`` up to the
    first that is not valid, which GNU keeps from being broken."""
    spans: list[tuple[int, int]] = []
    with suppress(FormatError):
        parse_python(text, spans)
    return spans


@dataclass(frozen=True)
class _Language:
    parse: Callable[[str], object]
    check: Callable[[object, object, bool], str | None]
    spans: Callable[[str], list[tuple[int, int]]]


LANGUAGES: dict[str, _Language] = {
    "python": _Language(parse_python, check_python, python_spans),  # type: ignore[arg-type]
    "python-brace": _Language(parse_python_brace, check_python_brace,  # type: ignore[arg-type]
                              python_brace_spans),
}


def format_problem(language: str, msgid: str, msgstr: str, strict: bool) -> str | None:
    """Why ``msgstr`` is a wrong translation of the format string ``msgid`` in
    ``language`` (``strict``: it must use the same arguments; else it may use fewer), or
    None: it is right, the msgid is no format string, or the language is not checked."""
    checks = LANGUAGES.get(language)
    if checks is None:
        return None
    try:
        ours = checks.parse(msgid)
    except FormatError:
        return None
    try:
        theirs = checks.parse(msgstr)
    except FormatError as err:
        return f"the translation is not a valid {language} format string: {err}"
    return checks.check(ours, theirs, strict)


def directive_spans(flags: Iterable[str], text: str) -> list[tuple[int, int]]:
    """Where GNU keeps ``text`` from being broken, as the first and last index of each
    format directive (see :func:`python_brace_spans` for GNU's way with brace formats), in
    the language of the first format flag among ``flags`` in GNU's order of languages."""
    flagged = set(flags)
    for language in FORMAT_LANGUAGES:
        if f"{language}-format" in flagged:
            checks = LANGUAGES.get(language)
            return checks.spans(text) if checks is not None else []
    return []
