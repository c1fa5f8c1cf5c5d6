"""Writing .po and .pot files byte for byte as GNU gettext writes them.

A catalog a translator passed through ``msgcat``, ``msgmerge`` or ``msgattrib`` (or a tool
that keeps their layout: polib, Poedit) must come out of our writer unchanged, or every
``smpc update`` after them would rewrap the whole file. So the writer is GNU gettext 0.21's
``write-po.c`` in Python: strings wrapped at :data:`WIDTH` columns where GNU's line breaker
allows (:mod:`smpc_manager.catalogs.linebreaks`), never inside an escape sequence nor inside
a format directive of the entry's first format flag (as GNU's parsers find them:
:mod:`smpc_manager.catalogs.formats`), a string with a line break before its end begun with
``""`` and broken after each ``\\n``;
``#:`` references filled to the width; translator and extracted comments unwrapped; flags
in GNU's order (unknown ones dropped, as GNU drops them); ``#|`` previous strings; obsolete
``#~`` entries last, those without a translation dropped. Babel's ``write_po`` wraps
differently and regenerates the header; nothing here fills in a date.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from babel.messages.catalog import Catalog, Message

from smpc_manager import files as atomic
from smpc_manager.catalogs.entries import PoCatalog, PoMessage, message_key, written_flags
from smpc_manager.catalogs.formats import unbreakable_chars
from smpc_manager.catalogs.linebreaks import PROHIBITED, line_breaks
from smpc_manager.catalogs.syntax import shown
from smpc_manager.errors import Problem, ProblemsError, SourceLocation

#: The page width GNU gettext wraps at by default (``--width``): a line of a string takes
#: at most this many columns where it can be broken.
WIDTH = 79

#: How GNU writes the characters it escapes in a string; any other stays as it is.
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}
#: A string's pieces as GNU wraps them: each up to and including a line break.
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")


def wrap_string(keyword: str, value: str, prefix: str = "", *,
                width: int | None = WIDTH, unbreakable: Collection[int] = ()) -> list[str]:
    r"""The lines of ``keyword "value"`` as GNU writes them (``width`` None: unwrapped,
    as for ``--no-wrap`` or an entry flagged ``no-wrap``); ``prefix`` starts each line
    (``#~ ``, ``#| ``); ``unbreakable`` are the indexes of the characters of ``value``
    before which no line breaks (inside a format directive).

    >>> wrap_string("msgid", "One line.\nAnother.")
    ['msgid ""', '"One line.\\n"', '"Another."']
    """
    # Room for the text of a line: the page less its prefix and two quotes.
    room = (sys.maxsize if width is None else width) - 2 - len(prefix)
    lines: list[str] = []
    first = True
    portions = _PORTION.findall(value) or [""]
    offset = 0
    for number, portion in enumerate(portions):
        escaped: list[str] = []
        overrides: list[int | None] = []
        for i, char in enumerate(portion, offset):
            before = PROHIBITED if i in unbreakable else None
            escape = _ESCAPES.get(char)
            if escape is None:
                escaped.append(char)
                overrides.append(before)
            else:  # never broken inside an escape sequence
                escaped += escape
                overrides += [before, PROHIBITED]
        offset += len(portion)
        if portion.endswith("\n"):  # nor just before the \n that ends the piece
            overrides[-2] = PROHIBITED
        text = "".join(escaped)
        start = len(keyword) + 1 if first else 0
        breaks = line_breaks(text, room, start, overrides)
        if first and text and (number + 1 < len(portions) or start > room or breaks):
            # A string that takes more than one line starts on the next.
            lines.append(f'{prefix}{keyword} ""')
            first = False
            breaks = line_breaks(text, room, 0, overrides)
        head = f"{prefix}{keyword} " if first else prefix
        pieces = [text[a:b] for a, b in pairwise([0, *breaks, len(text)])]
        lines.append(f'{head}"{pieces[0]}"')
        lines.extend(f'{prefix}"{piece}"' for piece in pieces[1:])
        first = False
    return lines


def _references(locations: Sequence[tuple[str, int | None]], width: int) -> list[str]:
    """``#:`` lines as GNU fills them: as many references as fit ``width`` (bytes, as GNU
    counts them), a leading ``./`` dropped."""
    lines: list[str] = []
    line, column = "#:", 2
    for path, number in locations:
        name = path
        while name.startswith("./"):
            name = name[2:]
        reference = f"{name}:{number}" if number is not None else name
        size = len(reference.encode("utf-8")) + 1
        if column > 2 and column + size > width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + reference
        column += size
    lines.append(line)
    return lines


def _comment(mark: str, text: str) -> list[str]:
    """A comment as GNU writes it: ``#`` and a space before any text; a translator comment
    with a line break is one line per line."""
    return [f"{mark} {row}" if row else mark for row in text.split("\n")]


def _strings(message: Message) -> list[str]:
    if isinstance(message.id, (list, tuple)):
        strings = message.string if isinstance(message.string, (list, tuple)) \
            else [message.string]
        return [str(s or "") for s in strings] or [""]
    return [str(message.string or "")]


def _entry_lines(message: Message, obsolete: bool, width: int, wrap: bool) -> list[str]:
    strings = _strings(message)
    flags = [flag for flag in written_flags(message)
             # GNU writes fuzzy only on a translated entry; obsolete ones keep no range
             if not (flag == "fuzzy" and not obsolete and not strings[0])
             and not (obsolete and flag.startswith("range: "))]
    out: list[str] = []
    for comment in message.user_comments:
        out += _comment("#", comment)
    for comment in message.auto_comments:
        out += _comment("#.", comment)
    if message.locations:
        out += _references(message.locations, width)
    if flags:
        out.append("#, " + ", ".join(flags))
    string_width = width if wrap and "no-wrap" not in message.flags else None

    def string(keyword: str, value: str, prefix: str) -> list[str]:
        return wrap_string(keyword, value, prefix, width=string_width,
                           unbreakable=unbreakable_chars(message.flags, value,
                                                         keyword.startswith("msgstr")))

    mark = "#~| " if obsolete else "#| "
    previous_context = getattr(message, "previous_context", None)
    if previous_context is not None:
        out += string("msgctxt", previous_context, mark)
    for keyword, previous in zip(("msgid", "msgid_plural"), message.previous_id or (),
                                 strict=False):
        out += string(keyword, previous, mark)
    prefix = "#~ " if obsolete else ""
    if message.context is not None:
        out += string("msgctxt", message.context, prefix)
    if isinstance(message.id, (list, tuple)):
        out += string("msgid", message.id[0], prefix)
        out += string("msgid_plural", message.id[1], prefix)
        for i, value in enumerate(strings):
            out += string(f"msgstr[{i}]", value, prefix)
    else:
        out += string("msgid", message.id, prefix)
        out += string("msgstr", strings[0], prefix)
    return out


def _header(catalog: Catalog) -> PoCatalog:
    """The header of ``catalog`` as a :class:`PoCatalog` holds it."""
    if isinstance(catalog, PoCatalog):
        return catalog
    header = PoCatalog()
    header.header_fields = list(catalog.mime_headers)
    header.header_fuzzy = bool(catalog.fuzzy)
    return header


def format_po(catalog: Catalog, *, width: int = WIDTH, wrap: bool = True) -> str:
    """The text of a catalog in .po syntax, as GNU ``msgcat`` writes it: header, messages
    in order, obsolete ones last.

    Strings are wrapped at ``width`` columns (GNU's ``--width``); ``wrap`` false leaves them
    unwrapped, broken only after line breaks (GNU's ``--no-wrap``). The same catalog always
    gives the same text: no dates are filled in here.
    """
    header = _header(catalog)
    flags = [flag for flag in header.header_flags if flag != "fuzzy"]
    first = PoMessage("", header.header_text, user_comments=header.header_comments,
                      auto_comments=header.header_auto,
                      locations=cast(Any, header.header_locations),
                      flags=[*flags, *(["fuzzy"] if header.header_fuzzy else [])])
    blocks = ["\n".join(_entry_lines(first, False, width, wrap))]
    for message in catalog:
        if message.id:
            blocks.append("\n".join(_entry_lines(message, False, width, wrap)))
    live = {message_key(m) for m in catalog if m.id}
    for message in catalog.obsolete.values():
        # The live entry supersedes its obsolete twin; GNU drops an untranslated one.
        if message_key(message) not in live and _strings(message)[0]:
            blocks.append("\n".join(_entry_lines(message, True, width, wrap)))
    return "\n\n".join(blocks) + "\n"


def write_catalog(path: Path, catalog: Catalog, *, read: bytes | None = None,
                  width: int = WIDTH, wrap: bool = True) -> bool:
    """Write a catalog atomically, as :func:`format_po` lays it out; return False (and
    leave the file alone) if unchanged.

    ``read`` is what the file held when the catalog was read from it (``b""``: there was
    no file). The file is then replaced only if it still holds that just before the
    rename: a catalog a translator saved in the meantime is never overwritten; that is a
    :class:`ProblemsError` asking to run the command again, which merges into their file.
    """
    return write_po(path, format_po(catalog, width=width, wrap=wrap).encode("utf-8"),
                    read=read)


def write_po(path: Path, data: bytes, *, read: bytes | None = None) -> bool:
    """:func:`write_catalog` of a catalog already laid out as ``data``."""
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
