"""Every .pot/.po/.mo read and write: a strict reader, a stable writer, update, compile, stats.

The catalogs are :class:`babel.messages.catalog.Catalog` objects, but the file format is
handled here rather than by Babel's ``read_po``/``write_po``: Babel's reader accepts
duplicate entries and a non-UTF-8 charset in silence, does not read ``#|`` previous msgids
back, and its writer regenerates the header (``Generated-By``, dates). A translator's file
must survive a round trip unchanged, and our output must be byte-identical for the same
input, so the header is kept as it was written (:class:`PoCatalog`) and every string is
wrapped at :data:`WIDTH` columns.

Updating is our own too: Babel's ``Catalog.update`` offers fuzzy matches across contexts,
which would put the German of ``contraindications/2`` under ``indications``. Here a
changed message is matched only within its own context (field).

Rendering needs only (msgctxt, msgid) -> msgstr, fuzzy and line: it reads a
:class:`~smpc_manager.catalogs.lookup.CatalogLookup`, read from any catalog through this
module's reader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from babel import Locale
from babel.messages.catalog import Catalog, Message

from smpc_manager import files as atomic
from smpc_manager.catalogs.lookup import (
    _cached,
    _charset_problem,
    _decode,
    _decode_file,
    _field,
    _header_charset,
    _header_fields,
    _is_utf8,
    _Key,
    _read_bytes,
    _Stamp,
    _Syntax,
    catalog_for,
    shown,
)
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.locales import normalize_locale
from smpc_manager.model import Product

if TYPE_CHECKING:
    from smpc_manager.portfolio import Portfolio
    from smpc_manager.rules import Translated

#: Column at which strings and comments are wrapped; fixed, so the output never churns.
WIDTH = 76



class PoCatalog(Catalog):
    """A Babel catalog that keeps its header entry exactly as it was read or made.

    ``header_comments`` are the ``#`` lines above the header entry (without ``# ``),
    ``header_fields`` the ``Name: value`` lines of its msgstr in their order.
    """

    def __init__(self, locale: str | Locale | None = None, **kwargs: Any) -> None:
        super().__init__(locale, **kwargs)
        self.header_comments: list[str] = []
        self.header_fields: list[tuple[str, str]] = []
        self.header_fuzzy = False

    def header(self, name: str) -> str | None:
        """The value of a header field, matched case-insensitively."""
        return _field(self.header_fields, name)

    def set_header(self, name: str, value: str) -> None:
        """Replace a header field's value, or append the field."""
        for i, (key, _) in enumerate(self.header_fields):
            if key.lower() == name.lower():
                self.header_fields[i] = (key, value)
                return
        self.header_fields.append((name, value))


# ------------------------------------------------------------------------ reading


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)")
#: Most lines of a catalog, in one match: ``msgctxt``, ``msgid`` or ``msgstr`` and a
#: string, or a string continuing one (what _KEYWORD and _unquote would make of them).
_PLAIN_LINE = re.compile(r'(?:(msgctxt|msgid|msgstr)\s*)?"((?:[^"\\]|\\.)*)"')
#: One escape sequence in a quoted string: octal, hexadecimal, or a single character.

def _unquote(text: str, line: int) -> str:
    match = _STRING.fullmatch(text.strip())
    if match is None:
        shown = text.strip()
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise _Syntax(line, f"syntax error: expected a string in double quotes, found {shown!r}")
    return _decode(match.group(1), line)


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
                raise _Syntax(entry.line, "syntax error: this msgctxt has no msgid")
            if not entry.strings:
                raise _Syntax(entry.line, "syntax error: this msgid has no msgstr")
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
                raise _Syntax(number, "syntax error: an entry is partly obsolete (#~)")
            word, body = plain.group(1, 2)
            value = _decode(body, number)
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
            raise _Syntax(number, "syntax error: an entry is partly obsolete (#~)")
        if line.startswith('"'):
            _continue(self.entry, _unquote(line, number), number)
            return
        match = _KEYWORD.fullmatch(line)
        if match is None:
            word = line.split()[0]
            raise _Syntax(number, f"syntax error: unknown keyword '{word}'"
                                  " (expected msgctxt, msgid, msgid_plural or msgstr)")
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        value = _unquote(rest, number)
        if keyword in ("msgctxt", "msgid") and self.entry.strings:
            self.finish()
            self.entry.obsolete = obsolete
        self.keyword(self.entry, keyword, index, value, number)

    @staticmethod
    def keyword(entry: _Entry, keyword: str, index: str | None, value: str,
                number: int) -> None:
        if keyword in ("msgctxt", "msgid") and entry.msgid is not None:
            raise _Syntax(entry.line, "syntax error: this msgid has no msgstr")
        if keyword == "msgctxt":
            if entry.context is not None:
                raise _Syntax(number, "syntax error: a second msgctxt")
            entry.context, entry.line, entry.current = value, number, ("msgctxt", None)
        elif keyword == "msgid":
            # Problems point at the msgid line, as GNU msgfmt's do.
            entry.msgid, entry.line, entry.current = value, number, ("msgid", None)
        elif keyword == "msgid_plural":
            if entry.msgid is None or entry.strings:
                raise _Syntax(number, "syntax error: msgid_plural not after a msgid")
            entry.plural, entry.current = value, ("msgid_plural", None)
        else:
            if entry.msgid is None:
                raise _Syntax(number, "syntax error: msgstr without a msgid")
            slot = int(index) if index is not None else 0
            if (index is None) != (entry.plural is None):
                raise _Syntax(number, "syntax error: msgstr[N] belongs to plural messages,"
                                      " plain msgstr to the others")
            if slot in entry.strings:
                raise _Syntax(number, f"syntax error: a second {keyword}")
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
    except _Syntax as err:
        raise ProblemsError([Problem(SourceLocation(path, err.line), err.message)]) from None
    return _build(parser.entries, path)


def _build(entries: list[_Entry], path: str) -> PoCatalog:
    catalog = PoCatalog()
    problems: list[Problem] = []
    # GNU msgfmt counts an obsolete entry with the key of a live one as a duplicate too.
    seen: dict[_Key, int] = {}
    for item in entries:
        assert item.msgid is not None
        key = (item.msgid, item.context)
        if key in seen:
            what = f"msgctxt {item.context!r} msgid " if item.context is not None else "msgid "
            shown = item.msgid if len(item.msgid) <= 50 else item.msgid[:47] + "..."
            problems.append(Problem(
                SourceLocation(path, item.line),
                f"duplicate entry: {what}{shown!r} is already defined on line {seen[key]}",
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
                f"msgctxt {item.context!r} has an empty msgid: an empty msgid is the header's"
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
        raise _Syntax(entry.line, "syntax error: this msgid has no msgstr")
    if entry.context is not None:
        raise _Syntax(entry.line, "syntax error: this msgctxt has no msgid")
    kind = line[:2]
    body = line[2:]
    if obsolete and kind != "#|":
        raise _Syntax(number, "syntax error: unexpected '#~ #'")
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
                raise _Syntax(number, "syntax error: '#|' string without a previous msgid")
            name = str(entry.current[1])
            entry.previous[name] += _unquote(body, number)
            return
        word, _, rest = body.partition(" ")
        if word not in ("msgctxt", "msgid", "msgid_plural"):
            raise _Syntax(number, f"syntax error: unknown previous keyword '#| {word}'")
        entry.previous[word] = _unquote(rest, number)
        entry.current = ("previous", word)
    else:
        text = line[1:]
        entry.comments.append(text[1:] if text.startswith(" ") else text)


def _continue(entry: _Entry, value: str, number: int) -> None:
    if entry.current is None or entry.current[0] == "previous":
        raise _Syntax(number, "syntax error: a string that continues nothing")
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
    message = Message(cast(Any, msgid), cast(Any, string),
                      locations=cast(Any, item.locations), flags=(),
                      auto_comments=item.auto, user_comments=item.comments,
                      previous_id=previous, lineno=item.line, context=item.context)
    # Babel guesses python-format flags from '%' in the text; keep exactly what was written.
    message.flags = set(item.flags)
    if item.obsolete:
        catalog.obsolete[(item.msgid, item.context) if item.context is not None
                         else item.msgid] = message
    else:
        catalog[msgid] = message


def _read_header(catalog: PoCatalog, item: _Entry, path: str) -> list[Problem]:
    catalog.header_comments = list(item.comments)
    catalog.header_fuzzy = catalog.fuzzy = "fuzzy" in item.flags
    fields, bad = _header_fields(item.strings.get(0, ""))
    if bad is not None:
        return [Problem(SourceLocation(path, item.line),
                        f"header: expected 'Name: value', found {bad!r}")]
    catalog.header_fields = fields
    charset = _header_charset(fields)
    if charset is None or not _is_utf8(charset):
        return [_charset_problem(path, item.line, charset)]
    for name, value in fields:
        # Babel reads the locale, plural forms and dates from the header; a value it
        # cannot read is left to the header text, which is what we write back.
        try:
            catalog.mime_headers = [(name, value)]
        except (ValueError, TypeError, LookupError):
            continue
    catalog.charset = "utf-8"
    return []


def _read_text(path: Path) -> str:
    """The text of a catalog file: UTF-8 (a BOM is dropped), CRLF line ends read as LF;
    a file that cannot be read, or not as UTF-8, is a :class:`ProblemsError`.

    The file's name as messages show it (:func:`shown`) is worked out only for a problem:
    it resolves the path, which takes longer than reading a catalog our writer wrote.
    """
    return _decode_file(_read_bytes(path), path)


def read_catalog(path: Path) -> PoCatalog:
    """Read a .po or .pot file strictly; raise :class:`ProblemsError` naming ``path:line``."""
    return parse_po(_read_text(path), shown(path))


_CACHE: dict[str, tuple[_Stamp, PoCatalog]] = {}
def load_catalog(path: Path) -> PoCatalog:
    """:func:`read_catalog`, cached per process by the path and the file's device, inode,
    mtime_ns and size.

    Rendering many markets from one catalog parses it once; an edited file is read again.
    The catalog returned is shared: callers must not change it.
    """
    return _cached(_CACHE, path, read_catalog)


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


def _string(keyword: str, text: str, prefix: str = "") -> list[str]:
    single = f"{prefix}{keyword} \"{_escape(text)}\""
    if len(single) <= WIDTH and "\n" not in text[:-1]:
        return [single]
    room = WIDTH - len(prefix) - 2
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_escape(p)}"' for p in _chunks(text, room)]


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
    flags = sorted(message.flags)
    if flags:
        out.append("#, " + ", ".join(flags))
    prefix = "#~ " if obsolete else ""
    previous = list(message.previous_id or ())
    if previous:
        mark = "#~| " if obsolete else "#| "
        out.extend(_string("msgid", previous[0], mark))
        if len(previous) > 1:
            out.extend(_string("msgid_plural", previous[1], mark))
    if message.context is not None:
        out.extend(_string("msgctxt", message.context, prefix))
    if isinstance(message.id, (list, tuple)):
        out.extend(_string("msgid", message.id[0], prefix))
        out.extend(_string("msgid_plural", message.id[1], prefix))
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else []
        for i, value in enumerate(strings or [""]):
            out.extend(_string(f"msgstr[{i}]", value or "", prefix))
    else:
        out.extend(_string("msgid", message.id, prefix))
        out.extend(_string("msgstr", str(message.string or ""), prefix))
    return out


def format_po(catalog: Catalog) -> str:
    """The text of a catalog in .po syntax: header, messages in order, obsolete ones last.

    The same catalog always gives the same text: no dates are filled in here, strings are
    wrapped at :data:`WIDTH`.
    """
    if isinstance(catalog, PoCatalog):
        comments, fields, fuzzy = catalog.header_comments, catalog.header_fields, \
            catalog.header_fuzzy
    else:
        comments, fields, fuzzy = [], list(catalog.mime_headers), bool(catalog.fuzzy)
    lines = [f"# {c}".rstrip() if c else "#" for c in comments]
    if fuzzy:
        lines.append("#, fuzzy")
    lines.append('msgid ""')
    lines.append('msgstr ""')
    lines.extend(f'"{_escape(f"{name}: {value}")}\\n"' for name, value in fields)
    blocks = ["\n".join(lines)]
    for message in catalog:
        if message.id:
            blocks.append("\n".join(_entry_lines(message, obsolete=False)))
    live = {_key(m) for m in catalog if m.id}
    for message in catalog.obsolete.values():
        if _key(message) not in live:  # the live entry supersedes its obsolete twin
            blocks.append("\n".join(_entry_lines(message, obsolete=True)))
    return "\n\n".join(blocks) + "\n"


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write a catalog atomically; return False (and leave the file alone) if unchanged."""
    data = format_po(catalog).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic.write_bytes(path, data)
    return True


# ------------------------------------------------------------------------ init and update


def _key(message: Message) -> _Key:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (msgid, message.context)


def _has_translation(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return any(strings)


def _similarity(a: Message, b: Message) -> float:
    return difflib.SequenceMatcher(None, _key(a)[0], _key(b)[0], autojunk=False).ratio()


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What a merge did: messages added untranslated, changed English kept as fuzzy
    suggestions, revived from obsolete entries, and made obsolete."""

    added: int = 0
    changed: int = 0
    revived: int = 0
    obsolete: int = 0
    kept: int = 0


def merge(old: Catalog, template: Catalog) -> tuple[PoCatalog, MergeCounts]:
    """Merge a template into a catalog, as ``msgmerge --previous`` does, but never across
    contexts; return the new catalog (the inputs are left unchanged) and the counts.

    - a message in both keeps its translation, flags and translator comments; locations
      and notes come from the template; a ``#|`` previous msgid is dropped once the entry
      is no longer fuzzy;
    - a message that comes back is revived from its obsolete entry;
    - a message whose English changed gets the translation of the entry with the same
      context as a *fuzzy* suggestion, with the English it was made for as ``#| msgid``
      (the oldest one, if the entry was already fuzzy);
    - an entry the template no longer has becomes obsolete (``#~``); nothing is deleted.

    Merging the result with the same template again changes nothing.
    """
    new = PoCatalog(locale=old.locale)
    if isinstance(old, PoCatalog):
        new.header_comments = list(old.header_comments)
        new.header_fields = list(old.header_fields)
        new.header_fuzzy = new.fuzzy = old.header_fuzzy
    else:
        new.header_fields = list(old.mime_headers)
        new.header_fuzzy = new.fuzzy = bool(old.fuzzy)
    created = template.header("POT-Creation-Date") if isinstance(template, PoCatalog) \
        else None
    if created is not None:
        new.set_header("POT-Creation-Date", created)
    new.charset = "utf-8"

    wanted = [m for m in template if m.id]
    wanted_keys = {_key(m) for m in wanted}
    live = {_key(m): m for m in old if m.id}
    gone = {_key(m): m for m in old.obsolete.values()}
    # Entries that may lend their translation to a changed message of the same context.
    spare: dict[str | None, list[Message]] = {}
    for k, m in [*live.items(), *gone.items()]:
        if k not in wanted_keys and (m is live.get(k) or k not in live):
            spare.setdefault(m.context, []).append(m)
    used: set[int] = set()
    counts = {"added": 0, "changed": 0, "revived": 0, "kept": 0}
    for entry in wanted:
        key = _key(entry)
        if key in live or key in gone:
            counts["kept" if key in live else "revived"] += 1
            message = (live[key] if key in live else gone[key]).clone()
            message.locations = list(entry.locations)
            message.auto_comments = list(entry.auto_comments)
            if not message.fuzzy:
                message.previous_id = []
        else:
            message = _suggestion(entry, spare.get(entry.context, []), used)
            counts["changed" if message.fuzzy else "added"] += 1
        new[message.id] = message

    obsolete: dict[_Key, Message] = {}
    for key, message in gone.items():
        if key not in wanted_keys and id(message) not in used:
            obsolete[key] = message.clone()
    newly = 0
    for key, message in live.items():
        if key not in wanted_keys and id(message) not in used:
            newly += 1
            obsolete[key] = message.clone()
    for (msgid, context), message in obsolete.items():
        message.locations = []
        new.obsolete[msgid if context is None else (msgid, context)] = message
    return new, MergeCounts(counts["added"], counts["changed"], counts["revived"], newly,
                            counts["kept"])


def _suggestion(entry: Message, spare: list[Message], used: set[int]) -> Message:
    """A new message for ``entry``: fuzzy with the best translation among ``spare`` (the
    unused entries of the same context, live ones first), or untranslated if none has one."""
    candidates = [
        m for m in spare
        if m.context == entry.context and id(m) not in used and _has_translation(m)
        and isinstance(m.id, (list, tuple)) == isinstance(entry.id, (list, tuple))
    ]
    message = entry.clone()
    message.flags = set()
    message.previous_id = []
    message.user_comments = []
    if not candidates:
        message.string = ("",) * len(entry.id) if isinstance(entry.id, (list, tuple)) else ""
        return message
    best = max(candidates, key=lambda m: _similarity(m, entry))  # first one wins a tie
    used.add(id(best))
    message.string = best.string
    message.flags = {"fuzzy"}
    message.user_comments = list(best.user_comments)
    if best.fuzzy and best.previous_id:
        message.previous_id = list(best.previous_id)
    else:
        message.previous_id = list(best.id) if isinstance(best.id, (list, tuple)) \
            else [best.id]
    return message


def new_catalog(template: Catalog, locale: str, title: str, now: dt.datetime) -> PoCatalog:
    """A new catalog for ``locale`` from a template: every message untranslated, a header
    with the language, its plural forms and ``now`` as the revision date."""
    from babel.messages.plurals import get_plural

    name = normalize_locale(locale)
    language = Locale.parse(name).get_display_name("en") or name
    project = template.header("Project-Id-Version") if isinstance(template, PoCatalog) \
        else template.project
    created = template.header("POT-Creation-Date") if isinstance(template, PoCatalog) \
        else None
    empty = PoCatalog(locale=name)
    empty.header_comments = [f"{language} translation of {title}."]
    empty.header_fields = [
        ("Project-Id-Version", project or ""),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", created or format_header_date(now)),
        ("PO-Revision-Date", format_header_date(now)),
        ("Last-Translator", ""),
        ("Language-Team", language),
        ("Language", name),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", get_plural(name).plural_forms),
    ]
    empty.header_fuzzy = empty.fuzzy = False
    catalog, _ = merge(empty, template)
    return catalog


# ------------------------------------------------------------------------ portfolio steps


@dataclass(frozen=True, slots=True)
class Updated:
    """The outcome of ``init`` or ``update`` for one product's catalog in one language."""

    product: str
    locale: str
    path: Path
    created: bool
    written: bool
    counts: MergeCounts


def read_template(portfolio: Portfolio, product_id: str) -> PoCatalog:
    """The product's template; a missing one is a problem that says how to make it."""
    path = portfolio.template_path(product_id)
    if not path.is_file():
        raise ProblemsError([Problem(
            SourceLocation(shown(path)),
            f"no template for product '{product_id}' (run `smpc extract"
            f" {shown(portfolio.root)}` first)",
        )])
    return read_catalog(path)


def init_catalog(portfolio: Portfolio, product: Product, locale: str,
                 now: dt.datetime) -> Updated:
    """Start the product's catalog for ``locale`` from its template; an existing catalog
    is left exactly as it is (``written`` is False)."""
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if path.exists():
        return Updated(product.id, name, path, created=False, written=False,
                       counts=MergeCounts())
    catalog = new_catalog(read_template(portfolio, product.id), name, product.name.value, now)
    write_catalog(path, catalog)
    return Updated(product.id, name, path, created=True, written=True,
                   counts=MergeCounts(added=len(catalog)))


def update_catalog(portfolio: Portfolio, product: Product, locale: str,
                   now: dt.datetime) -> Updated:
    """Merge the product's template into its catalog for ``locale`` (see :func:`merge`);
    a language that has catalogs but none for this product gets a new one."""
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if not path.is_file():
        return init_catalog(portfolio, product, name, now)
    template = read_template(portfolio, product.id)
    catalog, counts = merge(read_catalog(path), template)
    written = write_catalog(path, catalog)
    return Updated(product.id, name, path, created=False, written=written, counts=counts)


@dataclass(frozen=True, slots=True)
class Compiled:
    """The outcome of compiling one catalog to a .mo file."""

    product: str
    locale: str
    path: Path
    compiled: int
    fuzzy: int
    untranslated: int
    failed: int
    written: bool


def compile_catalog(product: Product, locale: str, path: Path) -> Compiled:
    """Write ``path`` with the suffix .mo: every translated message that is not fuzzy and
    passes the translation checks, so the .mo gives what rendering would use."""
    from smpc_manager.rules import check_translation

    catalog = read_catalog(path)
    include: list[Message] = []
    fuzzy = untranslated = failed = 0
    for message in catalog:
        if not message.id:
            continue
        if not _has_translation(message):
            untranslated += 1
        elif message.fuzzy:
            fuzzy += 1
        elif isinstance(message.string, str) and isinstance(message.id, str) and \
                check_translation(message.id, message.string, locale, product.name.value):
            failed += 1
        else:
            include.append(message)
    target = path.with_suffix(".mo")
    data = format_mo(catalog, include)
    try:
        written = target.read_bytes() != data
    except OSError:
        written = True
    if written:
        atomic.write_bytes(target, data)
    return Compiled(product.id, locale, target, len(include), fuzzy, untranslated, failed,
                    written)


# ------------------------------------------------------------------------ finding catalogs


_LOCALE_NAME = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


def checked_locale(locale: str) -> str:
    """A locale named on the command line, normalised (``de-at`` -> ``de_AT``); a name that
    is not a locale CLDR knows, or could name a path, is a :class:`UsageError`."""
    from babel import UnknownLocaleError

    if not _LOCALE_NAME.fullmatch(locale):
        raise UsageError(f"'{locale}' is not a locale (expected e.g. de or de_AT)")
    name = normalize_locale(locale)
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        raise UsageError(f"'{locale}' is not a locale CLDR knows (expected e.g. de or de_AT)"
                         ) from None
    return name


# ------------------------------------------------------------------------ .mo files


def format_mo(catalog: Catalog, include: Iterable[Message] | None = None) -> bytes:
    """A GNU .mo file of the catalog: the header and every translated, non-fuzzy message
    (``include`` narrows that further); sorted, so the same catalog gives the same bytes."""
    if isinstance(catalog, PoCatalog):
        header = "".join(f"{k}: {v}\n" for k, v in catalog.header_fields)
    else:
        header = "".join(f"{k}: {v}\n" for k, v in catalog.mime_headers)
    pairs: dict[bytes, bytes] = {b"": header.encode("utf-8")}
    chosen = list(include) if include is not None else [m for m in catalog if m.id]
    for message in chosen:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) \
            else [message.string]
        if not all(strings):
            continue
        key = "\0".join(message.id) if isinstance(message.id, (list, tuple)) else message.id
        if message.context is not None:
            key = f"{message.context}\x04{key}"
        pairs[key.encode("utf-8")] = "\0".join(strings).encode("utf-8")
    keys = sorted(pairs)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables: list[int] = []
    blob = b""
    for source in (keys, [pairs[k] for k in keys]):
        for item in source:
            tables += [len(item), data_at + len(blob)]
            blob += item + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    return head + struct.pack(f"<{len(tables)}I", *tables) + blob


# ------------------------------------------------------------------------ dates


def clock_now() -> dt.datetime:
    """The time for new headers: ``SOURCE_DATE_EPOCH`` if set (reproducible builds), else
    the current UTC time, to the minute."""
    epoch = (os.environ.get("SOURCE_DATE_EPOCH") or "").strip()
    now = dt.datetime.now(dt.UTC)
    if epoch.isascii() and epoch.isdigit():
        # A value no calendar can hold is ignored like any other unreadable one.
        with contextlib.suppress(OverflowError, OSError, ValueError):
            now = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return now.replace(second=0, microsecond=0)


def format_header_date(when: dt.datetime) -> str:
    """``2026-11-25 10:00+0000``, the form gettext tools write in headers."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M%z")



# ------------------------------------------------------------------------ statistics


@dataclass(frozen=True, slots=True)
class CatalogStats:
    """How far one product's catalog in one language is translated.

    The counts are over the product's current messages, as rendering looks them up:
    a message that is missing from the catalog is untranslated, a translation that fails
    a check is ``failed`` and not counted as translated.
    """

    product: str
    locale: str
    #: The catalog file, or None when the language has none for this product.
    path: Path | None
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    failed: int
    obsolete: int
    #: The messages that are not usable, with the reasons.
    gaps: tuple[Translated, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether rendering in this language will find every message usable."""
        return self.translated == self.total

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        path = self.path
        if path is not None and root is not None:
            path = _relative(path, root)
        return {
            "product": self.product,
            "locale": self.locale,
            "catalog": path.as_posix() if path is not None else None,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "failed": self.failed,
            "obsolete": self.obsolete,
            "complete": self.complete,
            "gaps": [
                {"context": g.text.context, "location": str(g.text.location),
                 "status": g.status, "reasons": list(g.reasons)}
                for g in self.gaps
            ],
        }


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def catalog_statistics(product: Product, locale: str, path: Path | None,
                       source_locale: str = "en") -> CatalogStats:
    """The statistics of ``path`` (None: no catalog) for ``product`` in ``locale``."""
    from smpc_manager.rules import translate

    catalog = load_catalog(path) if path is not None else None
    results = [translate(t, catalog, locale, product.name.value, source_locale=source_locale)
               for t in product.messages()]
    counts = {status: sum(1 for r in results if r.status == status)
              for status in ("translated", "fuzzy", "untranslated", "failed")}
    return CatalogStats(
        product=product.id,
        locale=locale,
        path=path,
        total=len(results),
        translated=counts["translated"],
        fuzzy=counts["fuzzy"],
        untranslated=counts["untranslated"],
        failed=counts["failed"],
        obsolete=len(catalog.obsolete) if catalog is not None else 0,
        gaps=tuple(r for r in results if not r.ok),
    )


def statistics(portfolio: Portfolio, products: Sequence[Product],
               locales: Sequence[str] | None = None) -> list[CatalogStats]:
    """Per product and language (default: every language with a catalog folder), the
    translated / fuzzy / untranslated / failed / obsolete counts and completeness.

    A regional locale is counted with the catalog rendering would use (``de_AT`` -> ``de``).
    """
    chosen = [normalize_locale(x) for x in locales] if locales else portfolio.catalog_locales()
    stats: list[CatalogStats] = []
    for product in products:
        for locale in chosen:
            stats.append(catalog_statistics(product, locale,
                                            catalog_for(portfolio, product.id, locale),
                                            portfolio.source_locale))
    return stats
