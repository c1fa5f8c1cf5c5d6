"""The tool's own gettext domain ``smpc``: labels, titles and fixed legal phrases.

Its messages live in two places: the Jinja2 templates (``{% trans %}`` blocks, found with
Babel's Jinja2 extractor) and the market profiles (``title``, ``label``, ``phrase``, the
prescription wordings, ``cost-format``). :func:`refresh` collects both into
``locales/smpc.pot`` and merges that into every ``locales/<lang>/LC_MESSAGES/smpc.po`` the
same way ``smpc update`` merges a product's catalogs (a changed English phrase turns its
translation fuzzy, nothing is lost).

This is the library half of a maintainer's task, not a user command: the command is
``scripts/tool_domain.py`` in a checkout, which writes the checkout's own ``locales/``.
The extraction stays in the package so that the layering test guards what it imports and
the tests can hold the shipped catalogs current.

The English catalog holds each message as its own translation (as GNU ``msgen`` makes
one), so a wording meant for English readers can be changed there without touching the
profiles. Unchanged input gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Message as PoMessage

from smpc_manager.catalogs import (
    TEMPLATE_DATE_FIELD,
    PoCatalog,
    clock_now,
    format_header_date,
    format_po,
    merge,
    new_template,
    read_catalog,
    wrap_note,
    write_catalog,
)
from smpc_manager.markets import Message, load_profile, shipped_markets
from smpc_manager.render import DOMAIN, template_messages
from smpc_manager.version import __version__

TEMPLATE_NAME = f"{DOMAIN}.pot"


def tool_messages() -> list[Message]:
    """Every ``smpc`` message: the templates' first, then each shipped profile's in order."""
    found = list(template_messages())
    for market in shipped_markets():
        found.extend(load_profile(market).messages())
    return found


def tool_template(creation_date: str) -> PoCatalog:
    """The ``smpc.pot`` catalog; ``creation_date`` goes into the header as is."""
    catalog = new_template(f"smpc-manager {__version__}", [
        "Labels, titles and fixed legal phrases of smpc-manager's templates and market",
        "profiles. Written by scripts/tool_domain.py; do not edit by hand.",
    ], creation_date)
    for message in tool_messages():
        location = (message.location.path, message.location.line)
        entry = catalog.get(message.msgid)
        if entry is not None:  # the same label in several markets: one message
            if location not in entry.locations:
                entry.locations.append(location)
            # Each market's note whole: a wrapped line two notes share is not dropped
            # from the second.
            note = wrap_note(message.note)
            if not _holds(entry.auto_comments, note):
                entry.auto_comments.extend(note)
            continue
        entry = PoMessage(message.msgid, "", locations=[location],
                          auto_comments=wrap_note(message.note))
        catalog[message.msgid] = entry
    return catalog


def _holds(lines: list[str], part: list[str]) -> bool:
    """Whether ``part`` stands in ``lines`` as a run of whole lines."""
    return any(lines[i:i + len(part)] == part for i in range(len(lines) - len(part) + 1))


def _same_but_date(old: PoCatalog, new: PoCatalog) -> bool:
    date = old.header(TEMPLATE_DATE_FIELD)
    if date is None:
        return False
    new.set_header(TEMPLATE_DATE_FIELD, date)
    return format_po(old) == format_po(new)


def refresh(locales: Path, *, write: bool) -> list[str]:
    """Make ``smpc.pot`` and each ``smpc.po`` under ``locales`` current; return the files
    that were (or, with ``write=False``, would be) changed."""
    pot_path = locales / TEMPLATE_NAME
    template = tool_template(format_header_date(clock_now()))
    changed: list[str] = []
    if pot_path.is_file():
        old = read_catalog(pot_path)
        if not _same_but_date(old, template):
            template.set_header(TEMPLATE_DATE_FIELD, format_header_date(clock_now()))
            changed.append(str(pot_path))
    else:
        changed.append(str(pot_path))
    if write:
        write_catalog(pot_path, template)
    for po_path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalog, _counts = merge(read_catalog(po_path), template)
        if po_path.parts[-3] == "en":  # English: every new message is its own translation
            for entry in catalog:
                if entry.id and not entry.string:
                    entry.string = entry.id
        if format_po(catalog).encode("utf-8") != po_path.read_bytes():
            changed.append(str(po_path))
            if write:
                write_catalog(po_path, catalog)
    return changed
