"""What rendering reads of a catalog: its live messages by (msgctxt, msgid), read fast.

Rendering needs only (msgctxt, msgid) -> msgstr, fuzzy and line: a :class:`CatalogLookup`
(:func:`load_lookup`). A catalog in the layout our writer and GNU gettext's tools write is
read here by regular expressions in a fraction of the strict reader's time; any other
catalog, and anything that could be a problem, goes to the strict reader
(:func:`smpc_manager.catalogs.parse_po`), so problems and line numbers are always its own.

Kept apart from :mod:`smpc_manager.catalogs.pofile` (the strict reader, the writer, update and
compile), which builds Babel catalogs: a build's workers read thousands of catalogs and
never import Babel's catalog module, nor make the classes and expressions editing needs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import read_bytes
from smpc_manager.locales import locale_chain
from smpc_manager.portfolio import catalog_name

if TYPE_CHECKING:
    from collections.abc import Iterator

    from babel.messages.catalog import Catalog

    from smpc_manager.portfolio import Portfolio

_Key = tuple[str, str | None]


# ------------------------------------------------------------------- shared with the strict reader


class _Syntax(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"'}


_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]+)|(.))", re.DOTALL)


def _decode(body: str, line: int) -> str:
    """The text of a quoted string's ``body``: its escape sequences decoded."""
    if "\\" not in body:  # most strings: nothing to decode
        return body

    def escape(found: re.Match[str]) -> str:
        octal, hexa, other = found.groups()
        if octal is not None:
            return chr(int(octal, 8))
        if hexa is not None:
            code = int(hexa, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise _Syntax(line, f"syntax error: '\\x{hexa[:8]}' is not a character")
            return chr(code)
        try:
            return _ESCAPES[other]
        except KeyError:
            raise _Syntax(line, "syntax error: unknown escape sequence"
                                f" '\\{other}' in a string") from None

    return _ESCAPE.sub(escape, body)


def _header_fields(string: str) -> tuple[list[tuple[str, str]], str | None]:
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


def _field(fields: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of the first header field called ``name`` (any case)."""
    for key, value in fields:
        if key.lower() == name.lower():
            return value
    return None


_CHARSET = re.compile(r"charset\s*=\s*([^\s;]+)")


def _header_charset(fields: Sequence[tuple[str, str]]) -> str | None:
    """The charset the header's Content-Type declares, if it declares one."""
    content_type = _field(fields, "Content-Type")
    match = _CHARSET.search(content_type) if content_type is not None else None
    return match.group(1) if match else None


_DECLARED_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset\s*=\s*([A-Za-z0-9_.:-]+)')


def _is_utf8(charset: str) -> bool:
    return charset.lower().replace("-", "").replace("_", "") == "utf8"


def _charset_problem(path: str, line: int, charset: str | None) -> Problem:
    found = f"charset={charset}" if charset else "no charset"
    return Problem(SourceLocation(path, line),
                   f"the header must declare charset=UTF-8 (catalogs are UTF-8), found {found}")


def _read_bytes(path: Path, size: int = 0) -> bytes:
    try:
        return read_bytes(path, size=size)
    except FileNotFoundError:
        raise ProblemsError(
            [Problem(SourceLocation(shown(path)), "no such catalog")]
        ) from None
    except OSError as err:
        raise ProblemsError(
            [Problem(SourceLocation(shown(path)), f"cannot be read: {err.strerror or err}")]
        ) from None


def _decode_file(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        where = shown(path)
        declared = _DECLARED_CHARSET.search(data)
        if declared is not None and not _is_utf8(declared.group(1).decode("ascii")):
            raise ProblemsError([_charset_problem(
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


#: A file's identity and version as a cache checks it: device, inode, mtime_ns, size. The
#: inode catches a file replaced by another of the same size and time (an atomic save).
_Stamp = tuple[int, int, int, int]
_Loaded = TypeVar("_Loaded")


#: Catalogs kept at most: a build renders thousands of products, each from its own catalog,
#: and must not keep them all (the oldest is dropped first).
CACHE_SIZE = 64


def _cached(cache: dict[str, tuple[_Stamp, _Loaded]], path: Path,
            read: Callable[[Path], _Loaded]) -> _Loaded:
    """``read(path)``, kept in ``cache`` by the path and the stamp of the file it names
    (device, inode, mtime, size: through a symlink, the target's, so a retargeted link is
    read again), for at most :data:`CACHE_SIZE` files; a file that cannot be stat'ed is
    read every time."""
    key = os.fspath(path)
    try:
        info = os.stat(key)
    except OSError:
        return read(path)
    return _kept(cache, key, info, path, read)


def _kept(cache: dict[str, tuple[_Stamp, _Loaded]], key: str, info: os.stat_result,
          path: Path, read: Callable[[Path], _Loaded]) -> _Loaded:
    """:func:`_cached` for a file already stat'ed (``info``)."""
    stamp = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
    cached = cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = read(path)
    cache.pop(key, None)
    cache[key] = (stamp, value)
    while len(cache) > CACHE_SIZE:
        del cache[next(iter(cache))]
    return value


# ------------------------------------------------------------------------ lookups


class LookupEntry(NamedTuple):
    """What rendering reads of one message: its translation, whether that is fuzzy, and
    the line of its msgid (as :attr:`babel.messages.catalog.Message.lineno`)."""

    #: The msgstr; for a plural entry its first form.
    string: str
    fuzzy: bool
    lineno: int
    plural: bool = False


class CatalogLookup:
    """A catalog's live messages as rendering looks them up: (msgid, msgctxt) -> entry.

    What :meth:`babel.messages.catalog.Catalog.get` answers for the same catalog, without
    the header, obsolete entries and comments, which rendering never reads. Read-only.
    """

    __slots__ = ("_entries", "sha256")

    def __init__(self, entries: dict[_Key, LookupEntry], sha256: str = "") -> None:
        self._entries = entries
        #: The sha256 of the file's bytes it was read from (always set by
        #: :func:`read_lookup`; "" when not read from a file): an input of every output
        #: rendered with it, hashed from the bytes that were read.
        self.sha256 = sha256

    def get(self, msgid: str, context: str | None = None) -> LookupEntry | None:
        """The entry of ``msgid`` in ``context`` (None: no msgctxt), or None."""
        return self._entries.get((msgid, context))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[_Key]:
        """The (msgid, msgctxt) of every message, in the catalog's order."""
        return iter(self._entries)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> CatalogLookup:
        """The lookup of a Babel catalog's messages (its header and obsolete ones left out)."""
        entries: dict[_Key, LookupEntry] = {}
        for message in catalog:
            if message.id == "":  # the header, which Babel yields first
                continue
            plural = isinstance(message.id, (list, tuple))
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            string = message.string
            if isinstance(string, (list, tuple)):
                string = string[0] if string else ""
            entries[(msgid, message.context)] = LookupEntry(
                string or "", message.fuzzy,
                message.lineno if message.lineno is not None else 0, plural)
        return cls(entries)


def parse_lookup(text: str, path: str = "<catalog>") -> CatalogLookup:
    """The lookup of a .po file's text: what :func:`parse_po` would give, with its problems.

    A catalog in the layout our writer and GNU tools write is read by one regular expression
    (:func:`_fast_lookup`); anything else, and anything that could be a problem, is left to
    the strict :func:`parse_po`, so problems and line numbers are always the strict reader's.
    """
    found = _fast_lookup(text)
    if found is not None:
        return found
    from smpc_manager.catalogs.pofile import parse_po

    return CatalogLookup.from_catalog(parse_po(text, path))


def read_lookup(path: Path, size: int = 0) -> CatalogLookup:
    """:func:`parse_lookup` of a file, read as :func:`read_catalog` reads it (``size``: what
    a stat just found it holds)."""
    data = _read_bytes(path, size)
    text = _decode_file(data, path)
    found = _fast_lookup(text)
    if found is None:
        from smpc_manager.catalogs.pofile import parse_po

        found = CatalogLookup.from_catalog(parse_po(text, shown(path)))
    found.sha256 = hashlib.sha256(data).hexdigest()
    return found


_LOOKUPS: dict[str, tuple[_Stamp, CatalogLookup]] = {}


def load_lookup(path: Path) -> CatalogLookup:
    """:func:`read_lookup`, cached as :func:`load_catalog` is (at most :data:`CACHE_SIZE`
    files, kept apart from the parsed catalogs)."""
    return _cached(_LOOKUPS, path, read_lookup)


#: One line of a quoted string and its line end. No CR: a lone one is left to the strict
#: reader (``str.strip`` would take it off a line's end there).
_QUOTED = r'"[^"\\\n\r]*+(?:\\[^\n\r][^"\\\n\r]*+)*+"\n'
#: One entry in the layout our writer (and msgmerge, msgattrib) writes, without plurals or
#: obsolete entries: comments (``#`` ``# ...`` ``#.`` ``#:`` ``#,``, and ``#|`` previous
#: strings with their continuations), an optional msgctxt, msgid, msgstr, each string
#: continued on ``"..."`` lines, then blank lines. Every line is exactly as written (no
#: leading or trailing blanks), so the strict reader's ``strip`` changes none of them.
#: Every repeat is possessive: what follows it can never start the way it does, so giving
#: back would not help a match, and a long bad line fails at once.
_FAST_ENTRY = re.compile(
    rf"""(?P<comments>(?:
        \#(?:[^~|\n\r][^\n\r]*+)?\n
      | \#\|\ (?:msgctxt|msgid|msgid_plural)\ {_QUOTED}(?:\#\|\ {_QUOTED})*+
    )*+)
    (?:msgctxt\ (?P<context>(?:{_QUOTED})++))?
    msgid\ (?P<msgid>(?:{_QUOTED})++)
    msgstr\ (?P<msgstr>(?:{_QUOTED})++)
    \n*+""",
    re.VERBOSE,
)
#: The same entry read line by line, for an entry without a backslash: every comment line
#: that is no flag (``#,``), previous string (``#|``) or obsolete entry (``#~``) as one,
#: every string line as a quote, anything but a line end, and a quote. Each string line
#: with no other quote (:func:`_lookup` counts them) is one :data:`_QUOTED` reads, and the
#: entry reads as it does there, three times as fast: a class that only leaves out the line
#: end is the fastest repeat there is, and only the first character of a note is looked at.
#: (:func:`_plain_run` reads the entries it matches.)
_LINE_ENTRY = re.compile(
    r"""(?:\#(?:[^,|~\n][^\n]*+)?\n)*+
    (?:msgctxt\ (?P<context>(?:"[^\n]*"\n)++))?
    msgid\ (?P<msgid>(?:"[^\n]*"\n)++)
    msgstr\ (?P<msgstr>(?:"[^\n]*"\n)++)
    \n*+""",
    re.VERBOSE,
)
#: The string of a ``#|`` line, decoded only to find a bad escape the strict reader reports.
_PREVIOUS = re.compile(r'^#\|[^"\n]*"(.*)"$', re.MULTILINE)


def _quoted(block: str) -> str:
    """The text of a string matched by ``(?:_QUOTED)+``: each line decoded by itself, as the
    strict reader does (an escape never spans two lines)."""
    body = block[1:-2]
    # '"\n"' occurs only where one line of the string ends and the next begins.
    if "\\" not in body:
        return body.replace('"\n"', "")
    return "".join([_decode(piece, 0) for piece in body.split('"\n"')])


def _fast_lookup(text: str) -> CatalogLookup | None:
    """The lookup of ``text`` if every entry is in the layout :data:`_FAST_ENTRY` reads and
    nothing in it is a problem for :func:`parse_po`; otherwise None.

    It returns only what the strict reader would: a duplicate entry, a missing or bad header,
    an unknown escape, a msgid "" with a msgctxt (which Babel takes for a header) all give
    None, and the strict reader then says what is wrong.
    """
    if "\r" in text:  # no line of either expression holds one: it would be None below
        return None
    if not text.endswith("\n"):
        # The strict reader splits on "\n": a last line without one reads the same with it.
        text += "\n"
    try:
        # After the last backslash (the header's escaped line ends, usually), entries are
        # read by _LINE_ENTRY where it matches them.
        return _lookup(text, text.rfind("\\") + 1)
    except _NotPlain:
        return _lookup(text, len(text))


class _NotPlain(Exception):
    """A string line read by :data:`_LINE_ENTRY` holds a quote :data:`_QUOTED` would not read."""


def _lookup(text: str, plain_from: int) -> CatalogLookup | None:
    """:func:`_fast_lookup` of ``text`` (ending in a line end, without CR): from
    ``plain_from`` on, the entries :data:`_LINE_ENTRY` matches one after the other are read
    by :func:`_plain_run`, every other one by :data:`_FAST_ENTRY`."""
    position = len(text) - len(text.lstrip("\n"))
    end = len(text)
    line = 1 + position  # the number of the line at ``counted``
    counted = position
    entries: dict[_Key, LookupEntry] = {}
    header = False
    plain: list[str] = []  # the string lines _plain_run read
    match_entry = _FAST_ENTRY.match
    try:
        while position < end:
            if position >= plain_from:
                position, line, counted = _plain_run(text, position, (line, counted),
                                                     entries, plain)
                if position >= end:
                    break
            found = match_entry(text, position)
            if found is None:
                return None
            comments, context_block, msgid_block, msgstr_block = found.group(
                "comments", "context", "msgid", "msgstr")
            at = found.start("msgid")
            line += text.count("\n", counted, at)
            counted = at
            position = found.end()
            msgid = _quoted(msgid_block)
            context = _quoted(context_block) if context_block is not None else None
            string = _quoted(msgstr_block)
            key = (msgid, context)
            if key in entries or (msgid == "" and (context is not None or header)):
                return None
            fuzzy = False
            if comments:
                if "#|" in comments:
                    for previous in _PREVIOUS.findall(comments):
                        _decode(previous, 0)
                if "#," in comments:
                    fuzzy = any(row.startswith("#,") and "fuzzy" in
                                [flag.strip() for flag in row[2:].split(",")]
                                for row in comments.split("\n"))
            if msgid == "":
                fields, bad = _header_fields(string)
                charset = _header_charset(fields)
                if bad is not None or charset is None or not _is_utf8(charset):
                    return None
                header = True
                continue
            entries[key] = LookupEntry(string, fuzzy, line)
    except _Syntax:
        return None
    strings = "".join(plain)
    if strings.count('"') != 2 * strings.count("\n"):
        raise _NotPlain
    return CatalogLookup(entries) if header else None


def _plain_run(text: str, position: int, lines: tuple[int, int],
               entries: dict[_Key, LookupEntry], plain: list[str]) -> tuple[int, int, int]:
    """Read the entries :data:`_LINE_ENTRY` matches one after the other from ``position``
    (in a file without backslashes from there on) into ``entries``, their string lines into
    ``plain`` (to be checked for quotes by the caller); where it stopped, and the line count
    there (``lines``: the number of the line at an offset, as it is on the way in). It
    stops before an entry with an empty msgid (a header, for :data:`_FAST_ENTRY` to read);
    a duplicate is a :class:`_Syntax`.

    The strings escape nothing, so each is its lines without their quotes, joined.
    """
    line, counted = lines
    new = tuple.__new__  # LookupEntry's own __new__ is a Python function
    for found in _LINE_ENTRY.finditer(text, position):
        if found.start() != position:  # something between the two: not an entry here
            break
        context_block, msgid_block, msgstr_block = found.group("context", "msgid", "msgstr")
        msgid = msgid_block[1:-2].replace('"\n"', "")
        if not msgid:
            break
        at = found.start("msgid")
        line += text.count("\n", counted, at)
        counted = at
        key = (msgid, None if context_block is None else
               context_block[1:-2].replace('"\n"', ""))
        if key in entries:
            raise _Syntax(line, "a duplicate entry")
        entries[key] = new(LookupEntry, (msgstr_block[1:-2].replace('"\n"', ""), False, line,
                                         False))
        plain += (msgid_block, msgstr_block, context_block or "")
        position = found.end()
    return position, line, counted


# ------------------------------------------------------------------------ names and places


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def catalog_for(portfolio: Portfolio, product_id: str, locale: str) -> Path | None:
    """The catalog rendering uses for a product in a locale: ``de_AT`` falls back to ``de``."""
    name = catalog_name(product_id)
    for folder, text in _catalog_folders(portfolio, locale):
        if os.path.isfile(os.path.join(text, name)):
            return folder / name
    return None


def _catalog_folders(portfolio: Portfolio, locale: str) -> Iterator[tuple[Path, str]]:
    """The folders a catalog for ``locale`` is looked for in, most specific first, each as
    a Path and as text (a build asks for each product in each market: the file's path is
    joined as text, and one Path is made for the catalog found)."""
    for candidate in locale_chain(locale):
        folder = portfolio.catalog_folder(candidate)
        yield folder, os.fspath(folder)


def find_lookup(portfolio: Portfolio, product_id: str, locale: str,
                absent: set[str] | None = None) -> tuple[Path, CatalogLookup] | None:
    """:func:`catalog_for` and :func:`load_lookup` of what it finds, asking the file system
    once per locale tried (a build renders every product in two or three markets).

    ``absent`` holds the catalog folders found missing so far (by text), to be asked once
    rather than for every product (a build renders thousands of products in ``de_AT`` from
    ``de``'s catalogs): whoever keeps it sees a folder made later only with a new one, as a
    build's next plan does.
    """
    name = catalog_name(product_id)
    for folder, text in _catalog_folders(portfolio, locale):
        if absent is not None and text in absent:
            continue
        path = os.path.join(text, name)
        try:
            info = os.stat(path)
        except (OSError, ValueError):  # as os.path.isfile: not a file here
            if absent is not None and not os.path.isdir(text):
                absent.add(text)
            continue
        if stat.S_ISREG(info.st_mode):
            found = folder / name
            return found, _kept(_LOOKUPS, path, info, found,
                                functools.partial(read_lookup, size=info.st_size))
    return None
