"""What an approved SmPC is read into: documents, their sections, and the blocks of text.

An ePI file holds documents (the SmPC, the package leaflet, …), each a tree of sections;
each section has a heading, the blocks of its narrative (paragraphs, list items, table
rows) and its sub-sections. A section knows its QRD number where its code or its heading
says it; a section the file gives inside another (6.1 written into 6) is found and kept
as a section of its own, ``merged_into`` the one it was found in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from smpc_manager.errors import Problem, SourceLocation


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a section's narrative: a paragraph, a list item, a heading or a table
    row, as text.

    ``text`` is its text with whitespace normalised; ``lines`` the same split where the
    narrative breaks the line (``<br/>``); ``markup`` the text as a product message holds
    it (``sup``, ``sub`` and ``em`` kept as tags, ``&``, ``<``, ``>`` escaped); ``styled``
    whether all of it is bold, italic or underlined (a heading inside a section);
    ``kind`` the element it came from (``p``, ``li``, ``h``, ``tr``).
    """

    kind: str
    text: str
    markup: str
    lines: tuple[str, ...]
    styled: bool
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a document.

    ``key`` is its QRD number (``4.1``) where known; ``found_by`` says how: ``code`` (its
    SPOR code), ``heading`` (its numbered heading or its words), ``merged`` (a heading in
    the text of the section ``merged_into``), or ``""`` (not a section of the template).
    """

    key: str | None
    code: str | None
    title: str
    blocks: tuple[Block, ...]
    subsections: tuple[Section, ...]
    location: SourceLocation
    found_by: str = ""
    merged_into: str | None = None

    @property
    def text(self) -> str:
        """The section's own text: its blocks, one space between them."""
        return " ".join(b.text for b in self.blocks)

    def walk(self) -> Iterator[Section]:
        """This section and every section below it, in document order."""
        yield self
        for sub in self.subsections:
            yield from sub.walk()

    def all_blocks(self) -> tuple[Block, ...]:
        """Its blocks and those of its sub-sections, in document order (the sub-sections'
        headings are not narrative and are left out)."""
        return tuple(b for s in self.walk() for b in s.blocks)

    def full_text(self) -> str:
        """The text of :meth:`all_blocks`, one space between them."""
        return " ".join(b.text for b in self.all_blocks())


@dataclass(frozen=True, slots=True)
class Document:
    """One document of an ePI: its type (``smpc``, ``leaflet``, ``annex-ii``, ``labelling``
    or ``""`` where the file does not say), language, title and sections (the tree as the
    file gives it; :meth:`section` finds one by number anywhere in it, merged ones too)."""

    kind: str
    lang: str
    title: str
    sections: tuple[Section, ...]
    location: SourceLocation
    #: Sections found inside another (``merged_into``), by number.
    merged: tuple[Section, ...] = ()

    def walk(self) -> Iterator[Section]:
        for top in self.sections:
            yield from top.walk()

    def section(self, key: str) -> Section | None:
        """The section numbered ``key``: the one the file gives, or one found merged into
        another; None if neither."""
        given = next((s for s in self.walk() if s.key == key and s.found_by != "merged"),
                     None)
        return given or next((s for s in self.merged if s.key == key), None)


@dataclass(frozen=True, slots=True)
class Epi:
    """An ePI file as read: its documents, and what the reader found wrong or unsure in it
    (``findings``: missing and merged sections, unresolved template placeholders, each a
    warning with its line)."""

    path: str
    sha256: str
    format: str
    documents: tuple[Document, ...]
    findings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def smpc(self) -> Document | None:
        """The SmPC: the document typed so, or else the only one whose sections are an
        SmPC's."""
        return next((d for d in self.documents if d.kind == "smpc"), None)
