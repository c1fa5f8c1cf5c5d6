"""What rendering reads of a catalog: its live messages by (msgid, msgctxt).

Rendering needs only msgstr, fuzzy and line of each message: a :class:`CatalogLookup`. It
holds what the strict reader (:func:`~smpc_manager.catalogs.pofile.parse_po`) reads, with
the same problems; :func:`parse_lookup` reads the common layout faster (see there).

Which catalog rendering uses for a product in a locale is
:meth:`smpc_manager.portfolio.Portfolio.catalog_file`'s to say.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smpc_manager.catalogs.cache import FileCache
from smpc_manager.catalogs.plurals import PluralError, plural_forms
from smpc_manager.catalogs.pocheck import entry_problems
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
    special_flags,
)

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog



class LookupEntry(NamedTuple):
    """What rendering reads of one message: its translation, whether that is fuzzy, and
    the line of its msgid (as :attr:`babel.messages.catalog.Message.lineno`)."""

    #: The msgstr; for a plural entry its first form.
    string: str
    fuzzy: bool
    lineno: int
    plural: bool = False


#: A message's context as catalogs made before message contexts named the field alone
#: have it for a field of several paragraphs: the field and the paragraph's position.
_POSITIONAL = re.compile(r"(?P<field>[^/#]+)/[1-9][0-9]*")


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

    def positional_context(self, msgid: str, field: str) -> str | None:
        """The context under which the catalog holds ``msgid`` by its position in
        ``field`` (``composition/2``), as catalogs written before messages were known by
        their field alone name it; None when it holds none such. Asked only for a message
        that was not found, to say how to convert the catalog (``smpc update``)."""
        for key_msgid, context in self._entries:
            if key_msgid == msgid and context is not None:
                found = _POSITIONAL.fullmatch(context)
                if found is not None and found["field"] == field:
                    return context
        return None

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


#: One line of a quoted string and its line end (the text it reads has no CR).
_QUOTED = r'"[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"\n'
#: One entry in the layout our writer (and msgmerge, msgattrib) writes, without plurals or
#: obsolete entries: comments (``#`` ``# ...`` ``#.`` ``#:`` ``#,``), then the ``#|``
#: previous msgctxt, msgid and msgid_plural (as GNU's grammar orders them) with their
#: continuations, an optional msgctxt, msgid, msgstr, each string
#: continued on ``"..."`` lines, then blank lines. Every line is exactly as written (no
#: leading or trailing blanks), so the strict reader's ``strip`` changes none of them.
#: Every repeat is possessive: what follows it can never start the way it does, so giving
#: back would not help a match, and a long bad line fails at once.
_WRITTEN_ENTRY = re.compile(
    rf"""(?P<comments>(?:\#(?:[^~|\n][^\n]*+)?\n)*+
      (?:(?:\#\|\ msgctxt\ {_QUOTED}(?:\#\|\ {_QUOTED})*+)?
         \#\|\ msgid\ {_QUOTED}(?:\#\|\ {_QUOTED})*+
         (?:\#\|\ msgid_plural\ {_QUOTED}(?:\#\|\ {_QUOTED})*+)?)?)
    (?:msgctxt\ (?P<context>(?:{_QUOTED})++))?
    msgid\ (?P<msgid>(?:{_QUOTED})++)
    msgstr\ (?P<msgstr>(?:{_QUOTED})++)
    \n*+""",
    re.VERBOSE,
)
#: The string of a ``#|`` line, decoded only to find a bad escape the strict reader reports.
_PREVIOUS = re.compile(r'^#\|[^"\n]*"(.*)"$', re.MULTILINE)


def parse_lookup(text: str, path: str | Path = "<catalog>") -> CatalogLookup:
    """The lookup of a .po file's text: ``CatalogLookup.from_catalog(parse_po(text, path))``,
    with the same problems. A :class:`~pathlib.Path` is named in problems as :func:`shown`
    shows it, worked out only for the strict reader (it resolves the path).

    A build reads a catalog for every product, so the layout our writer and GNU gettext's
    tools write has a fast path: such a catalog is read with one regular expression per
    entry (:data:`_WRITTEN_ENTRY`) rather than line by line into Babel messages. A catalog
    in any other layout (plural or obsolete entries, odd spacing), and one with anything
    the strict reader would report (a duplicate, a bad escape or header, an empty msgid
    with a msgctxt, which Babel takes for a header, a translation ``msgfmt --check``
    refuses), is read by the strict reader, so
    problems and line numbers are always its own. ``tests/test_catalog_lookup.py`` holds
    the two readers equal on generated, mutated and real catalogs.
    """

    def written_layout(text: str) -> dict[Key, LookupEntry] | None:
        """The entries of ``text`` (ending in a line end, no CR) if it is all in the written
        layout and nothing in it is a problem; otherwise None."""
        entries: dict[Key, LookupEntry] = {}
        header = False
        position = len(text) - len(text.lstrip("\n"))
        line, counted = 1 + position, position  # the number of the line at ``counted``
        while position < len(text):
            found = _WRITTEN_ENTRY.match(text, position)
            if found is None:
                return None
            line += text.count("\n", counted, found.start("msgid"))
            counted, position = found.start("msgid"), found.end()
            comments, context, msgid, string = found.group(
                "comments", "context", "msgid", "msgstr")
            try:
                key = (quoted(msgid), quoted(context) if context is not None else None)
                string = quoted(string)
                if "#|" in comments:
                    for previous in _PREVIOUS.findall(comments):
                        decode(previous, 0)
            except PoSyntaxError:
                return None
            if key in entries or (key[0] == "" and (key[1] is not None or header)):
                return None  # a duplicate, a second header, or a msgctxt with no msgid
            if key[0] == "":
                _, bad = header_fields(string)
                charset = header_charset(string)
                if bad is not None or charset is None or not is_utf8(charset):
                    return None
                try:
                    plural_forms(string)
                except PluralError:
                    return None
                header = True
            else:
                # Of several flag lines (#, or #!), the last counts, as in GNU's reader.
                rows = [row for row in comments.split("\n") if row.startswith(("#,", "#!"))]
                flags = special_flags(rows[-1][2:]) if rows else []
                fuzzy = "fuzzy" in flags
                if string and not fuzzy and entry_problems(key[0], None, [string], flags):
                    return None
                entries[key] = LookupEntry(string, fuzzy, line)
        return entries if header else None

    def quoted(block: str) -> str:
        """The text of a string matched by ``(?:_QUOTED)++``: each line decoded by itself, as
        the strict reader does (an escape never spans two lines)."""
        # '"\n"' occurs only where one line of the string ends and the next begins.
        body = block[1:-2]
        if "\\" not in body and "\x00" not in body and "\x04" not in body:  # most strings
            return body.replace('"\n"', "")
        return "".join([decode(piece, 0) for piece in body.split('"\n"')])

    # A CR (a blank to GNU's reader, between tokens) and a backslash before a line end
    # (which joins the lines) go to the strict reader. A last line without a line end
    # reads the same with one.
    entries = None if "\r" in text or "\\\n" in text else written_layout(
        text if text.endswith("\n") else text + "\n")
    if entries is None:
        return CatalogLookup.from_catalog(
            parse_po(text, shown(path) if isinstance(path, Path) else path))
    return CatalogLookup(entries)


def read_lookup(path: Path) -> CatalogLookup:
    """:func:`parse_lookup` of a file, read as :func:`read_catalog` reads it; its
    :attr:`~CatalogLookup.sha256` is that of the bytes read."""
    data = catalog_bytes(path)
    lookup = parse_lookup(catalog_text(data, path), path)
    lookup.sha256 = hashlib.sha256(data).hexdigest()
    return lookup


_LOOKUPS = FileCache(read_lookup)


def load_lookup(path: Path) -> CatalogLookup:
    """:func:`read_lookup`, kept per process while the file is unchanged (see
    :mod:`smpc_manager.catalogs.cache`)."""
    return _LOOKUPS.get(path)
