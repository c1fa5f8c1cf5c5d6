"""Reading and writing .po and .pot files: a strict reader and a writer that GNU tools agree with.

The catalogs are :class:`babel.messages.catalog.Catalog` objects, but the file format is
handled here rather than by Babel's ``read_po``/``write_po``: Babel's reader accepts
duplicate entries and a non-UTF-8 charset in silence, does not read ``#|`` previous msgids
back, and its writer regenerates the header (``Generated-By``, dates). A translator's file
must survive a round trip unchanged, and our output must be byte-identical for the same
input, so the header is kept as it was written (:class:`PoCatalog`) and every string is
wrapped at :data:`WIDTH` columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from babel import Locale
from babel.messages.catalog import Catalog, Message

from smpc_manager import files as atomic
from smpc_manager.catalogs.cache import FileCache
from smpc_manager.catalogs.syntax import (
    PoSyntaxError,
    catalog_bytes,
    catalog_text,
    charset_problem,
    decode,
    header_charset,
    header_field,
    header_fields,
    is_utf8,
    quoted,
    shown,
    unquote,
)
from smpc_manager.errors import Problem, ProblemsError, SourceLocation

#: Column at which strings and comments are wrapped; fixed, so the output never churns.
WIDTH = 76
#: The start of the ``#.`` comment on a message that `update` filled from a translation
#: memory (another catalog of the portfolio, or a compendium); the source follows.
MEMORY_NOTE = "Translation memory: "

#: What tells two messages of a catalog apart: (msgid, msgctxt); a plural's first msgid.
Key = tuple[str, str | None]


class PoCatalog(Catalog):
    """A Babel catalog that keeps its header entry exactly as it was read or made.

    ``header_comments`` are the ``#`` lines above the header entry (without ``# ``),
    ``header_fields`` the ``Name: value`` lines of its msgstr in their order,
    ``header_flags`` its ``#,`` flags as written; whether it is fuzzy is ``header_fuzzy``.
    """

    def __init__(self, locale: str | Locale | None = None, **kwargs: Any) -> None:
        super().__init__(locale, **kwargs)
        self.header_comments: list[str] = []
        self.header_fields: list[tuple[str, str]] = []
        self.header_flags: list[str] = []
        self.header_fuzzy = False

    def header(self, name: str) -> str | None:
        """The value of a header field, matched case-insensitively."""
        return header_field(self.header_fields, name)

    def set_header(self, name: str, value: str) -> None:
        """Replace a header field's value, or append the field."""
        for i, (key, _) in enumerate(self.header_fields):
            if key.lower() == name.lower():
                self.header_fields[i] = (key, value)
                return
        self.header_fields.append((name, value))


class PoMessage(Message):
    """A Babel message whose flags are kept as they were written.

    Babel's :class:`~babel.messages.catalog.Message` holds its flags in a set, and adds or
    drops ``python-format`` by looking at the msgid each time one is made (``clone`` too).
    The flags of an entry are the translators' and their tools' (``#, c-format, no-wrap``):
    a catalog read and written again must carry them as written. ``flags`` stays the set
    Babel reads (``fuzzy``); ``written`` is their order in the file.
    """

    def __init__(self, id: Any, string: Any = "", *, flags: Iterable[str] = (),
                 **kwargs: Any) -> None:
        super().__init__(id, string, **kwargs)
        self.written = list(dict.fromkeys(flags))
        self.flags = set(self.written)


def written_flags(message: Message) -> list[str]:
    """The flags of a message in the order they are written: those read from the file as
    they stood, then any added since (``fuzzy`` first, where GNU msgmerge puts it)."""
    written = message.written if isinstance(message, PoMessage) else []
    kept = [flag for flag in written if flag in message.flags]
    added = sorted(message.flags.difference(kept))
    fuzzy = ["fuzzy"] if "fuzzy" in added else []
    return [*fuzzy, *kept, *(flag for flag in added if flag != "fuzzy")]


def copy_message(message: Message) -> PoMessage:
    """A copy of ``message`` with its flags as they are written (see :class:`PoMessage`)."""
    return PoMessage(copy(message.id), copy(message.string), flags=written_flags(message),
                     locations=list(message.locations),
                     auto_comments=list(message.auto_comments),
                     user_comments=list(message.user_comments),
                     previous_id=list(message.previous_id), lineno=message.lineno,
                     context=message.context)


def message_key(message: Message) -> Key:
    """The :data:`Key` of a Babel message."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (msgid, message.context)


def has_translation(message: Message) -> bool:
    """Whether a message has a translation (for a plural, in any of its forms)."""
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return any(strings)


# ------------------------------------------------------------------------ reading


_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)")
#: Most lines of a catalog, in one match: ``msgctxt``, ``msgid`` or ``msgstr`` and a
#: string, or a string continuing one (what _KEYWORD and unquote would make of them).
_PLAIN_LINE = re.compile(r'(?:(msgctxt|msgid|msgstr)\s*)?"((?:[^"\\]|\\.)*)"')


@dataclass
class _Entry:
    """One entry as it is being read."""

    line: int = 0
    obsolete: bool = False
    comments: list[str] = field(default_factory=list)
    auto: list[str] = field(default_factory=list)
    locations: list[tuple[str, int | None]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous: dict[str, str] = field(default_factory=dict)
    context: str | None = None
    msgid: str | None = None
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    #: The part a continuation line adds to: ("msgid", None), ("msgstr", 0), ("previous", "msgid").
    current: tuple[str, object] | None = None

    def has_content(self) -> bool:
        return self.msgid is not None or self.context is not None

    def started(self) -> bool:
        return bool(self.has_content() or self.comments or self.auto or self.locations
                    or self.flags or self.previous)


class _Parser:
    """The state of reading one file, line by line."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.entry = _Entry()

    def finish(self) -> None:
        entry = self.entry
        if entry.has_content():
            if entry.msgid is None:
                raise PoSyntaxError(entry.line, "syntax error: this msgctxt has no msgid")
            if not entry.strings:
                raise PoSyntaxError(entry.line, "syntax error: this msgid has no msgstr")
            self.entries.append(entry)
        # Comments that end the file belong to no entry; GNU tools drop them too.
        self.entry = _Entry()

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            if self.entry.strings:
                self.finish()
            return
        plain = _PLAIN_LINE.fullmatch(line)
        if plain is not None:  # the common case, read as the general path below reads it
            if self.entry.obsolete and self.entry.has_content():
                raise PoSyntaxError(number, "syntax error: an entry is partly obsolete (#~)")
            word, body = plain.group(1, 2)
            value = decode(body, number)
            if word is None:
                _continue(self.entry, value, number)
                return
            if word != "msgstr" and self.entry.strings:
                self.finish()
                self.entry.obsolete = False
            self.keyword(self.entry, word, None, value, number)
            return
        obsolete = False
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].lstrip()
            if not line:
                return
            if line.startswith("|"):
                line = "#" + line
        if line.startswith("#"):
            if self.entry.strings:
                self.finish()
            _comment(self.entry, line, number, obsolete)
            return
        if obsolete:
            self.entry.obsolete = True
        elif self.entry.obsolete and self.entry.has_content():
            raise PoSyntaxError(number, "syntax error: an entry is partly obsolete (#~)")
        if line.startswith('"'):
            _continue(self.entry, unquote(line, number), number)
            return
        match = _KEYWORD.fullmatch(line)
        if match is None:
            word = line.split()[0]
            raise PoSyntaxError(number, f"syntax error: unknown keyword {quoted(word)}"
                                  " (expected msgctxt, msgid, msgid_plural or msgstr)")
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        value = unquote(rest, number)
        if keyword in ("msgctxt", "msgid") and self.entry.strings:
            self.finish()
            self.entry.obsolete = obsolete
        self.keyword(self.entry, keyword, index, value, number)

    @staticmethod
    def keyword(entry: _Entry, keyword: str, index: str | None, value: str,
                number: int) -> None:
        if keyword in ("msgctxt", "msgid") and entry.msgid is not None:
            raise PoSyntaxError(entry.line, "syntax error: this msgid has no msgstr")
        if keyword == "msgctxt":
            if entry.context is not None:
                raise PoSyntaxError(number, "syntax error: a second msgctxt")
            entry.context, entry.line, entry.current = value, number, ("msgctxt", None)
        elif keyword == "msgid":
            # Problems point at the msgid line, as GNU msgfmt's do.
            entry.msgid, entry.line, entry.current = value, number, ("msgid", None)
        elif keyword == "msgid_plural":
            if entry.msgid is None or entry.strings:
                raise PoSyntaxError(number, "syntax error: msgid_plural not after a msgid")
            entry.plural, entry.current = value, ("msgid_plural", None)
        else:
            if entry.msgid is None:
                raise PoSyntaxError(number, "syntax error: msgstr without a msgid")
            slot = int(index) if index is not None else 0
            if (index is None) != (entry.plural is None):
                raise PoSyntaxError(number, "syntax error: msgstr[N] belongs to plural messages,"
                                      " plain msgstr to the others")
            if slot in entry.strings:
                raise PoSyntaxError(number, f"syntax error: a second {keyword}")
            entry.strings[slot] = value
            entry.current = ("msgstr", slot)


def parse_po(text: str, path: str = "<catalog>") -> PoCatalog:
    """Parse the text of a .po/.pot file into a :class:`PoCatalog`; strict.

    Raises :class:`ProblemsError` with ``path:line`` for a syntax error, a header whose
    charset is not UTF-8, and entries defined twice (same msgctxt and msgid).
    """
    parser = _Parser()
    try:
        for number, raw in enumerate(text.split("\n"), 1):
            parser.feed(number, raw)
        parser.finish()
    except PoSyntaxError as err:
        raise ProblemsError([Problem(SourceLocation(path, err.line), err.message)]) from None
    return _build(parser.entries, path)


def _build(entries: list[_Entry], path: str) -> PoCatalog:
    catalog = PoCatalog()
    problems: list[Problem] = []
    # GNU msgfmt counts an obsolete entry with the key of a live one as a duplicate too.
    seen: dict[Key, int] = {}
    for item in entries:
        assert item.msgid is not None
        key = (item.msgid, item.context)
        if key in seen:
            what = f"msgctxt {quoted(item.context)} msgid " if item.context is not None \
                else "msgid "
            problems.append(Problem(
                SourceLocation(path, item.line),
                f"duplicate entry: {what}{quoted(item.msgid, 50)} is already defined on line"
                f" {seen[key]}",
            ))
            continue
        seen[key] = item.line
        if item.msgid == "" and item.context is None and not item.obsolete:
            problems.extend(_read_header(catalog, item, path))
            continue
        if item.msgid == "" and not item.obsolete:
            # Babel keeps every empty msgid as the header, its context ignored: such an
            # entry would replace the real header's fields. No message of ours is empty.
            problems.append(Problem(
                SourceLocation(path, item.line),
                f"msgctxt {quoted(item.context or '')} has an empty msgid: an empty msgid is"
                " the header's"
                " alone (a message needs its source text)",
            ))
            continue
        _add(catalog, item)
    if not any(e.msgid == "" and e.context is None and not e.obsolete for e in entries):
        problems.append(Problem(SourceLocation(path, 1),
                                "no header entry (msgid \"\") declaring charset=UTF-8"))
    if problems:
        raise ProblemsError(problems)
    return catalog


def _comment(entry: _Entry, line: str, number: int, obsolete: bool) -> None:
    if not entry.started():
        entry.line = number
    if entry.msgid is not None:
        raise PoSyntaxError(entry.line, "syntax error: this msgid has no msgstr")
    if entry.context is not None:
        raise PoSyntaxError(entry.line, "syntax error: this msgctxt has no msgid")
    kind = line[:2]
    body = line[2:]
    if obsolete and kind != "#|":
        raise PoSyntaxError(number, "syntax error: unexpected '#~ #'")
    if kind == "#:":
        for token in body.split():
            name, colon, lineno = token.rpartition(":")
            if colon and lineno.isascii() and lineno.isdigit():  # not "¹8"
                entry.locations.append((name, int(lineno)))
            else:
                entry.locations.append((token, None))
    elif kind == "#,":
        entry.flags.extend(f.strip() for f in body.split(",") if f.strip())
    elif kind == "#.":
        entry.auto.append(body[1:] if body.startswith(" ") else body)
    elif kind == "#|":
        if obsolete:
            entry.obsolete = True
        body = body.strip()
        if body.startswith('"'):
            if entry.current is None or entry.current[0] != "previous":
                raise PoSyntaxError(number, "syntax error: '#|' string without a previous msgid")
            name = str(entry.current[1])
            entry.previous[name] += unquote(body, number)
            return
        word, _, rest = body.partition(" ")
        if word not in ("msgctxt", "msgid", "msgid_plural"):
            raise PoSyntaxError(number, "syntax error: unknown previous keyword"
                                        f" {quoted('#| ' + word)}")
        entry.previous[word] = unquote(rest, number)
        entry.current = ("previous", word)
    else:
        text = line[1:]
        entry.comments.append(text[1:] if text.startswith(" ") else text)


def _continue(entry: _Entry, value: str, number: int) -> None:
    if entry.current is None or entry.current[0] == "previous":
        raise PoSyntaxError(number, "syntax error: a string that continues nothing")
    part, slot = entry.current
    if part == "msgctxt":
        entry.context = (entry.context or "") + value
    elif part == "msgid":
        entry.msgid = (entry.msgid or "") + value
    elif part == "msgid_plural":
        entry.plural = (entry.plural or "") + value
    else:
        assert isinstance(slot, int)
        entry.strings[slot] += value


def _add(catalog: PoCatalog, item: _Entry) -> None:
    assert item.msgid is not None
    msgid: str | tuple[str, str] = item.msgid
    string: str | tuple[str, ...] = item.strings.get(0, "")
    previous: list[str] = []
    if "msgid" in item.previous:
        previous = [item.previous["msgid"]]
        if "msgid_plural" in item.previous:
            previous.append(item.previous["msgid_plural"])
    if item.plural is not None:
        msgid = (item.msgid, item.plural)
        string = tuple(item.strings.get(i, "") for i in range(max(item.strings) + 1))
    message = PoMessage(msgid, string, flags=item.flags,
                        locations=cast(Any, item.locations),
                        auto_comments=item.auto, user_comments=item.comments,
                        previous_id=previous, lineno=item.line, context=item.context)
    if item.obsolete:
        catalog.obsolete[(item.msgid, item.context) if item.context is not None
                         else item.msgid] = message
    else:
        catalog[msgid] = message


def _read_header(catalog: PoCatalog, item: _Entry, path: str) -> list[Problem]:
    catalog.header_comments = list(item.comments)
    catalog.header_flags = list(dict.fromkeys(item.flags))
    catalog.header_fuzzy = catalog.fuzzy = "fuzzy" in item.flags
    fields, bad = header_fields(item.strings.get(0, ""))
    if bad is not None:
        return [Problem(SourceLocation(path, item.line),
                        f"header: expected 'Name: value', found {quoted(bad)}")]
    catalog.header_fields = fields
    charset = header_charset(fields)
    if charset is None or not is_utf8(charset):
        return [charset_problem(path, item.line, charset)]
    for name, value in fields:
        # Babel reads the locale, plural forms and dates from the header; a value it
        # cannot read is left to the header text, which is what we write back.
        try:
            catalog.mime_headers = [(name, value)]
        except (ValueError, TypeError, LookupError):
            continue
    catalog.charset = "utf-8"
    return []


def read_catalog(path: Path) -> PoCatalog:
    """Read a .po or .pot file strictly; raise :class:`ProblemsError` naming ``path:line``.

    The file must be UTF-8 (a BOM is dropped); CRLF line ends read as LF.
    """
    return parse_po(catalog_text(catalog_bytes(path), path), shown(path))


_CATALOGS = FileCache(read_catalog)


def load_catalog(path: Path) -> PoCatalog:
    """:func:`read_catalog`, kept per process while the file is unchanged (see
    :mod:`smpc_manager.catalogs.cache`). The catalog returned is shared: callers must not
    change it."""
    return _CATALOGS.get(path)


# ------------------------------------------------------------------------ writing


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t").replace("\r", "\\r"))


def _chunks(text: str, room: int) -> list[str]:
    """Split a string into pieces whose escaped form fits ``room``, breaking after spaces
    and after each newline, as GNU gettext does."""
    pieces: list[str] = []
    for part in re.findall(r"[^\n]*\n|[^\n]+", text):
        current = ""
        for word in re.findall(r"[^ ]+ *| +", part):
            if current and len(_escape(current + word)) > room:
                pieces.append(current)
                current = word
            else:
                current += word
        if current:
            pieces.append(current)
    return pieces


def _string(keyword: str, text: str, prefix: str = "", *, wrap: bool = True) -> list[str]:
    """A keyword and its string, wrapped at :data:`WIDTH` and after each newline; with
    ``wrap`` false (an entry flagged ``no-wrap``), broken after newlines only."""
    single = f"{prefix}{keyword} \"{_escape(text)}\""
    if (len(single) <= WIDTH or not wrap) and "\n" not in text[:-1]:
        return [single]
    pieces = _chunks(text, WIDTH - len(prefix) - 2) if wrap \
        else re.findall(r"[^\n]*\n|[^\n]+", text)
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_escape(p)}"' for p in pieces]


def _wrap_words(words: Sequence[str], lead: str) -> list[str]:
    lines: list[str] = []
    current = lead
    for word in words:
        if current != lead and len(current) + 1 + len(word) > WIDTH:
            lines.append(current)
            current = lead
        current = f"{current} {word}"
    if current != lead:
        lines.append(current)
    return lines


def _entry_lines(message: Message, obsolete: bool) -> list[str]:
    out: list[str] = []
    out.extend(f"# {c}".rstrip() if c else "#" for c in message.user_comments)
    out.extend(f"#. {c}".rstrip() for c in message.auto_comments)
    if message.locations and not obsolete:
        words = [f"{name}:{line}" if line else name for name, line in message.locations]
        out.extend(_wrap_words(words, "#:"))
    flags = written_flags(message)
    if flags:
        out.append("#, " + ", ".join(flags))
    wrap = "no-wrap" not in message.flags
    prefix = "#~ " if obsolete else ""
    previous = list(message.previous_id or ())
    if previous:
        mark = "#~| " if obsolete else "#| "
        out.extend(_string("msgid", previous[0], mark, wrap=wrap))
        if len(previous) > 1:
            out.extend(_string("msgid_plural", previous[1], mark, wrap=wrap))
    if message.context is not None:
        out.extend(_string("msgctxt", message.context, prefix, wrap=wrap))
    if isinstance(message.id, (list, tuple)):
        out.extend(_string("msgid", message.id[0], prefix, wrap=wrap))
        out.extend(_string("msgid_plural", message.id[1], prefix, wrap=wrap))
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else []
        for i, value in enumerate(strings or [""]):
            out.extend(_string(f"msgstr[{i}]", value or "", prefix, wrap=wrap))
    else:
        out.extend(_string("msgid", message.id, prefix, wrap=wrap))
        out.extend(_string("msgstr", str(message.string or ""), prefix, wrap=wrap))
    return out


def format_po(catalog: Catalog) -> str:
    """The text of a catalog in .po syntax: header, messages in order, obsolete ones last.

    The same catalog always gives the same text: no dates are filled in here, strings are
    wrapped at :data:`WIDTH`.
    """
    flags: list[str] = []
    if isinstance(catalog, PoCatalog):
        comments, fields, fuzzy = catalog.header_comments, catalog.header_fields, \
            catalog.header_fuzzy
        flags = [flag for flag in catalog.header_flags if flag != "fuzzy" or fuzzy]
    else:
        comments, fields, fuzzy = [], list(catalog.mime_headers), bool(catalog.fuzzy)
    if fuzzy and "fuzzy" not in flags:
        flags.insert(0, "fuzzy")
    lines = [f"# {c}".rstrip() if c else "#" for c in comments]
    if flags:
        lines.append("#, " + ", ".join(flags))
    lines.append('msgid ""')
    lines.append('msgstr ""')
    lines.extend(f'"{_escape(f"{name}: {value}")}\\n"' for name, value in fields)
    blocks = ["\n".join(lines)]
    for message in catalog:
        if message.id:
            blocks.append("\n".join(_entry_lines(message, obsolete=False)))
    live = {message_key(m) for m in catalog if m.id}
    for message in catalog.obsolete.values():
        if message_key(message) not in live:  # the live entry supersedes its obsolete twin
            blocks.append("\n".join(_entry_lines(message, obsolete=True)))
    return "\n\n".join(blocks) + "\n"


def write_catalog(path: Path, catalog: Catalog, *, read: bytes | None = None) -> bool:
    """Write a catalog atomically; return False (and leave the file alone) if unchanged.

    ``read`` is what the file held when the catalog was read from it (``b""``: there was
    no file). The file is then replaced only if it still holds that just before the
    rename: a catalog a translator saved in the meantime is never overwritten; that is a
    :class:`ProblemsError` asking to run the command again, which merges into their file.
    """
    data = format_po(catalog).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic.write_bytes(path, data, before_replace=None if read is None
                       else lambda: unchanged_since(path, read))
    return True


def unchanged_since(path: Path, read: bytes) -> None:
    """Raise :class:`ProblemsError` unless ``path`` still holds ``read`` (``b""``: that
    there is still no file)."""
    try:
        now = atomic.read_bytes(path)
    except FileNotFoundError:
        now = b""
    except OSError as err:
        raise ProblemsError([Problem(SourceLocation(shown(path)),
                                     f"cannot be read: {err.strerror or err}")]) from None
    if now != read:
        raise ProblemsError([Problem(
            SourceLocation(shown(path)),
            "was changed by someone else while this command ran; it is left as they saved"
            " it: run the command again to merge into their version",
        )])

