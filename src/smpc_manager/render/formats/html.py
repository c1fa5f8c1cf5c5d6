"""A standalone HTML page, for review and for the web, laid out by ``page.html.j2``."""

from __future__ import annotations

from smpc_manager.render.formats.base import Format, Page


def lay_out(page: Page) -> str:
    """The page through its template (autoescaped; the parts' HTML is escaped already)."""
    return page.templated()


FORMAT = Format("html", "html", "page.html.j2", lay_out)
