"""Python format strings (``python-format``, ``python-brace-format``) as GNU gettext 0.21 reads
them (``format-python.c``, ``format-python-brace.c``).

A ``%`` directive asks for a mapping (``%(name)s``) or a tuple (``%s``), never both; its
width and precision may take an integer argument (``*``), and ``%.0s`` takes an argument of
any type. A brace directive is ``{name}``, ``{0}``, ``{name.attr[key]}`` with an optional
``:spec`` (which may hold one nested directive); ``{{`` is a brace. A translation of a brace
string must use the msgid's names exactly where the check is strict, and may use any
where it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smpc_manager.catalogs.formats.base import (
    END,
    START,
    UNTERMINATED,
    FormatError,
    Language,
    Scan,
    check_arguments,
    check_count,
    end_error,
    is_alpha,
    is_digit,
    is_word,
    merged,
    same_or_any,
    shown,
)

# ------------------------------------------------------------------------ %(name)s

_TYPES = {"%": "none", "c": "character", "s": "string", "r": "string",
          **dict.fromkeys("iduoxX", "integer"), **dict.fromkeys("eEfgG", "float")}
_MIXES = ("The string refers to arguments both through argument names and through unnamed"
          " argument specifications.")
_SAME = same_or_any("any")


@dataclass
class PythonSpec:
    """The arguments a Python ``%`` format asks for: by name, or by position."""

    named: dict[str, str] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)


def _name(scan: Scan, i: int) -> tuple[str, int]:
    """The ``(name)`` whose ``(`` is at ``s[i]`` (parentheses inside balanced), and the
    index after it."""
    s = scan.s
    start = i = i + 1
    depth = 0
    while s[i] != "\0" and not (s[i] == ")" and depth == 0):
        depth += {"(": 1, ")": -1}.get(s[i], 0)
        i += 1
    if s[i] == "\0":
        raise scan.error(i - 1, UNTERMINATED)
    return s[start:i], i + 1


def _width(scan: Scan, i: int, spec: PythonSpec, named: bool) -> tuple[int, bool]:
    """A width and precision at ``s[i]``, each ``*`` taking an integer argument (none
    where the string has ``named`` arguments before); return the index after them and
    whether the precision is all zeros."""
    s = scan.s
    zero_precision = False
    for part in ("width", "precision"):
        if part == "precision":
            if s[i] != ".":
                break
            i += 1
        if s[i] == "*":
            i += 1
            if named:
                raise scan.error(i - 1, _MIXES)
            spec.unnamed.append("integer")
        elif is_digit(s[i]):
            start = i
            while is_digit(s[i]):
                i += 1
            zero_precision = part == "precision" and set(s[start:i]) == {"0"}
    return i, zero_precision


def parse_python(scan: Scan) -> PythonSpec:
    """The arguments of a ``python-format`` string."""
    s = scan.s
    spec = PythonSpec()
    named: list[tuple[str, str]] = []
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        name = None
        if s[i] == "(":
            name, i = _name(scan, i)
        while s[i] in "-+ #0":
            i += 1
        i, zero_precision = _width(scan, i, spec, bool(named))
        if s[i] in "hlL":
            i += 1
        kind = _TYPES.get(s[i])
        if kind is None:
            raise end_error(scan, i)
        if kind == "string" and zero_precision:
            kind = "any"
        if name is not None or s[i] != "%":
            if spec.unnamed if name is not None else named:
                raise scan.error(i, _MIXES)
            if name is not None:
                named.append((name, kind))
            else:
                spec.unnamed.append(kind)
        scan.marks.set(i, END)
        i += 1
    spec.named = merged(named, lambda a, b: a if b in (a, "any") else b if a == "any" else None,
                        lambda name: f"the argument named '{shown(name)}'")
    return spec


def check_python(msgid: PythonSpec, msgstr: PythonSpec, equality: bool, pretty_msgid: str,
                 pretty_msgstr: str) -> str | None:
    """GNU's check of two ``python-format`` strings."""
    if msgid.named and msgstr.unnamed:
        return (f"format specifications in '{pretty_msgid}' expect a mapping, those in"
                f" '{pretty_msgstr}' expect a tuple")
    if msgid.unnamed and msgstr.named:
        return (f"format specifications in '{pretty_msgid}' expect a tuple, those in"
                f" '{pretty_msgstr}' expect a mapping")
    problem = check_arguments(msgid.named, msgstr.named, equality, pretty_msgid, pretty_msgstr,
                              label=lambda name: f"'{shown(name)}'", same=_SAME)
    if problem is None and (msgid.unnamed or msgstr.unnamed):
        # Unlike the named, the tuple's length must always be the same.
        problem = check_count(msgid.unnamed, msgstr.unnamed, True, pretty_msgid,
                              pretty_msgstr, same=lambda a, b, _: _SAME(a, b, equality))
    return problem


PYTHON = Language("python", "Python", parse_python, check_python)

# ------------------------------------------------------------------------ {name}


def _field(s: str, i: int, numeric: bool = True) -> int:
    """The end of a name (``[A-Za-z_][A-Za-z0-9_]*``) or, if ``numeric``, a number at
    ``s[i]``; ``i`` itself where there is none."""
    if is_alpha(s[i]) or s[i] == "_":
        i += 1
        while is_word(s[i]):
            i += 1
    elif numeric and is_digit(s[i]):
        while is_digit(s[i]):
            i += 1
    return i


def _standard_spec(s: str, i: int) -> int:
    """The end of a standard format specifier at ``s[i]``
    (``[[fill]align][sign][#][0][width][.precision][type]``)."""
    if s[i + 1] in "<>=^":
        i += 2
    elif s[i] in "<>=^":
        i += 1
    for optional in ("+- ", "#", "0"):
        if s[i] in optional:
            i += 1
    while is_digit(s[i]):
        i += 1
    if s[i] == ".":
        i += 1
        while is_digit(s[i]):
            i += 1
    if s[i] in "bcdoxXneEfFgG%":
        i += 1
    return i


def _brace(scan: Scan, i: int, top: bool, names: list[str]) -> int:
    """Read the directive whose ``{`` is at ``s[i]``; return the index after it.

    GNU marks a directive relative to the directive's own start, not the string's (its
    ``FDI_SET`` counts from the ``format_start`` of ``parse_directive``): marks land near
    the string's start, and the writer protects what they cover. So do these.
    """
    s, start = scan.s, i

    def error(at: int, reason: str) -> FormatError:
        return scan.error(at - start, f"In the directive number {len(names)}, {reason}")

    if s[i + 1] == "{":
        return i + 2
    name_start = i = i + 1
    end = _field(s, i)
    if end == i:
        raise error(i, f"'{shown(s[i])}' cannot start a field name.")
    i = end
    while s[i] in ".[":
        bracket = s[i] == "["
        end = _field(s, i + 1, numeric=bracket)
        if end == i + 1:
            raise error(end, f"'{shown(s[end])}' cannot start a"
                             f" {'getitem' if bracket else 'getattr'} argument.")
        i = end
        if bracket:
            i += 1
            if s[i - 1] != "]":
                raise scan.error(i - start, UNTERMINATED)
    if s[i] == ":":
        if not top:
            raise error(i, "no more nesting is allowed in a format specifier.")
        i += 1
        i = _brace(scan, i, False, names) if s[i] == "{" else _standard_spec(s, i)
        if s[i] != "}":
            raise scan.error(i - start, UNTERMINATED)
    if s[i] != "}":
        raise error(i, "there is an unterminated format directive.")
    if top:
        scan.marks.set(name_start - 1 - start, START)
        names.append(s[name_start:i])
        scan.marks.set(i - start, END)
    return i + 1


def parse_python_brace(scan: Scan) -> set[str]:
    """The names a ``python-brace-format`` string asks for (with what follows them up to
    the closing brace, as GNU compares them)."""
    names: list[str] = []
    i = 0
    while scan.s[i] != "\0":
        i = _brace(scan, i, True, names) if scan.s[i] == "{" else i + 1
    return set(names)


def check_python_brace(msgid: set[str], msgstr: set[str], equality: bool, pretty_msgid: str,
                       pretty_msgstr: str) -> str | None:
    """GNU's check of two ``python-brace-format`` strings: the same names, if strict."""
    if not equality:
        return None
    return check_arguments(dict.fromkeys(msgid), dict.fromkeys(msgstr), True, pretty_msgid,
                           pretty_msgstr, label=lambda name: f"'{shown(name)}'")


PYTHON_BRACE = Language("python-brace", "Python brace", parse_python_brace, check_python_brace)
