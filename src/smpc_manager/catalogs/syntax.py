"""The PO syntax both catalog readers share: a file's text, quoted strings, the header entry.

The strict reader (:mod:`smpc_manager.catalogs.pofile`) and the lookup rendering reads
(:mod:`smpc_manager.catalogs.lookup`) must decode every file, string and header alike and
report the same problems in the same words, so both take these from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import NotAFileError, TooLargeError, dangling_link, read_bytes


class PoSyntaxError(Exception):
    """A syntax error on ``line`` of a catalog's text; the reader turns it into a
    :class:`~smpc_manager.errors.Problem` that names the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


# ------------------------------------------------------------------------ files


#: A product's catalog is some hundred kilobytes; anything this large is refused unread.
MAX_CATALOG_BYTES = 16 * 1024 * 1024


def catalog_bytes(path: Path) -> bytes:
    """The bytes of a catalog file; one that is missing or cannot be read is a
    :class:`ProblemsError`, as is a folder, a device, pipe or socket (refused unopened: it
    could block or never end) and a file over :data:`MAX_CATALOG_BYTES` (never read past
    the limit, whatever size it says it has)."""
    try:
        return read_bytes(path, limit=MAX_CATALOG_BYTES)
    except FileNotFoundError:
        words = dangling_link(path) or "no such catalog"
    except IsADirectoryError:
        words = "is a folder, not a catalog"
    except NotAFileError:
        words = "is not a regular file (a device, pipe or socket); refused unread"
    except TooLargeError as err:
        words = (f"is over the limit of {MAX_CATALOG_BYTES:,} bytes for a catalog; refused"
                 + (" unread" if err.size is not None else ""))
    except OSError as err:
        words = f"cannot be read: {err.strerror or err}"
    raise ProblemsError([Problem(SourceLocation(shown(path)), words)])


_DECLARED_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset\s*=\s*([A-Za-z0-9_.:-]+)')


def catalog_text(data: bytes, path: Path) -> str:
    """The text of a catalog file's bytes: UTF-8 (a BOM is dropped), CRLF line ends read as
    LF. Bytes that are not UTF-8 are a :class:`ProblemsError` at their line and column, or at
    the header's charset when it declares another one."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        where = shown(path)
        declared = _DECLARED_CHARSET.search(data)
        if declared is not None and not is_utf8(declared.group(1).decode("ascii")):
            raise ProblemsError([charset_problem(
                where, data[: declared.start()].count(b"\n") + 1,
                declared.group(1).decode("ascii"))]) from None
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ProblemsError([Problem(
            SourceLocation(where, line, column),
            f"is not valid UTF-8: byte 0x{data[err.start]:02X} cannot start or continue a"
            " character (catalogs must be saved as UTF-8)",
        )]) from None
    return text.replace("\r\n", "\n")


# ------------------------------------------------------------------------ strings


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"'}
#: One escape sequence in a quoted string: octal, hexadecimal, or a single character.
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]+)|(.))", re.DOTALL)


def unquote(text: str, line: int) -> str:
    """The text of a string in double quotes (blanks around it allowed), its escapes decoded;
    anything else is a :class:`PoSyntaxError` on ``line``."""
    match = _STRING.fullmatch(text.strip())
    if match is None:
        raise PoSyntaxError(line, "syntax error: expected a string in double quotes, found"
                                  f" {quoted(text.strip())}")
    return decode(match.group(1), line)


def quoted(text: str, limit: int = 40) -> str:
    r"""A piece of a catalog as a message quotes it: in quotes, cut to ``limit`` characters,
    a control character (a newline, an escape sequence's ESC) written as an escape.

    >>> quoted('msgstr \x1b[2J' + 'x' * 50)
    "'msgstr \\x1b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    """
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def decode(body: str, line: int) -> str:
    """The text of a quoted string's ``body`` (what is between the quotes): its escape
    sequences decoded; an unknown one is a :class:`PoSyntaxError` on ``line``."""
    if "\\" not in body:  # most strings: nothing to decode
        return body

    def escape(found: re.Match[str]) -> str:
        octal, hexa, other = found.groups()
        if octal is not None:
            return chr(int(octal, 8))
        if hexa is not None:
            code = int(hexa, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise PoSyntaxError(line, f"syntax error: '\\x{hexa[:8]}' is not a character")
            return chr(code)
        try:
            return _ESCAPES[other]
        except KeyError:
            raise PoSyntaxError(line, "syntax error: unknown escape sequence"
                                      f" {quoted(chr(92) + other)} in a string") from None

    return _ESCAPE.sub(escape, body)


# ------------------------------------------------------------------------ the header


def header_fields(string: str) -> tuple[list[tuple[str, str]], str | None]:
    """The ``Name: value`` rows of a header entry's msgstr, in their order, up to the first
    row that is not one; that row is returned too (None when every row is one)."""
    fields: list[tuple[str, str]] = []
    for row in string.split("\n"):
        if not row.strip():
            continue
        name, colon, value = row.partition(":")
        if not colon:
            return fields, row
        fields.append((name.strip(), value.strip()))
    return fields, None


def header_field(fields: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of the first header field called ``name`` (any case)."""
    for key, value in fields:
        if key.lower() == name.lower():
            return value
    return None


_CHARSET = re.compile(r"charset\s*=\s*([^\s;]+)")


def header_charset(fields: Sequence[tuple[str, str]]) -> str | None:
    """The charset the header's Content-Type declares, if it declares one."""
    content_type = header_field(fields, "Content-Type")
    match = _CHARSET.search(content_type) if content_type is not None else None
    return match.group(1) if match else None


def is_utf8(charset: str) -> bool:
    """Whether a charset name is UTF-8's (``UTF-8``, ``utf8``, ``UTF_8``)."""
    return charset.lower().replace("-", "").replace("_", "") == "utf8"


def charset_problem(path: str, line: int, charset: str | None) -> Problem:
    """The problem of a header (on ``line``) that declares ``charset`` rather than UTF-8."""
    found = f"charset={quoted(charset)[1:-1]}" if charset else "no charset"
    return Problem(SourceLocation(path, line),
                   f"the header must declare charset=UTF-8 (catalogs are UTF-8), found {found}")
