"""Products -> gettext templates: one ``locales/templates/<id>.pot`` per product.

Each translatable element becomes one message: ``msgctxt`` names the field
(``contraindications``), so equal English in two fields may differ in German; ``#:`` is the
XML file (relative to the portfolio root) and line; ``#.`` is the field's meaning from the
schema. A message is known by its field and its English, not by its position: the same
sentence a second time in one field is ``contraindications#2``, and a paragraph inserted
or removed changes no other message. What is not translatable (the invented name, codes,
numbers-only fields, dates) is never a message: :meth:`Product.messages` yields only the
texts.

A template is rewritten only when its messages change, and then its ``POT-Creation-Date``
is the injected ``now``; extracting unchanged products leaves every byte as it was.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Message

from smpc_manager.catalogs.pofile import WIDTH, PoCatalog, format_po, read_catalog, write_catalog
from smpc_manager.catalogs.workflow import DEFAULT_LAYOUT, Layout, format_header_date
from smpc_manager.errors import ProblemsError
from smpc_manager.model import Product

TEMPLATE_DATE_FIELD = "POT-Creation-Date"


def relative_location(path: str, root: Path) -> str:
    """A product path as the ``#:`` comment shows it: relative to the portfolio root, with
    forward slashes (``products/besponsa.xml``)."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def new_template(project: str, comments: list[str], creation_date: str) -> PoCatalog:
    """An empty template catalog with the standard header; ``creation_date`` as is.

    The other header fields are those ``xgettext`` writes, with GNU's placeholders (an
    empty ``Language``), so ``msginit`` and Poedit fill them in as they do for any template.
    """
    catalog = PoCatalog(fuzzy=True)
    catalog.header_comments = list(comments)
    catalog.header_fuzzy = True
    catalog.header_fields = [
        ("Project-Id-Version", project),
        ("Report-Msgid-Bugs-To", ""),
        (TEMPLATE_DATE_FIELD, creation_date),
        ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
        ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
        ("Language-Team", "LANGUAGE <LL@li.org>"),
        ("Language", ""),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    return catalog


def wrap_note(note: str) -> list[str]:
    """A translator note as ``#.`` lines that fit the catalogs' width."""
    if not note:
        return []
    return textwrap.wrap(note, WIDTH - 3, break_long_words=False, break_on_hyphens=False)


def template_for(product: Product, root: Path, creation_date: str) -> PoCatalog:
    """The template catalog of one product; ``creation_date`` goes into the header as is."""
    source = relative_location(product.path, root)
    catalog = new_template(product.id, [
        f"Messages of {product.name.value} ({source}) for translation.",
        "Written by `smpc extract`; translators work on the catalogs made from it",
        f"(`smpc init`, `smpc update`): locales/<language>/LC_MESSAGES/{product.id}.po.",
    ], creation_date)
    for text in product.messages():
        location = (relative_location(text.location.path, root), text.location.line)
        notes = wrap_note(text.note)
        key = catalog.get(text.source, context=text.context)
        if key is not None:  # the same field twice: one message, both places
            key.locations.append(location)
            continue
        message = Message(text.source, "", locations=[location], auto_comments=notes,
                          context=text.context)
        message.flags = set()  # no python-format guesses from a '%' in the English
        catalog[text.source] = message
    return catalog


@dataclass(frozen=True, slots=True)
class Extracted:
    """The outcome of extracting one product."""

    product: str
    path: Path
    messages: int
    written: bool


def extract(product: Product, template: Path, root: Path, now: dt.datetime, *,
            layout: Layout = DEFAULT_LAYOUT, dry_run: bool = False) -> Extracted:
    """Write the product's template to ``template``, laid out as ``layout`` says, unless
    it is so already.

    The header keeps the old ``POT-Creation-Date`` while the messages are the same (also
    when only the layout changes), so an unchanged product gives a byte-identical file;
    otherwise the date is ``now``. With ``dry_run`` nothing is written: ``written`` says
    whether the template would be.
    """
    old = _old_template(template)
    date = old.header(TEMPLATE_DATE_FIELD) if old is not None else None
    catalog = template_for(product, root, date or format_header_date(now))
    if old is not None and date is not None:
        text = format_po(catalog, width=layout.width, wrap=layout.wrap)
        if template.read_bytes() == text.encode("utf-8"):
            return Extracted(product.id, template, len(catalog), written=False)
        if text != format_po(old, width=layout.width, wrap=layout.wrap):
            catalog = template_for(product, root, format_header_date(now))
    written = dry_run or write_catalog(template, catalog, width=layout.width,
                                       wrap=layout.wrap)
    return Extracted(product.id, template, len(catalog), written)


def _old_template(template: Path) -> PoCatalog | None:
    """The template as it is, or None where there is none or it cannot be read (a broken
    template is simply made again)."""
    if not template.is_file():
        return None
    try:
        return read_catalog(template)
    except ProblemsError:
        return None


def is_current(product: Product, template: Path) -> bool:
    """Whether ``template`` holds exactly the product's messages (same fields, same English),
    so that merging it cannot miss a change made to the XML since the last extract."""
    try:
        catalog = read_catalog(template)
    except ProblemsError:
        return False
    theirs = [(m.context, m.id) for m in catalog if m.id]
    ours = list(dict.fromkeys((t.context, t.source) for t in product.messages()))
    return theirs == ours
