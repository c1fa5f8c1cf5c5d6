"""The catalog steps of a portfolio: start a language's catalog from a template, update it.

What ``smpc init`` and ``smpc update`` do for one product in one language, and the names and
dates they write into a new header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog

from smpc_manager.catalogs.memory import TranslationMemory
from smpc_manager.catalogs.merge import MergeCounts, merge
from smpc_manager.catalogs.plurals import msginit_plural_forms
from smpc_manager.catalogs.pofile import (
    WIDTH,
    PoCatalog,
    format_po,
    load_catalog,
    parse_po,
    read_catalog,
    write_catalog,
    write_po,
)
from smpc_manager.catalogs.syntax import catalog_bytes, catalog_text, shown
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.locales import cldr_name, normalize_locale
from smpc_manager.model import Product

if TYPE_CHECKING:
    from smpc_manager.portfolio import Portfolio


def new_catalog(template: Catalog, locale: str, title: str, now: dt.datetime) -> PoCatalog:
    """A new catalog for ``locale`` from a template: every message untranslated, a header
    with the language, its plural forms as GNU ``msginit`` writes them (none for a
    language its table lacks) and ``now`` as the revision date."""
    name = normalize_locale(locale)
    language = Locale.parse(cldr_name(name)).get_display_name("en") or name
    project = template.header("Project-Id-Version") if isinstance(template, PoCatalog) \
        else template.project
    created = template.header("POT-Creation-Date") if isinstance(template, PoCatalog) \
        else None
    empty = PoCatalog(locale=cldr_name(name))
    empty.header_comments = [f"{language} translation of {title}."]
    empty.header_fields = [
        ("Project-Id-Version", project or ""),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", created or format_header_date(now)),
        ("PO-Revision-Date", format_header_date(now)),
        ("Last-Translator", ""),
        ("Language-Team", language),
        ("Language", name),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    plural_forms = msginit_plural_forms(name)
    if plural_forms is not None:
        empty.set_header("Plural-Forms", plural_forms)
    empty.header_fuzzy = empty.fuzzy = False
    catalog, _ = merge(empty, template)
    if plural_forms is not None:
        catalog.mime_headers = [("Plural-Forms", plural_forms)]  # Babel's view of them too
    return catalog


# ------------------------------------------------------------------------ portfolio steps


@dataclass(frozen=True, slots=True)
class Layout:
    """How catalogs and templates are written: strings wrapped at ``width`` columns, or
    not wrapped at all (``wrap`` false), as GNU's ``--width`` and ``--no-wrap``."""

    width: int = WIDTH
    wrap: bool = True


#: GNU's layout: wrapped at 79 columns.
DEFAULT_LAYOUT = Layout()


@dataclass(frozen=True, slots=True)
class Updated:
    """The outcome of ``init`` or ``update`` for one product's catalog in one language.

    ``written`` says whether the file was written (with ``dry_run``: whether it would be);
    besides the messages' ``counts``, ``header`` says that the header changed (the
    template's creation date) and ``relaid`` that the file was not in the writer's layout
    (another tool wrapped it otherwise, or at another width).
    """

    product: str
    locale: str
    path: Path
    created: bool
    written: bool
    counts: MergeCounts
    header: bool = False
    relaid: bool = False


def read_template(portfolio: Portfolio, product_id: str) -> PoCatalog:
    """The product's template; a missing one is a problem that says how to make it."""
    path = portfolio.template_path(product_id)
    if not path.is_file():
        raise ProblemsError([Problem(
            SourceLocation(shown(path)),
            f"no template for product '{product_id}' (run `smpc extract"
            f" {shown(portfolio.root)}` first)",
        )])
    return read_catalog(path)


def portfolio_memory(portfolio: Portfolio, locale: str,
                     compendia: Sequence[tuple[str, Catalog]] = ()) -> TranslationMemory:
    """The translation memory of ``locale``: the approved translations of every catalog in
    its folder (``locales/<locale>/LC_MESSAGES/*.po``, by name), then of the ``compendia``
    (name, catalog) in their order; exact matches filled as translated where the portfolio
    says ``memory-exact = "translated"``.

    A catalog that cannot be read, or that the portfolio's boundary refuses, lends nothing:
    it is reported where its own product is merged or checked.
    """
    memory = TranslationMemory(
        exact_translated=portfolio.translation.memory_exact == "translated")
    folder = portfolio.catalog_folder(normalize_locale(locale))
    boundary = portfolio.boundary()
    for path in sorted(folder.glob("*.po")):
        try:
            boundary.file(os.fspath(path))
            memory.add(load_catalog(path), path.relative_to(portfolio.root).as_posix())
        except (ProblemsError, OSError):
            continue
    for name, compendium in compendia:
        memory.add(compendium, name)
    return memory


def init_catalog(portfolio: Portfolio, product: Product, locale: str, now: dt.datetime, *,
                 memory: TranslationMemory | None = None, layout: Layout = DEFAULT_LAYOUT,
                 dry_run: bool = False) -> Updated:
    """Start the product's catalog for ``locale`` from its template, its messages filled
    from the translation memory where it has the same English (``memory``: by default the
    other catalogs of the language, :func:`portfolio_memory`).

    An existing catalog is left exactly as it is (``written`` is False), also one made
    while this ran (a :class:`ProblemsError`). With ``dry_run`` nothing is written.
    """
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if path.exists():
        return Updated(product.id, name, path, created=False, written=False,
                       counts=MergeCounts())
    if memory is None:
        memory = portfolio_memory(portfolio, name)
    template = read_template(portfolio, product.id)
    catalog, counts = merge(new_catalog(template, name, product.name.value, now), template,
                            memory=memory)
    if not dry_run:
        write_catalog(path, catalog, read=b"", width=layout.width, wrap=layout.wrap)
    return Updated(product.id, name, path, created=True, written=True,
                   counts=MergeCounts(added=counts.kept, memory=counts.memory))


def update_catalog(portfolio: Portfolio, product: Product, locale: str, now: dt.datetime, *,
                   memory: TranslationMemory | None = None, layout: Layout = DEFAULT_LAYOUT,
                   dry_run: bool = False, explain: bool = True) -> Updated:
    """Merge the product's template into its catalog for ``locale`` (see :func:`merge`),
    with ``memory`` (by default the language's catalogs, :func:`portfolio_memory`); a
    language that has catalogs but none for this product gets a new one
    (:func:`init_catalog`).

    With ``dry_run`` nothing is written: ``written`` says whether the file would be.
    ``explain`` false leaves :attr:`Updated.relaid` False rather than lay out the old
    catalog a second time to find it out (for a caller that does not say why).
    A catalog changed on disk while it was merged (a translator saved it) is not
    overwritten: that is a :class:`ProblemsError` naming it, and running again merges into
    the file as it is then.
    """
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if memory is None:
        memory = portfolio_memory(portfolio, name)
    if not path.is_file():
        return init_catalog(portfolio, product, name, now, memory=memory, layout=layout,
                            dry_run=dry_run)
    template = read_template(portfolio, product.id)
    read = catalog_bytes(path)
    old = parse_po(catalog_text(read, path), shown(path))
    catalog, counts = merge(old, template, memory=memory)
    data = format_po(catalog, width=layout.width, wrap=layout.wrap).encode("utf-8")
    changed = data != read
    if changed and not dry_run:
        write_po(path, data, read=read)
    # Why it changed: besides the messages, a header or a file another tool laid out.
    relaid = explain and changed and format_po(old, width=layout.width, wrap=layout.wrap
                                               ).encode("utf-8") != read
    return Updated(product.id, name, path, created=False, written=changed, counts=counts,
                   header=catalog.header_fields != old.header_fields, relaid=relaid)


# ------------------------------------------------------------------------ names and dates


_LOCALE_NAME = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]{1,12})?")


def checked_locale(locale: str) -> str:
    """A locale named on the command line, normalised (``de-at`` -> ``de_AT``; a GNU
    modifier kept: ``sr@latin``); a name that is not a locale CLDR knows, or could name a
    path, is a :class:`UsageError`."""
    if not _LOCALE_NAME.fullmatch(locale):
        raise UsageError(f"'{locale}' is not a locale (expected e.g. de or de_AT)")
    name = normalize_locale(locale)
    try:
        Locale.parse(cldr_name(name))
    except (ValueError, UnknownLocaleError):
        raise UsageError(f"'{locale}' is not a locale CLDR knows (expected e.g. de or de_AT)"
                         ) from None
    return name


def clock_now() -> dt.datetime:
    """The time for new headers: ``SOURCE_DATE_EPOCH`` if set (reproducible builds), else
    the current UTC time, to the minute."""
    epoch = (os.environ.get("SOURCE_DATE_EPOCH") or "").strip()
    now = dt.datetime.now(dt.UTC)
    if epoch.isascii() and epoch.isdigit():
        # A value no calendar can hold is ignored like any other unreadable one.
        with contextlib.suppress(OverflowError, OSError, ValueError):
            now = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return now.replace(second=0, microsecond=0)


def format_header_date(when: dt.datetime) -> str:
    """``2026-11-25 10:00+0000``, the form gettext tools write in headers."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M%z")
