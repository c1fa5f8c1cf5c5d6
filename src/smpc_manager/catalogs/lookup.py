"""What rendering reads of a catalog: its live messages by (msgid, msgctxt).

Rendering needs only msgstr, fuzzy and line of each message: a :class:`CatalogLookup`. It
holds what the strict reader (:func:`~smpc_manager.catalogs.pofile.parse_po`) reads, with
the same problems; :func:`parse_lookup` reads the common layout faster (see there).

:func:`catalog_for` and :func:`find_lookup` say which catalog rendering uses for a product
in a locale.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smpc_manager.catalogs.cache import FileCache
from smpc_manager.catalogs.pofile import Key, parse_po
from smpc_manager.catalogs.syntax import (
    PoSyntaxError,
    catalog_bytes,
    catalog_text,
    decode,
    header_charset,
    header_fields,
    is_utf8,
    shown,
)
from smpc_manager.locales import locale_chain
from smpc_manager.portfolio import catalog_name

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from smpc_manager.portfolio import Portfolio


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

    def __init__(self, entries: dict[Key, LookupEntry], sha256: str = "") -> None:
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

    def __iter__(self) -> Iterator[Key]:
        """The (msgid, msgctxt) of every message, in the catalog's order."""
        return iter(self._entries)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> CatalogLookup:
        """The lookup of a Babel catalog's messages (its header and obsolete ones left out)."""
        entries: dict[Key, LookupEntry] = {}
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
    return CatalogLookup.from_catalog(parse_po(text, path))


def read_lookup(path: Path) -> CatalogLookup:
    """:func:`parse_lookup` of a file, read as :func:`read_catalog` reads it."""
    data = catalog_bytes(path)
    text = catalog_text(data, path)
    found = _fast_lookup(text)
    if found is None:
        found = CatalogLookup.from_catalog(parse_po(text, shown(path)))
    found.sha256 = hashlib.sha256(data).hexdigest()
    return found


_LOOKUPS = FileCache(read_lookup)


def load_lookup(path: Path) -> CatalogLookup:
    """:func:`read_lookup`, kept per process while the file is unchanged (see
    :mod:`smpc_manager.catalogs.cache`)."""
    return _LOOKUPS.get(path)


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
    return "".join([decode(piece, 0) for piece in body.split('"\n"')])


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
    entries: dict[Key, LookupEntry] = {}
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
                        decode(previous, 0)
                if "#," in comments:
                    fuzzy = any(row.startswith("#,") and "fuzzy" in
                                [flag.strip() for flag in row[2:].split(",")]
                                for row in comments.split("\n"))
            if msgid == "":
                fields, bad = header_fields(string)
                charset = header_charset(fields)
                if bad is not None or charset is None or not is_utf8(charset):
                    return None
                header = True
                continue
            entries[key] = LookupEntry(string, fuzzy, line)
    except PoSyntaxError:
        return None
    strings = "".join(plain)
    if strings.count('"') != 2 * strings.count("\n"):
        raise _NotPlain
    return CatalogLookup(entries) if header else None


def _plain_run(text: str, position: int, lines: tuple[int, int],
               entries: dict[Key, LookupEntry], plain: list[str]) -> tuple[int, int, int]:
    """Read the entries :data:`_LINE_ENTRY` matches one after the other from ``position``
    (in a file without backslashes from there on) into ``entries``, their string lines into
    ``plain`` (to be checked for quotes by the caller); where it stopped, and the line count
    there (``lines``: the number of the line at an offset, as it is on the way in). It
    stops before an entry with an empty msgid (a header, for :data:`_FAST_ENTRY` to read);
    a duplicate is a :class:`PoSyntaxError`.

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
            raise PoSyntaxError(line, "a duplicate entry")
        entries[key] = new(LookupEntry, (msgstr_block[1:-2].replace('"\n"', ""), False, line,
                                         False))
        plain += (msgid_block, msgstr_block, context_block or "")
        position = found.end()
    return position, line, counted


# ------------------------------------------------------------------------ finding catalogs


def catalog_for(portfolio: Portfolio, product_id: str, locale: str) -> Path | None:
    """The catalog rendering uses for a product in a locale: ``de_AT`` falls back to ``de``."""
    name = catalog_name(product_id)
    for folder, text in _catalog_folders(portfolio, locale):
        if os.path.isfile(os.path.join(text, name)):
            return folder / name
    return None


def _catalog_folders(portfolio: Portfolio, locale: str) -> Iterator[tuple[Path, str]]:
    """The folders a catalog for ``locale`` is looked for in, most specific first, each as
    a Path and as text."""
    for candidate in locale_chain(locale):
        folder = portfolio.catalog_folder(candidate)
        yield folder, os.fspath(folder)


def find_lookup(portfolio: Portfolio, product_id: str, locale: str,
                absent: set[str] | None = None) -> tuple[Path, CatalogLookup] | None:
    """:func:`catalog_for` and :func:`load_lookup` of what it finds.

    ``absent`` holds the catalog folders found missing so far (by text), to be asked once
    rather than for every product: whoever keeps it sees a folder made later only with a
    new one, as a build's next plan does.
    """
    name = catalog_name(product_id)
    for folder, text in _catalog_folders(portfolio, locale):
        if absent is not None and text in absent:
            continue
        try:
            info = os.stat(os.path.join(text, name))
        except (OSError, ValueError):  # as os.path.isfile: not a file here
            if absent is not None and not os.path.isdir(text):
                absent.add(text)
            continue
        if stat.S_ISREG(info.st_mode):
            found = folder / name
            return found, _LOOKUPS.get(found, info)
    return None
