"""Reading .po and .pot files strictly: what GNU ``msgfmt --check`` accepts, and no more.

The catalogs are :class:`~smpc_manager.catalogs.entries.PoCatalog` objects (Babel catalogs
that keep their header as written), but the file is read here rather than by Babel's
``read_po``: Babel's reader accepts duplicate entries and a non-UTF-8 charset in silence,
does not read ``#|`` previous strings back, and reads flags and comments its own way. This
reader is GNU gettext 0.21's (``po-lex.c``, ``po-gram-gen.y``, ``read-catalog.c``) in
Python: the same tokens (keywords and strings may stand anywhere on a line; ``#~`` and
``#|`` mark the tokens after them up to the line's end), the same grammar, the same meaning
of comments, references and flags (of several ``#,`` lines, the last counts). What GNU
rejects is a :class:`~smpc_manager.errors.ProblemsError` naming ``path:line``: a syntax
error, a duplicate entry, and what ``msgfmt --check`` finds wrong in the header's plural
forms or in a translation (:mod:`smpc_manager.catalogs.pocheck`).

The writer is :mod:`smpc_manager.catalogs.powriter`; the names it and
:mod:`~smpc_manager.catalogs.entries` define are named here too, for the modules that read
and write a catalog.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from smpc_manager.catalogs.cache import FileCache
from smpc_manager.catalogs.entries import (
    MEMORY_NOTE,
    Key,
    PoCatalog,
    PoMessage,
    copy_message,
    has_translation,
    message_key,
    written_flags,
)
from smpc_manager.catalogs.pocheck import catalog_problems
from smpc_manager.catalogs.powriter import (
    WIDTH,
    format_po,
    unchanged_since,
    write_catalog,
    write_po,
)
from smpc_manager.catalogs.syntax import (
    PoSyntaxError,
    catalog_bytes,
    catalog_text,
    charset_problem,
    decode,
    header_charset,
    header_fields,
    is_utf8,
    quoted,
    shown,
    special_flags,
)
from smpc_manager.errors import Problem, ProblemsError, SourceLocation

__all__ = [
    "MEMORY_NOTE", "WIDTH", "Key", "PoCatalog", "PoMessage", "copy_message", "format_po",
    "has_translation", "load_catalog", "message_key", "parse_po", "read_catalog",
    "unchanged_since", "write_catalog", "write_po", "written_flags",
]


# ------------------------------------------------------------------------ tokens


#: GNU's tokens, tried in this order at each place of the text. A comment takes its line
#: end with it; ``#~`` and ``#|`` are no tokens, they mark those after them.
_TOKEN = re.compile(r"""
    (?P<newline>\n)
  | [ \t\r\f\v]+
  | (?P<obsolete>\#~)(?P<bar>\|)?
  | (?P<previous>\#\|)
  | \#(?P<comment>[^\n]*)\n?
  | "(?P<string>(?:[^"\\\n]|\\[^\n])*+)"
  | (?P<word>[A-Za-z_$][A-Za-z0-9_$]*+)
  | (?P<number>[0-9]++)
  | (?P<bracket>[][])
  | (?P<other>.)
""", re.VERBOSE)
_KEYWORDS = ("msgid", "msgid_plural", "msgstr", "msgctxt", "domain")
_PREVIOUS_KEYWORDS = ("msgid", "msgid_plural", "msgctxt")


@dataclass(slots=True)
class _Token:
    """One token: its kind (a keyword, ``string``, ``comment``, ``[`` ...; ``prev_`` before
    those of a ``#|`` line), its text or number, its line, whether ``#~`` marked it."""

    kind: str
    value: str
    line: int
    obsolete: bool


def _joined(text: str) -> tuple[str, list[int]]:
    """``text`` without its backslash-newline pairs, which GNU's reader skips wherever they
    stand (a line continued, even inside a string or a keyword), and where each one was in
    the text returned, for the line numbers."""
    if "\\\n" not in text:
        return text, []
    pieces = text.split("\\\n")
    joined: list[int] = []
    offset = 0
    for piece in pieces[:-1]:
        offset += len(piece)
        joined.append(offset)
    return "".join(pieces), joined


def _tokens(source: str) -> list[_Token]:
    text, joined = _joined(source)
    tokens: list[_Token] = []
    newlines = 0
    obsolete = previous = False
    for found in _TOKEN.finditer(text):
        kind = found.lastgroup
        if kind is None:  # blanks
            continue
        line = 1 + newlines + (bisect_right(joined, found.start()) if joined else 0)
        if kind == "newline":
            newlines += 1
            obsolete = previous = False
        elif kind in ("obsolete", "bar"):
            obsolete, previous = True, previous or kind == "bar"
        elif kind == "previous":
            previous = True
        elif kind == "comment":
            tokens.append(_Token("comment", found.group("comment"), line, obsolete))
            obsolete = False
            newlines += found.group(0).endswith("\n")
        elif kind == "string":
            value = decode(found.group("string"), line)
            tokens.append(_Token("prev_string" if previous else "string", value, line,
                                 obsolete))
        elif kind == "word":
            word = found.group("word")
            # An unknown word is an error where it stands (the parser says what belongs
            # there), as GNU reports the keyword unknown.
            kind = word if word in (_PREVIOUS_KEYWORDS if previous else _KEYWORDS) else "name"
            tokens.append(_Token(f"prev_{kind}" if previous and kind != "name" else kind,
                                 word, line, obsolete))
        elif kind in ("number", "bracket"):
            tokens.append(_Token(kind if kind == "number" else found.group(0),
                                 found.group(0), line, obsolete))
        elif found.group(0) == '"':
            rest = text[found.start():text.find("\n", found.start()) % (len(text) + 1)]
            raise PoSyntaxError(line, "syntax error: expected a string in double quotes,"
                                      f" found {quoted(rest.strip())}")
        else:
            raise PoSyntaxError(line, f"syntax error: unexpected {quoted(found.group(0))}")
    tokens.append(_Token("end", "", 1 + newlines + len(joined), False))
    return tokens


# ------------------------------------------------------------------------ entries


@dataclass
class _Entry:
    """One entry as it is read: its comments, then its strings."""

    line: int = 0
    obsolete: bool = False
    comments: list[str] = field(default_factory=list)
    auto: list[str] = field(default_factory=list)
    locations: list[tuple[str, int | None]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous_context: str | None = None
    previous: list[str] = field(default_factory=list)
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    strings: list[str] = field(default_factory=list)
    #: The line of its (first) msgstr, where GNU reports what is wrong with a translation.
    string_line: int = 0


#: A reference as Solaris writes it, on a translator comment's line.
_SOLARIS = re.compile(r" [Ff]ile:[ \t]*(.*?)[ \t]*,[ \t]*line[ \t]*(?:number[ \t]*)?:"
                      r"([0-9]+)[ \t\n]*\Z", re.DOTALL)


_BLANKS = " \t\n"
_WORD = re.compile(r"[^ \t\n]+")


def _number_at(text: str, start: int) -> tuple[int, int] | None:
    """The number at ``text[start:]`` after blanks, and where it ends, if a blank or the
    end follows it."""
    while start < len(text) and text[start] in _BLANKS:
        start += 1
    end = start
    while end < len(text) and text[end].isascii() and text[end].isdigit():
        end += 1
    if end == start or (end < len(text) and text[end] not in _BLANKS):
        return None
    return int(text[start:end]), end


def _references(body: str) -> list[tuple[str, int | None]]:
    """The references of a ``#:`` line as GNU reads them (``po_parse_comment_filepos``):
    ``name:line``, ``name : line``, or a name without a line."""
    found: list[tuple[str, int | None]] = []
    position = 0
    while True:
        word = _WORD.search(body, position)
        if word is None:
            return found
        name, position = word.group(0), word.end()
        rest = position
        while rest < len(body) and body[rest] in _BLANKS:
            rest += 1
        if rest < len(body) and body[rest] == ":":  # name : 12
            number = _number_at(body, rest + 1)
            if number is not None:
                found.append((name, number[0]))
                position = number[1]
                continue
        if name.endswith(":"):  # name: 12
            number = _number_at(body, position)
            if number is not None:
                found.append((name[:-1], number[0]))
                position = number[1]
                continue
        glued = re.fullmatch(r"(.+):([0-9]+)", name)  # name:12
        found.append((glued.group(1), int(glued.group(2))) if glued else (name, None))


def _comment(entry: _Entry, body: str) -> None:
    """What a comment line (``body``: after its ``#``) adds to the entry it precedes."""
    if body.startswith("."):
        entry.auto.append(body[2:] if body.startswith(". ") else body[1:])
    elif body.startswith(":"):
        for reference in _references(body[1:]):
            if reference not in entry.locations:  # GNU keeps each reference once
                entry.locations.append(reference)
    elif body.startswith((",", "!")):
        entry.flags = special_flags(body[1:])  # each such line replaces the flags before it
    else:
        solaris = _SOLARIS.match(body)
        if solaris is not None:
            reference = (solaris.group(1), int(solaris.group(2)))
            if reference not in entry.locations:
                entry.locations.append(reference)
        else:
            entry.comments.append(body[1:] if body.startswith(" ") else body)


class _Parser:
    """GNU's grammar (``po-gram-gen.y``) over the tokens of one file."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.entries: list[_Entry] = []

    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.at + offset, len(self.tokens) - 1)]

    def take(self, kind: str, first: _Token, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            raise self.unexpected(token, what)
        return self.next(first)

    def next(self, first: _Token) -> _Token:
        """The next token, which must be as obsolete as the ``first`` of its entry."""
        token = self.peek()
        if token.obsolete != first.obsolete:
            raise PoSyntaxError(token.line, "syntax error: an entry is partly obsolete (#~)")
        self.at += 1
        return token

    @staticmethod
    def unexpected(token: _Token, what: str) -> PoSyntaxError:
        found = "the end of the file" if token.kind == "end" else \
            "a comment" if token.kind == "comment" else quoted(token.value)
        return PoSyntaxError(token.line, f"syntax error: expected {what}, found {found}")

    def strings(self, kind: str, first: _Token, after: str) -> str:
        """One or more strings (after the keyword ``after``), joined."""
        if self.peek().kind != kind:
            raise self.unexpected(self.peek(), f"a string in double quotes after {after}")
        parts = []
        while self.peek().kind == kind:
            parts.append(self.next(first).value)
        return "".join(parts)

    def parse(self) -> list[_Entry]:
        entry = _Entry()
        while (token := self.peek()).kind != "end":
            if token.kind == "comment":
                _comment(entry, token.value)
                self.at += 1
            elif token.kind in ("msgctxt", "msgid", "prev_msgctxt", "prev_msgid"):
                self.message(entry)
                self.entries.append(entry)
                entry = _Entry()
            elif token.kind == "domain":
                raise PoSyntaxError(token.line, "'domain' directives are not supported: a"
                                                " catalog holds one domain")
            else:
                raise self.unexpected(token, "msgid, msgctxt or a comment")
        # Comments that end the file belong to no entry; GNU tools drop them too.
        return self.entries

    def message(self, entry: _Entry) -> None:
        first = self.peek()
        entry.obsolete = first.obsolete
        if first.kind.startswith("prev_"):
            if first.kind == "prev_msgctxt":
                self.next(first)
                entry.previous_context = self.strings("prev_string", first,
                                                      "#| msgctxt")
            self.take("prev_msgid", first, "#| msgid")
            entry.previous = [self.strings("prev_string", first, "#| msgid")]
            if self.peek().kind == "prev_msgid_plural":
                self.next(first)
                entry.previous.append(self.strings("prev_string", first,
                                                   "#| msgid_plural"))
        if self.peek().kind == "msgctxt":
            self.next(first)
            entry.context = self.strings("string", first, "msgctxt")
        msgid = self.take("msgid", first, "msgid")
        entry.line = msgid.line  # problems point at the msgid line, as GNU's do
        entry.msgid = self.strings("string", first, "msgid")
        token = self.peek()
        if token.kind == "msgid_plural":
            self.next(first)
            entry.plural = self.strings("string", first, "msgid_plural")
            if self.peek().kind != "msgstr":
                raise PoSyntaxError(entry.line, "syntax error: this msgid_plural has no"
                                                " msgstr[0]")
            entry.string_line = self.peek().line
            while self.peek().kind == "msgstr":
                keyword = self.next(first)
                self.take("[", first, "[ after msgstr of a plural entry")
                number = self.take("number", first, "the number of a plural form")
                self.take("]", first, "]")
                if int(number.value) != len(entry.strings):
                    raise PoSyntaxError(keyword.line, f"syntax error: msgstr[{number.value}]"
                                        f" where msgstr[{len(entry.strings)}] belongs")
                entry.strings.append(self.strings("string", first, f"msgstr[{number.value}]"))
        elif token.kind == "msgstr":
            if self.peek(1).kind == "[":
                raise PoSyntaxError(entry.line, "syntax error: msgstr[N] belongs to an entry"
                                                " with a msgid_plural")
            entry.string_line = self.next(first).line
            entry.strings.append(self.strings("string", first, "msgstr"))
        else:
            raise PoSyntaxError(entry.line, "syntax error: this msgid has no msgstr")


# ------------------------------------------------------------------------ the catalog


def parse_po(text: str, path: str = "<catalog>") -> PoCatalog:
    """Parse the text of a .po/.pot file into a :class:`PoCatalog`; strict.

    Raises :class:`ProblemsError` with ``path:line`` where GNU ``msgfmt --check`` finds an
    error (a syntax error, an entry defined twice, a wrong plural form or format string in
    a translation), and for a header whose charset is not UTF-8.
    """
    try:
        entries = _Parser(_tokens(text)).parse()
    except PoSyntaxError as err:
        raise ProblemsError([Problem(SourceLocation(path, err.line), err.message)]) from None
    return _build(entries, path)


def _build(entries: list[_Entry], path: str) -> PoCatalog:
    catalog = PoCatalog()
    problems: list[Problem] = []
    header: _Entry | None = None
    # GNU msgfmt counts an obsolete entry with the key of a live one as a duplicate too.
    seen: dict[Key, int] = {}
    for item in entries:
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
            header = item
            problems.extend(_read_header(catalog, item, path))
        elif item.msgid == "" and not item.obsolete:
            # Babel keeps every empty msgid as the header, its context ignored: such an
            # entry would replace the real header's fields. No message of ours is empty.
            problems.append(Problem(
                SourceLocation(path, item.line),
                f"msgctxt {quoted(item.context or '')} has an empty msgid: an empty msgid is"
                " the header's alone (a message needs its source text)",
            ))
        else:
            _add(catalog, item)
    if header is None:
        problems.append(Problem(SourceLocation(path, 1),
                                "no header entry (msgid \"\") declaring charset=UTF-8"))
    if not problems:
        problems = catalog_problems(catalog, path)
    if problems:
        raise ProblemsError(problems)
    return catalog


def _add(catalog: PoCatalog, item: _Entry) -> None:
    msgid: str | tuple[str, str] = item.msgid
    string: str | tuple[str, ...] = item.strings[0]
    if item.plural is not None:
        msgid = (item.msgid, item.plural)
        string = tuple(item.strings)
    message = PoMessage(msgid, string, flags=item.flags,
                        previous_context=item.previous_context,
                        locations=cast(Any, item.locations),
                        auto_comments=item.auto, user_comments=item.comments,
                        previous_id=item.previous, lineno=item.line, context=item.context,
                        string_line=item.string_line)
    if item.obsolete:
        catalog.obsolete[(item.msgid, item.context) if item.context is not None
                         else item.msgid] = message
    else:
        catalog[msgid] = message


def _read_header(catalog: PoCatalog, item: _Entry, path: str) -> list[Problem]:
    catalog.header_text = item.strings[0]
    catalog.header_line = item.string_line
    catalog.header_comments = list(item.comments)
    catalog.header_auto = list(item.auto)
    catalog.header_locations = list(item.locations)
    catalog.header_flags = [flag for flag in item.flags if flag != "fuzzy"]
    catalog.header_fuzzy = catalog.fuzzy = "fuzzy" in item.flags
    fields, _ = header_fields(catalog.header_text)
    charset = header_charset(catalog.header_text)
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
