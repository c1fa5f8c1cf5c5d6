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
    """The text of a catalog file's bytes: UTF-8, CRLF line ends read as LF. Bytes that are
    not UTF-8 are a :class:`ProblemsError` at their line and column, or at the header's
    charset when it declares another one; so is a byte order mark, which GNU gettext's
    tools refuse as a syntax error (``msgfmt`` could not compile the catalog)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ProblemsError([Problem(
            SourceLocation(shown(path), 1, 1),
            "starts with a byte order mark (U+FEFF), which GNU gettext refuses as a syntax"
            " error: save the catalog as UTF-8 without a byte order mark")])
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
#: One escape sequence in a quoted string, as GNU gettext reads them: a single character,
#: up to three octal digits, or ``x`` and any number of hexadecimal digits.
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]+)|(.))", re.DOTALL)
#: What separates a msgctxt from its msgid in a .mo file: never inside a string.
CONTEXT_SEPARATOR = "\x04"


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
    r"""The text of a quoted string's ``body`` (what is between the quotes), its escape
    sequences decoded as GNU gettext decodes them; an unknown one is a
    :class:`PoSyntaxError` on ``line``.

    An octal or hexadecimal escape stands for one byte, as in C: ``"\303\244"`` is "ä" in
    a UTF-8 catalog; bytes that make no UTF-8 are refused, as is the context separator
    (``\x04``), which a .mo file could not hold inside a string. As in GNU's reader, a NUL
    ends the string.

    >>> decode(r'tab\there, \"quoted\", \303\244', 1)
    'tab\there, "quoted", ä'
    """
    if "\\" not in body:  # most strings: nothing to decode
        text = body
    else:
        pieces: list[bytes] = []
        start = 0
        for found in _ESCAPE.finditer(body):
            pieces.append(body[start:found.start()].encode("utf-8"))
            start = found.end()
            octal, hexa, other = found.groups()
            if octal is not None:
                pieces.append(bytes([int(octal, 8) & 0xFF]))
            elif hexa is not None:
                pieces.append(bytes([int(hexa, 16) & 0xFF]))
            elif other in _ESCAPES:
                pieces.append(_ESCAPES[other].encode("ascii"))
            else:
                raise PoSyntaxError(line, "syntax error: unknown escape sequence"
                                          f" {quoted(chr(92) + other)} in a string")
        pieces.append(body[start:].encode("utf-8"))
        try:
            text = b"".join(pieces).decode("utf-8")
        except UnicodeDecodeError:
            culprit = next(found.group(0) for found in _ESCAPE.finditer(body)
                           if found.group(1) or found.group(2))
            raise PoSyntaxError(line, f"syntax error: {quoted(culprit)} is not a character:"
                                      " an escape stands for one byte, and these bytes make"
                                      " no UTF-8") from None
    if "\x00" in text:  # GNU keeps a string up to its first NUL, from an escape or not
        text = text[: text.index("\x00")]
    if CONTEXT_SEPARATOR in text:
        raise PoSyntaxError(line, "syntax error: a string holds the context separator"
                                  " (\\x04, EOT), which no .mo file can hold")
    return text


# ------------------------------------------------------------------------ the header


def header_fields(string: str) -> tuple[list[tuple[str, str]], str | None]:
    """The ``Name: value`` rows of a header entry's msgstr, in their order, and the first
    row that is not one (None when every row is one; GNU tools keep such rows, and so do
    we, but no field is read from them)."""
    fields: list[tuple[str, str]] = []
    bad: str | None = None
    for row in string.split("\n"):
        if not row.strip():
            continue
        name, colon, value = row.partition(":")
        if not colon:
            bad = row if bad is None else bad
            continue
        fields.append((name.strip(), value.strip()))
    return fields, bad


def header_field(fields: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of the first header field called ``name`` (any case)."""
    for key, value in fields:
        if key.lower() == name.lower():
            return value
    return None


_CHARSET = re.compile(r"charset=([^ \t\n]*)")


def header_charset(header: str) -> str | None:
    """The charset a header entry's msgstr declares, as GNU finds it: after the first
    ``charset=`` anywhere in it, up to a blank or the line's end."""
    match = _CHARSET.search(header)
    return match.group(1) if match else None


def is_utf8(charset: str) -> bool:
    """Whether a charset name is UTF-8's (``UTF-8``, ``utf8``, ``UTF_8``)."""
    return charset.lower().replace("-", "").replace("_", "") == "utf8"


def charset_problem(path: str, line: int, charset: str | None) -> Problem:
    """The problem of a header (on ``line``) that declares ``charset`` rather than UTF-8."""
    found = f"charset={quoted(charset)[1:-1]}" if charset else "no charset"
    return Problem(SourceLocation(path, line),
                   f"the header must declare charset=UTF-8 (catalogs are UTF-8), found {found}")


# ------------------------------------------------------------------------ flags


#: The format languages GNU gettext 0.21 knows, in the order it writes their flags
#: (``#, c-format, python-format``).
FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript",
    "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal",
    "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace",
    "php", "gcc-internal", "gfc-internal", "ycp",
)
_FLAG_SEPARATORS = re.compile(r"[\n \t\r\f\v,]+")
_RANGE = re.compile(r"([0-9]+)\.\.([0-9]+)")


def special_flags(body: str) -> list[str]:
    """The flags of one ``#,`` line (``body`` is what follows the ``,``) as GNU gettext
    reads them: ``fuzzy``; ``L-format`` or ``no-L-format`` for a format language it knows
    (``possible-L-format`` reads as ``L-format``, ``impossible-L-format`` as none, the last
    one of a language counts); ``range: N..M``; ``no-wrap`` (``wrap`` is the default).
    Flags it does not know are dropped, as GNU drops them.

    >>> special_flags(" python-format, fuzzy, my-flag, no-c-format")
    ['fuzzy', 'no-c-format', 'python-format']
    """
    fuzzy = False
    formats: dict[str, str] = {}
    bounds: str | None = None
    wrap = True
    tokens = [token for token in _FLAG_SEPARATORS.split(body) if token]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "fuzzy":
            fuzzy = True
        elif token.endswith("-format"):
            name = token.removesuffix("-format")
            value = "yes"
            for prefix, meaning in (("no-", "no"), ("possible-", "yes"),
                                    ("impossible-", "")):
                if name.startswith(prefix):
                    name, value = name.removeprefix(prefix), meaning
                    break
            if name in FORMAT_LANGUAGES:
                formats[name] = value
        elif token == "range:" and i < len(tokens):
            found = _RANGE.match(tokens[i])
            i += 1
            if found and int(found.group(1)) <= int(found.group(2)):
                bounds = f"range: {int(found.group(1))}..{int(found.group(2))}"
        elif token in ("wrap", "no-wrap"):
            wrap = token == "wrap"
    flags = ["fuzzy"] if fuzzy else []
    flags += [f"{'no-' if formats[name] == 'no' else ''}{name}-format"
              for name in FORMAT_LANGUAGES if formats.get(name)]
    flags += [bounds] if bounds else []
    return [*flags, *([] if wrap else ["no-wrap"])]
