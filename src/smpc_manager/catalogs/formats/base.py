"""What the format-string languages share: GNU's view of a string, its marks, its checks.

GNU gettext's parsers (``format-*.c``) read a string as C bytes: a directive's syntax is
ASCII, and a byte of a multibyte character matches none of it. To read as they read, a
string is given to a parser as :func:`c_string` makes it: its UTF-8 bytes, one character
per byte, with a NUL after the end, so that an index is a byte offset and the end reads as
``"\\0"``, as in C. A parser returns what the string asks for (its *spec*), or raises
:class:`FormatError` with GNU's reason; as it goes it sets GNU's marks (:class:`Marks`) on
the first and last byte of each directive, from which the writer learns where a line must
not break (:func:`unbreakable`).

The comparisons of two specs are GNU's, with GNU's messages (:func:`check_arguments`,
:func:`check_count`); ``equality`` is GNU's strict check (a translation asks for exactly the
msgid's arguments) as against the relaxed one of some plural forms (it may ask for fewer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

#: GNU's marks on a byte (``FMTDIR_START``, ``FMTDIR_END``, ``FMTDIR_ERROR``): the first
#: byte of a directive, its last, and the byte where a directive was found to be invalid.
START, END, ERROR = 1, 2, 4

UNTERMINATED = "The string ends in the middle of a directive."
MIXES_NUMBERED = ("The string refers to arguments both through absolute argument numbers"
                  " and through unnumbered argument specifications.")
#: C's unsigned int, in which GNU's parsers read a number: 4294967297 reads as 1.
_UINT = (1 << 32) - 1

S = TypeVar("S")
K = TypeVar("K", int, str)
T = TypeVar("T")


class FormatError(Exception):
    """A string that is no valid format string of its language; the message is GNU's
    reason."""


class Marks:
    """GNU's marks on the bytes of one string (``fdi``), as a parser sets them."""

    def __init__(self, size: int) -> None:
        self.bits = bytearray(size + 8)  # room for a mark on the NUL, as GNU's array has
        self.size = size

    def set(self, at: int, flag: int) -> None:
        """Add ``flag`` to the byte at ``at``."""
        self.bits[at] |= flag


@dataclass
class Scan:
    """One string as a parser reads it: its bytes (:func:`c_string`), whether it is a
    translation (some languages allow more there), the marks set, the directives seen."""

    s: str
    translated: bool
    marks: Marks
    directives: int = 0

    @classmethod
    def of(cls, text: str, translated: bool) -> Scan:
        """A scan of ``text`` from its start."""
        return cls(c_string(text), translated, Marks(len(text.encode("utf-8"))))

    def directive(self, at: int) -> int:
        """Count a directive that starts at ``at``, marked there; return its number."""
        self.marks.set(at, START)
        self.directives += 1
        return self.directives

    def error(self, at: int, reason: str) -> FormatError:
        """The error ``reason``, marked at ``at``."""
        self.marks.set(at, ERROR)
        return FormatError(reason)


@dataclass
class Arguments:
    """The arguments a printf-like string asks for so far: numbered (``%1$d``) or
    unnumbered (``%d``), which do not mix."""

    numbered: list[tuple[int, Any]] = field(default_factory=list)
    unnumbered: list[Any] = field(default_factory=list)

    def take(self, scan: Scan, number: int, kind: Any, at: int) -> None:
        """Add an argument (``number`` 0: the next unnumbered one); one that mixes the two
        kinds is an error marked at ``at``."""
        if self.unnumbered if number else self.numbered:
            raise scan.error(at, MIXES_NUMBERED)
        if number:
            self.numbered.append((number, kind))
        else:
            self.unnumbered.append(kind)


def c_string(text: str) -> str:
    """``text`` as GNU's parsers read it: its UTF-8 bytes as characters (Latin-1), then
    NULs, so that ``s[i]`` is the byte at offset ``i`` and the end reads as ``"\\0"``.

    >>> c_string("né")
    'nÃ©\\x00\\x00\\x00\\x00'
    """
    return text.encode("utf-8").decode("latin-1") + "\0" * 4


def shown(name: str) -> str:
    """A name read by :func:`c_string`, as text again (for a message)."""
    return name.encode("latin-1").decode("utf-8", "replace")


def number_at(s: str, i: int) -> tuple[int, int]:
    """The decimal number at ``s[i]`` in C's unsigned int, and the index after its
    digits."""
    value = 0
    while is_digit(s[i]):
        value = (10 * value + ord(s[i]) - 48) & _UINT
        i += 1
    return value, i


def is_digit(char: str) -> bool:
    """Whether a byte is an ASCII digit (C's ``isdigit`` in the C locale)."""
    return "0" <= char <= "9"


def is_alpha(char: str) -> bool:
    """Whether a byte is an ASCII letter (``c_isalpha``)."""
    return "a" <= char <= "z" or "A" <= char <= "Z"


def is_alnum(char: str) -> bool:
    """Whether a byte is an ASCII letter or digit (``c_isalnum``)."""
    return is_alpha(char) or is_digit(char)


def argument_number(scan: Scan, i: int, what: str = "argument") -> tuple[int, int]:
    """An ``m$`` at ``s[i]``: its number and the index after the ``$``; (0, i) where
    there is none. Argument 0 is an error (``what``: "argument", "width's argument"...)."""
    s = scan.s
    if not is_digit(s[i]):
        return 0, i
    number, after = number_at(s, i)
    if s[after] != "$":
        return 0, i
    if number == 0:
        raise scan.error(after, f"In the directive number {scan.directives}, the {what}"
                                " number 0 is not a positive integer.")
    return number, after + 1


def star(scan: Scan, i: int, arguments: Arguments, kind: Any, what: str) -> int:
    """A printf width or precision at ``s[i]``: ``*`` and ``*m$`` take an argument of type
    ``kind`` (an integer), digits none; return the index after it (``what``: "width's
    argument" or "precision's argument", for GNU's message on ``*0$``)."""
    if scan.s[i] == "*":
        number, i = argument_number(scan, i + 1, what)
        arguments.take(scan, number, kind, i - 1)
        return i
    while is_digit(scan.s[i]):
        i += 1
    return i


def is_word(char: str) -> bool:
    """Whether a byte may continue a name: an ASCII letter, digit or underscore."""
    return is_alnum(char) or char == "_"


def conversion_error(directive: int, char: str) -> FormatError:
    """GNU's reason for a directive that ends in a character it does not know."""
    if " " <= char <= "~":
        return FormatError(f"In the directive number {directive}, the character '{char}'"
                           " is not a valid conversion specifier.")
    return FormatError(f"The character that terminates the directive number {directive} is"
                       " not a valid conversion specifier.")


def end_error(scan: Scan, i: int) -> FormatError:
    """The error of the directive being read, whose conversion at ``s[i]`` is none GNU
    knows, marked where GNU marks it: the string ends there, or the character is not a
    conversion."""
    if scan.s[i] == "\0":
        return scan.error(i - 1, UNTERMINATED)
    scan.marks.set(i, ERROR)
    return conversion_error(scan.directives, scan.s[i])


def each_directive(scan: Scan, directive: Callable[[int], int]) -> None:
    """GNU's loop over the ``%`` directives of a string where ``%%`` is a percent sign:
    ``directive(i)`` reads every other one from the character after its ``%`` (index
    ``i``) and returns the index of its last character, which is marked as its end."""
    s = scan.s
    i = 0
    while s[i] != "\0":
        i += 1
        if s[i - 1] != "%":
            continue
        scan.directive(i - 1)
        if s[i] != "%":
            i = directive(i)
        scan.marks.set(i, END)
        i += 1


def merged(arguments: Iterable[tuple[K, T]], unify: Callable[[T, T], T | None] | None = None,
           what: Callable[[K], str] = lambda key: f"argument number {key}") -> dict[K, T]:
    """Arguments named or numbered more than once, each once: their types must agree
    (``unify`` says how two types agree, and in what; default: equal), else
    :class:`FormatError`, as GNU's sort-and-merge of numbered arguments has it."""
    result: dict[K, T] = {}
    for key, kind in arguments:
        if key in result:
            known = result[key]
            both = (known if known == kind else None) if unify is None else unify(known, kind)
            if both is None:
                raise FormatError(f"The string refers to {what(key)} in"
                                  " incompatible ways.")
            result[key] = both
        else:
            result[key] = kind
    return result


def missing(argument: str, msgstr: str) -> str:
    """GNU's words for an argument of the msgid that the translation ``msgstr`` leaves
    out."""
    return f"a format specification for argument {argument} doesn't exist in '{msgstr}'"


def extra(argument: str, msgid: str, msgstr: str) -> str:
    """GNU's words for an argument of the translation that the msgid does not have."""
    return (f"a format specification for argument {argument}, as in '{msgstr}', doesn't exist"
            f" in '{msgid}'")


def count_differs(msgid: str, msgstr: str) -> str:
    """GNU's words for a translation with another number of arguments."""
    return f"number of format specifications in '{msgid}' and '{msgstr}' does not match"


def check_arguments(ours: Mapping[K, T], theirs: Mapping[K, T], equality: bool, msgid: str,
                    msgstr: str, *, label: Callable[[K], str] = str,
                    same: Callable[[T, T, bool], bool] | None = None) -> str | None:
    """GNU's check of named or numbered arguments: the translation (``theirs``) asks for
    no argument the msgid does not; with ``equality`` for every one it does; and each in
    the same way (``same``: how two types agree; default: equal). ``msgid`` and ``msgstr``
    name the strings in the message, ``label`` an argument."""
    for key in sorted(set(ours) | set(theirs)):
        if key not in ours:
            return extra(label(key), msgid, msgstr)
        if key not in theirs and equality:
            return missing(label(key), msgstr)
    for key in sorted(theirs):
        agree = ours[key] == theirs[key] if same is None \
            else same(ours[key], theirs[key], equality)
        if not agree:
            return (f"format specifications in '{msgid}' and '{msgstr}' for argument"
                    f" {label(key)} are not the same")
    return None


def check_count(ours: Sequence[T], theirs: Sequence[T], equality: bool, msgid: str,
                msgstr: str, *, same: Callable[[T, T, bool], bool] | None = None
                ) -> str | None:
    """GNU's check of arguments taken in order: as many as the msgid's (with
    ``equality``; else at most as many), each of the same type (``same``; default:
    equal)."""
    if len(ours) != len(theirs) if equality else len(ours) < len(theirs):
        return count_differs(msgid, msgstr)
    for number, (mine, other) in enumerate(zip(ours, theirs, strict=False), 1):
        if not (mine == other if same is None else same(mine, other, equality)):
            return (f"format specifications in '{msgid}' and '{msgstr}' for argument {number}"
                    " are not the same")
    return None


def same_or_any(any_type: Any) -> Callable[[Any, Any, bool], bool]:
    """Types that agree when equal, or (in the relaxed check) when either is
    ``any_type``, as Python's ``%.0s`` takes an argument of any type."""
    def same(mine: Any, other: Any, equality: bool) -> bool:
        return mine == other or (not equality and any_type in (mine, other))
    return same


@dataclass(frozen=True)
class Language(Generic[S]):
    """One format-string language as GNU gettext checks it."""

    #: Its name in a flag (``c`` of ``c-format``) and in GNU's messages (``C``).
    name: str
    pretty: str
    #: The spec of a string (:class:`Scan`), its marks set; :class:`FormatError` if it
    #: is none.
    parse: Callable[[Scan], S]
    #: Why the msgstr's spec does not fit the msgid's (None: it fits), given ``equality``
    #: and the names of the two strings.
    check: Callable[[S, S, bool, str, str], str | None]


def unbreakable(marks: Marks, text: str) -> set[int]:
    """The indexes of the characters of ``text`` before which GNU's writer never breaks a
    line, given a parser's marks on its bytes (``write-po.c``): each byte from a
    directive's first to its last, when no error was marked in between, save the first
    byte of a directive."""
    bits, size = marks.bits, marks.size
    inside = bytearray(size)
    at = 0
    while at < size:
        if bits[at] & START:
            end = at
            while end < size and not bits[end] & (END | ERROR):
                end += 1
            if end == size:  # GNU aborts on such a parser bug; none of ours has it
                break
            if not bits[end] & ERROR:
                inside[at:end + 1] = b"\1" * (end + 1 - at)
            at = end
        at += 1
    result: set[int] = set()
    offset = 0
    for index, char in enumerate(text):
        if inside[offset] and not bits[offset] & START:
            result.add(index)
        offset += len(char.encode("utf-8"))
    return result
