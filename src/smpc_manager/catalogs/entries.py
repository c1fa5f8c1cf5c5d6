"""A catalog and its entries as the PO reader makes them and the PO writer writes them.

The catalogs are :class:`babel.messages.catalog.Catalog` objects, with what Babel does not
keep: the header entry exactly as it was written (:class:`PoCatalog`), the flags of an
entry as GNU gettext understands them and the previous msgctxt (:class:`PoMessage`).
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog, Message

from smpc_manager.catalogs.syntax import FORMAT_LANGUAGES, header_field, header_fields

#: The start of the ``#.`` comment on a message that `update` filled from a translation
#: memory (another catalog of the portfolio, or a compendium); the source follows.
MEMORY_NOTE = "Translation memory: "

#: What tells two messages of a catalog apart: (msgid, msgctxt); a plural's first msgid.
Key = tuple[str, str | None]


class PoCatalog(Catalog):
    """A Babel catalog that keeps its header entry exactly as it was read or made.

    ``header_text`` is the header's msgstr as written; ``header_fields`` its
    ``Name: value`` lines in their order (assigning them rewrites the text).
    ``header_comments`` are the ``#`` lines above the header entry (without ``# ``),
    ``header_auto`` its ``#.`` lines, ``header_locations`` its ``#:`` references (rare, but
    GNU keeps them), ``header_flags`` its ``#,`` flags; whether it is
    fuzzy is ``header_fuzzy``.
    """

    def __init__(self, locale: str | Locale | None = None, **kwargs: Any) -> None:
        super().__init__(locale, **kwargs)
        self.header_text = ""
        #: The line of the header's msgstr in the file it was read from (0: not read),
        #: where GNU reports what is wrong with the header.
        self.header_line = 0
        self.header_comments: list[str] = []
        self.header_auto: list[str] = []
        self.header_locations: list[tuple[str, int | None]] = []
        self.header_flags: list[str] = []
        self.header_fuzzy = False

    @property
    def header_fields(self) -> list[tuple[str, str]]:
        """The ``Name: value`` lines of the header's msgstr, in their order (a copy)."""
        return header_fields(self.header_text)[0]

    @header_fields.setter
    def header_fields(self, fields: Iterable[tuple[str, str]]) -> None:
        self.header_text = "".join(f"{name}: {value}\n" for name, value in fields)

    def header(self, name: str) -> str | None:
        """The value of a header field, matched case-insensitively."""
        return header_field(self.header_fields, name)

    def set_header(self, name: str, value: str) -> None:
        """Replace a header field's value (the other lines stay as they are), or append
        the field."""
        rows = self.header_text.split("\n")
        for i, row in enumerate(rows):
            key, colon, _ = row.partition(":")
            if colon and key.strip().lower() == name.lower():
                rows[i] = f"{key}: {value}"
                self.header_text = "\n".join(rows)
                return
        text = self.header_text
        if text and not text.endswith("\n"):
            text += "\n"
        self.header_text = f"{text}{name}: {value}\n"


class PoMessage(Message):
    """A Babel message with the flags GNU gettext reads and the previous msgctxt.

    Babel's :class:`~babel.messages.catalog.Message` adds or drops ``python-format`` by
    looking at the msgid each time one is made (``clone`` too). The flags of an entry are
    the translators' and their tools' (``#, c-format, no-wrap``), kept as they were read;
    ``written`` is their order when read, ``previous_context`` the ``#| msgctxt``.
    ``string_line`` is the line of its msgstr in the file it was read from (0: not read),
    where GNU reports what is wrong with the translation (``lineno`` is the msgid's).
    """

    def __init__(self, id: Any, string: Any = "", *, flags: Iterable[str] = (),
                 previous_context: str | None = None, string_line: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(id, string, **kwargs)
        # Babel keeps each comment once; GNU keeps them as written (a translator named
        # twice in a header's credits stays so).
        self.user_comments = list(kwargs.get("user_comments", ()))
        self.auto_comments = list(kwargs.get("auto_comments", ()))
        self.written = list(dict.fromkeys(flags))
        self.flags = set(self.written)
        self.previous_context = previous_context
        self.string_line = string_line


def _flag_order(flag: str) -> tuple[int, str]:
    """Where GNU gettext writes a flag: fuzzy, the formats in its order, range, no-wrap."""
    if flag == "fuzzy":
        return (0, "")
    language = flag.removeprefix("no-").removesuffix("-format")
    if flag.endswith("-format") and language in FORMAT_LANGUAGES:
        return (1 + FORMAT_LANGUAGES.index(language), "")
    if flag.startswith("range: "):
        return (1 + len(FORMAT_LANGUAGES), flag)
    return (2 + len(FORMAT_LANGUAGES), flag)


def is_gnu_flag(flag: str) -> bool:
    """Whether GNU gettext keeps ``flag`` when it writes a catalog: fuzzy, a format, a
    range or no-wrap (it drops the others, as unknown)."""
    return flag in ("fuzzy", "no-wrap") or _flag_order(flag)[0] <= len(FORMAT_LANGUAGES) + 1


def written_flags(message: Message) -> list[str]:
    """The flags of a message in the order GNU gettext writes them: ``fuzzy``, the format
    flags in its order of languages, ``range: N..M``, ``no-wrap``; those it does not know
    are left out, as it leaves them out."""
    return sorted((flag for flag in message.flags if is_gnu_flag(flag)), key=_flag_order)


def copy_message(message: Message) -> PoMessage:
    """A copy of ``message`` with its flags and previous msgctxt (see :class:`PoMessage`)."""
    written = message.written if isinstance(message, PoMessage) else []
    flags = [flag for flag in written if flag in message.flags]
    flags += sorted(message.flags.difference(flags))
    return PoMessage(copy(message.id), copy(message.string), flags=flags,
                     previous_context=getattr(message, "previous_context", None),
                     string_line=getattr(message, "string_line", 0),
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
