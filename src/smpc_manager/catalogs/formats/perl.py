"""Perl format strings (``perl-format``, ``perl-brace-format``) as GNU gettext 0.21 reads them
(``format-perl.c``, ``format-perl-brace.c``).

Perl's ``sprintf`` directive is ``%`` or ``%m$``, flags (``#0- +``), a vector flag (``v``,
``*v``, ``*m$v``), a width and a precision (a number, ``*`` or ``*m$``), a size (``h l ll
L q V I32 I64 I``) and a conversion; numbered and unnumbered arguments may mix, an
unnumbered one taking the next argument. libintl-perl's brace format replaces ``{name}``;
a translation must use every name of the msgid where the check is strict, and may add
names of its own (they stay as written).
"""

from __future__ import annotations

from smpc_manager.catalogs.formats.base import (
    END,
    Language,
    Scan,
    check_arguments,
    end_error,
    is_alpha,
    is_digit,
    is_word,
    merged,
    number_at,
    shown,
)

# An argument's type, as GNU's bits: a basic type, unsigned, and a size.
INTEGER, DOUBLE, CHAR, STRING, VECTOR, POINTER, COUNT_POINTER = 1, 2, 3, 4, 5, 6, 7
UNSIGNED = 1 << 3
SHORT, SIZE_V, SIZE_PTR, LONG, LONGLONG = (n << 4 for n in range(1, 6))


def _numbered(s: str, i: int, after: str = "$") -> tuple[int, int]:
    """An ``m$`` at ``s[i]`` (``m`` starting with a nonzero digit; ``after``: what must
    follow it): its number and the index after it; (0, i) where there is none."""
    if not "1" <= s[i] <= "9":
        return 0, i
    number, end = number_at(s, i)
    if s[end:end + len(after)] != after:
        return 0, i
    return number, end + len(after)


class _Arguments:
    """Perl's arguments: each numbered, the unnumbered ones by a running count."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, int]] = []
        self.unnumbered = 0

    def take(self, number: int, kind: int) -> None:
        if not number:
            self.unnumbered += 1
            number = self.unnumbered
        self.taken.append((number, kind))


def _vector(s: str, i: int, number: int, arguments: _Arguments) -> tuple[int, bool]:
    """The vector flag at ``s[i]`` of a directive for argument ``number`` (0: the next);
    return the index after it and whether the directive is a vector."""
    vector = False
    if s[i] == "v":
        i, vector = i + 1, True
    elif s[i] == "*":
        if s[i + 1] == "v":
            i, vector = i + 2, True
            arguments.take(0, VECTOR)
        else:
            joiner, end = _numbered(s, i + 1, "$v")
            if joiner:
                i, vector = end, True
                arguments.take(joiner, VECTOR)
    if vector:
        arguments.take(number, VECTOR)
    return i, vector


def _width(s: str, i: int, arguments: _Arguments) -> int:
    """The width at ``s[i]``; return the index after it."""
    if s[i] == "*":
        number, i = _numbered(s, i + 1)
        arguments.take(number, INTEGER)
    elif "1" <= s[i] <= "9":
        while is_digit(s[i]):
            i += 1
    return i


def _size(s: str, i: int) -> tuple[int, int]:
    """The size at ``s[i]``, and the index after it."""
    if s[i] == "h":
        return SHORT, i + 1
    if s[i] == "l":
        return (LONGLONG, i + 2) if s[i + 1] == "l" else (LONG, i + 1)
    if s[i] in "Lq":
        return LONGLONG, i + 1
    if s[i] == "V":
        return SIZE_V, i + 1
    if s[i] == "I":
        if s.startswith("64", i + 1):
            return LONGLONG, i + 3
        if s.startswith("32", i + 1):
            return 0, i + 3
        return SIZE_PTR, i + 1
    return 0, i


def _conversion(scan: Scan, i: int, size: int) -> int:
    """The type the conversion at ``s[i]`` asks for (0: none)."""
    char = scan.s[i]
    kinds = {"%": 0, "c": CHAR, "s": STRING, "_": VECTOR, "D": INTEGER | SIZE_V,
             "i": INTEGER | size, "d": INTEGER | size, "U": INTEGER | UNSIGNED | SIZE_V,
             "O": INTEGER | UNSIGNED | SIZE_V, "p": POINTER, "n": COUNT_POINTER | size,
             **dict.fromkeys("ubxoX", INTEGER | UNSIGNED | size),
             **dict.fromkeys("eEfFgG", DOUBLE | size)}
    if char not in kinds:
        raise end_error(scan, i)
    if char in "eEfFgG" and size in (SHORT, LONG):
        raise scan.error(i, f"In the directive number {scan.directives}, the size specifier"
                            f" is incompatible with the conversion specifier '{char}'.")
    return kinds[char]


def parse_perl(scan: Scan) -> dict[int, int]:
    """The arguments of a ``perl-format`` string, by number."""
    s = scan.s
    arguments = _Arguments()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        number, i = _numbered(s, i)
        while s[i] in " +-#0":
            i += 1
        i, vector = _vector(s, i, number, arguments)
        i = _width(s, i, arguments)
        if s[i] == ".":
            i += 1
            if s[i] == "*":
                precision, i = _numbered(s, i + 1)
                arguments.take(precision, INTEGER)
            else:
                while is_digit(s[i]):
                    i += 1
        size, i = _size(s, i)
        kind = _conversion(scan, i, size)
        if kind and not vector:
            arguments.take(number, kind)
        scan.marks.set(i, END)
        i += 1
    return merged(sorted(arguments.taken))


PERL = Language("perl", "Perl", parse_perl, check_arguments)


def parse_perl_brace(scan: Scan) -> set[str]:
    """The names a ``perl-brace-format`` string asks for."""
    s = scan.s
    names: set[str] = set()
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "{" or not (is_alpha(s[i]) or s[i] == "_"):
            continue
        end = i + 1
        while is_word(s[end]):
            end += 1
        if s[end] == "}":
            scan.directive(i - 1)
            names.add(s[i:end])
            scan.marks.set(end, END)
            i = end + 1
    return names


def check_perl_brace(msgid: set[str], msgstr: set[str], equality: bool, pretty_msgid: str,
                     pretty_msgstr: str) -> str | None:
    """GNU's check of two ``perl-brace-format`` strings: with ``equality``, every name of
    the msgid is in the translation, which may add names of its own (they stay as they
    are)."""
    return check_arguments(dict.fromkeys(msgid), dict.fromkeys(msgstr & msgid), equality,
                           pretty_msgid, pretty_msgstr, label=lambda name: f"'{shown(name)}'")


PERL_BRACE = Language("perl-brace", "Perl brace", parse_perl_brace, check_perl_brace)
