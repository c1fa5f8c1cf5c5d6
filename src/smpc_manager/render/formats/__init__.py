"""The output formats: one module each, and the one table that drives ``--format``, the
extensions of the files a build writes, and how each output is laid out.

A new format is a module with a :class:`Format` named ``FORMAT`` (and, if it is laid out
with a template, that template in ``smpc_manager/templates``), and its line below.
"""

from __future__ import annotations

from smpc_manager.errors import UsageError
from smpc_manager.render.formats import html, json, text
from smpc_manager.render.formats.base import Format, Page

#: Every format by name, in the order ``--format`` lists them.
FORMATS: dict[str, Format] = {f.name: f for f in (
    text.FORMAT,
    html.FORMAT,
    json.FORMAT,
)}

#: The file extension of each format's outputs.
EXTENSIONS = {name: f.extension for name, f in FORMATS.items()}


def format_named(name: str) -> Format:
    """The format called ``name``; an unknown one is a usage error naming the known."""
    found = FORMATS.get(name)
    if found is None:
        raise UsageError(f"unknown format '{name}' (known: {', '.join(FORMATS)})")
    return found


__all__ = ["EXTENSIONS", "FORMATS", "Format", "Page", "format_named"]
