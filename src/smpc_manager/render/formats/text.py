"""The artwork-ready text block: the title, a blank line, one run-in paragraph per line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smpc_manager.render.formats.base import Format, Page

if TYPE_CHECKING:
    from smpc_manager.render.compose import Paragraph


def lay_out(page: Page) -> str:
    """The page through the portfolio's own template, or as the shipped one lays it out."""
    if page.shipped_template:
        return text_block(page.document.title, page.document.paragraphs)
    return page.templated()


def text_block(title: str, paragraphs: Sequence[Paragraph]) -> str:
    """The shipped text template (``templates/text.txt.j2``) laid out without Jinja2.

    The template stays what a portfolio copies to lay its blocks out otherwise, and the
    input every text output names; this gives its very bytes (a test lays out every example
    and random documents both ways), so that a build of text blocks never needs to run a
    template.
    """
    lines = [title, "\n\n"]
    for paragraph in paragraphs:
        lines.append(" ".join([f"{part.label}: {part.text}" if part.label else part.text
                               for part in paragraph.parts]))
        lines.append("\n")
    return "".join(lines)


FORMAT = Format("text", "txt", "text.txt.j2", lay_out, uses_html=False)
