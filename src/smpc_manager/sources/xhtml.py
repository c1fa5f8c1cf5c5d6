"""A section's XHTML narrative as blocks of text.

Real ePIs carry the narrative as the word processor left it: paragraphs of nested ``span``
elements with inline styles, lists, tables, empty paragraphs for spacing, a heading made
of a bold paragraph. The blocks are the leaves of that layout: each paragraph, list item,
heading and table row that holds no further block, and each run of text that stands
directly in a container. A block's text is all the text inside it, whitespace normalised,
so that the blocks of a narrative together hold exactly its characters; ``<br/>`` breaks a
block into lines. Superscript, subscript and emphasis are kept as a product message holds
them; bold and underline only tell that a block is styled like a heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from smpc_manager.inline import escape
from smpc_manager.sources.document import Block

XHTML = "http://www.w3.org/1999/xhtml"

#: Elements that are a block of their own when they hold no further block.
_BLOCKS = {"p": "p", "li": "li", "h1": "h", "h2": "h", "h3": "h", "h4": "h", "h5": "h",
           "h6": "h", "tr": "tr", "dt": "p", "dd": "p", "caption": "p", "pre": "p",
           "blockquote": "p", "td": "p", "th": "p"}
#: Elements that only hold blocks.
_CONTAINERS = {"div", "ul", "ol", "table", "thead", "tbody", "tfoot", "dl", "section",
               "article", "colgroup", "body"}
#: Elements whose content is not text of the narrative.
_SKIPPED = {"img", "script", "style", "col"}
_EMPHASIS = {"em", "i", "cite", "var"}
_STRONG = {"b", "strong", "u", "ins"}
_STYLE_STRONG = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)|text-decoration[^;]*underline"
                           r"|font-style\s*:\s*italic", re.IGNORECASE)
_STYLE_SUP = re.compile(r"vertical-align\s*:\s*(super|sub)", re.IGNORECASE)

#: What stands for a ``<br/>`` while a block is walked: a character XML text cannot hold.
_BREAK = "\x00"

LineOf = Callable[[etree._Element], int]


def local(element: etree._Element) -> str:
    """The element's name without its namespace (``p``); "" for a comment or instruction."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return _local_name(tag)


@lru_cache(maxsize=256)
def _local_name(tag: str) -> str:
    """A qualified name without its namespace: asked at every element of the walk."""
    return tag.rpartition("}")[2]


@dataclass
class _Run:
    """The text of one block as it is walked: pieces with their formatting, and breaks."""

    line: int
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (text, tag or "")
    styled: list[bool] = field(default_factory=list)

    def add(self, text: str | None, tag: str, strong: bool) -> None:
        if text:
            self.pieces.append((text, tag))
            self.styled.append(strong or tag == "em")

    def brk(self) -> None:
        self.pieces.append((_BREAK, "br"))
        self.styled.append(True)

    def block(self, kind: str) -> Block | None:
        joined = "".join(text for text, _ in self.pieces)
        lines = tuple(line for line in (" ".join(part.split()) for part in joined.split(_BREAK))
                      if line)
        if not lines:
            return None
        text = " ".join(lines)
        markup = _markup(self.pieces)
        styled = all(s for (piece, _), s in zip(self.pieces, self.styled, strict=True)
                     if piece.strip())
        return Block(kind, text, markup, lines, styled, self.line)


def _markup(pieces: list[tuple[str, str]]) -> str:
    """The pieces as one message: whitespace collapsed across them, ``sup``/``sub``/``em``
    as tags around text that is more than spaces."""
    out: list[str] = []
    spaced = True  # at the start, or after a space: a further space is dropped
    for text, tag in pieces:
        flat = re.sub(r"\s+", " ", " " if tag == "br" else text)
        if spaced:
            flat = flat.lstrip(" ")
        if not flat:
            continue
        spaced = flat.endswith(" ")
        if tag in ("sup", "sub", "em") and flat.strip():
            lead = " " if flat.startswith(" ") else ""
            core = flat.strip(" ")
            out.append(f"{lead}<{tag}>{escape(core)}</{tag}>{' ' if spaced else ''}")
        else:
            out.append(escape(flat))
    return "".join(out).rstrip(" ")


def line_of(element: etree._Element) -> int:
    """The line ``element`` stands on, 0 where libxml2 does not know it."""
    line: int = element.sourceline or 0  # type: ignore[assignment]
    return line


def _is_block(element: etree._Element) -> bool:
    name = local(element)
    return name in _BLOCKS or name in _CONTAINERS


class _Layout:
    """Which elements of one narrative hold a block, found in one pass over it.

    It keeps every element of the narrative, so that lxml keeps one Python object per
    element while the walk runs, and an element is known by its ``id``.
    """

    def __init__(self, div: etree._Element) -> None:
        self.elements = list(div.iter())
        self.holding: set[int] = set()
        for element in self.elements:
            if not _is_block(element) or element is div:
                continue
            for ancestor in element.iterancestors():
                if id(ancestor) in self.holding:
                    break
                self.holding.add(id(ancestor))
                if ancestor is div:
                    break

    def holds_block(self, element: etree._Element) -> bool:
        return id(element) in self.holding


def blocks(div: etree._Element, line_of: LineOf) -> tuple[Block, ...]:
    """The blocks of a narrative ``div``, in document order; ``line_of`` gives the line of
    an element in the file (XML: where it stands; JSON: the line of the narrative)."""
    layout = _Layout(div)
    return tuple(b for b in _walk(div, line_of, layout) if b is not None)


def _walk(element: etree._Element, line_of: LineOf, layout: _Layout
          ) -> Iterator[Block | None]:
    name = local(element)
    if name == "tr" or (name in _BLOCKS and not layout.holds_block(element)):
        run = _Run(line_of(element))
        _inline(element, run, "", strong=False)
        yield run.block(_BLOCKS[name])
        return
    run = _Run(line_of(element))
    run.add(element.text, "", strong=False)
    for child in element:
        if _is_block(child) or layout.holds_block(child):
            yield run.block("p")
            yield from _walk(child, line_of, layout)
            run = _Run(line_of(child))
        else:
            _inline(child, run, "", strong=False, own_text=True)
        run.add(child.tail, "", strong=False)
    yield run.block("p")


def _inline(element: etree._Element, run: _Run, tag: str, *, strong: bool,
            own_text: bool = False) -> None:
    """Add the text of ``element`` and of what it holds (not its tail) to ``run``;
    ``own_text`` is false for the block element itself, whose formatting does not count."""
    name = local(element)
    if name in _SKIPPED or not name:
        return
    if name == "br":
        run.brk()
        return
    if own_text:
        tag, strong = _formatting(element, name, tag, strong)
    if name in _BLOCKS and own_text:
        run.add(" ", "", strong=True)
    run.add(element.text, tag, strong)
    for child in element:
        if _is_block(child):
            run.add(" ", "", strong=True)
        _inline(child, run, tag, strong=strong, own_text=True)
        run.add(child.tail, tag, strong)


def _formatting(element: etree._Element, name: str, tag: str, strong: bool
                ) -> tuple[str, bool]:
    """The message tag (``sup``, ``sub``, ``em`` or "") and whether text is styled like a
    heading, inside ``element``, given those of its parent."""
    style = element.get("style") or ""
    if tag not in ("sup", "sub"):
        vertical = _STYLE_SUP.search(style)
        if name in ("sup", "sub"):
            tag = name
        elif vertical:
            tag = vertical.group(1).lower()
        elif name in _EMPHASIS or "italic" in style.lower():
            tag = "em"
    parent = element.getparent()
    # A span inside a span: the mark of bold or underlined text that lost its style on the
    # way to the ePI, as the Spanish agency's ePIs write their headings.
    nested = name == "span" and parent is not None and local(parent) == "span"
    strong = strong or name in _STRONG or bool(_STYLE_STRONG.search(style)) or nested
    return tag, strong
