"""The catalog steps of a portfolio: start a language's catalog from a template, update it.

What ``smpc init`` and ``smpc update`` do for one product in one language, and the names and
dates they write into a new header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural

from smpc_manager.catalogs.merge import MergeCounts, merge
from smpc_manager.catalogs.pofile import PoCatalog, parse_po, read_catalog, write_catalog
from smpc_manager.catalogs.syntax import catalog_bytes, catalog_text, shown
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.locales import normalize_locale
from smpc_manager.model import Product

if TYPE_CHECKING:
    from smpc_manager.portfolio import Portfolio


def new_catalog(template: Catalog, locale: str, title: str, now: dt.datetime) -> PoCatalog:
    """A new catalog for ``locale`` from a template: every message untranslated, a header
    with the language, its plural forms and ``now`` as the revision date."""
    name = normalize_locale(locale)
    language = Locale.parse(name).get_display_name("en") or name
    project = template.header("Project-Id-Version") if isinstance(template, PoCatalog) \
        else template.project
    created = template.header("POT-Creation-Date") if isinstance(template, PoCatalog) \
        else None
    empty = PoCatalog(locale=name)
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
        ("Plural-Forms", get_plural(name).plural_forms),
    ]
    empty.header_fuzzy = empty.fuzzy = False
    catalog, _ = merge(empty, template)
    return catalog


# ------------------------------------------------------------------------ portfolio steps


@dataclass(frozen=True, slots=True)
class Updated:
    """The outcome of ``init`` or ``update`` for one product's catalog in one language."""

    product: str
    locale: str
    path: Path
    created: bool
    written: bool
    counts: MergeCounts


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


def init_catalog(portfolio: Portfolio, product: Product, locale: str,
                 now: dt.datetime) -> Updated:
    """Start the product's catalog for ``locale`` from its template; an existing catalog
    is left exactly as it is (``written`` is False), also one made while this ran (a
    :class:`ProblemsError`)."""
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if path.exists():
        return Updated(product.id, name, path, created=False, written=False,
                       counts=MergeCounts())
    catalog = new_catalog(read_template(portfolio, product.id), name, product.name.value, now)
    write_catalog(path, catalog, read=b"")
    return Updated(product.id, name, path, created=True, written=True,
                   counts=MergeCounts(added=len(catalog)))


def update_catalog(portfolio: Portfolio, product: Product, locale: str,
                   now: dt.datetime) -> Updated:
    """Merge the product's template into its catalog for ``locale`` (see :func:`merge`);
    a language that has catalogs but none for this product gets a new one.

    A catalog changed on disk while it was merged (a translator saved it) is not
    overwritten: that is a :class:`ProblemsError` naming it, and running again merges into
    the file as it is then.
    """
    name = normalize_locale(locale)
    path = portfolio.catalog_path(name, product.id)
    if not path.is_file():
        return init_catalog(portfolio, product, name, now)
    template = read_template(portfolio, product.id)
    read = catalog_bytes(path)
    catalog, counts = merge(parse_po(catalog_text(read, path), shown(path)), template)
    written = write_catalog(path, catalog, read=read)
    return Updated(product.id, name, path, created=False, written=written, counts=counts)


# ------------------------------------------------------------------------ names and dates


_LOCALE_NAME = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


def checked_locale(locale: str) -> str:
    """A locale named on the command line, normalised (``de-at`` -> ``de_AT``); a name that
    is not a locale CLDR knows, or could name a path, is a :class:`UsageError`."""
    if not _LOCALE_NAME.fullmatch(locale):
        raise UsageError(f"'{locale}' is not a locale (expected e.g. de or de_AT)")
    name = normalize_locale(locale)
    try:
        Locale.parse(name)
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
