"""Migrate product files to schema 2 with their catalogs (``smpc migrate``).

A message keeps its context in schema 2 wherever the field is the same; where schema 2
holds a field's text under another name (schema 1's ``warnings`` is both ``precautions``
and ``label-warnings``, a cost's pack ``cost/GB`` is a pack's size, ``pack``), the
catalogs' entries are carried over to the new contexts before anything else reads them:
each with its translation, flags and comments, in every language, so that nothing goes
fuzzy or untranslated. The template is then extracted anew from the migrated file and
merged into each catalog (without a translation memory: the migration adds no
translation), so that the references and notes are schema 2's and ``smpc update --check``
finds nothing to do.

Every file is read, migrated and checked before any is written; then each product file is
replaced atomically, then its catalogs, then its template. A run cut short leaves each file
whole; running ``smpc migrate`` again finishes the work (a file already in schema 2 is left
as it is, and its catalogs are still carried over where they hold schema 1 contexts).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message

from smpc_manager import products
from smpc_manager.catalogs.extract import extract
from smpc_manager.catalogs.memory import TranslationMemory, message_field
from smpc_manager.catalogs.pofile import PoCatalog, read_catalog, write_catalog
from smpc_manager.catalogs.syntax import shown
from smpc_manager.catalogs.workflow import clock_now, update_catalog
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.portfolio import Portfolio, expand

if TYPE_CHECKING:
    # The products package loads lxml for these when they are first used, at a migration.
    from smpc_manager.products import Migration


def migrated_contexts(context: str | None) -> tuple[str | None, ...]:
    """The contexts a message of a schema 1 field has in schema 2 (see
    :func:`~smpc_manager.products.migrated_fields`), with its occurrence count
    (``warnings#2`` -> ``precautions#2``, ``label-warnings#2``); any other context as it
    is."""
    field = message_field(context)
    if field is None or context is None:
        return (context,)
    suffix = context[len(field) :]
    return tuple(f"{name}{suffix}" for name in products.migrated_fields(field))


def carry_over(catalog: Catalog, path: str = "<catalog>") -> tuple[int, list[Problem]]:
    """Move the entries of ``catalog`` (changed in place) to their schema 2 contexts;
    return how many were moved, and a warning for each translation left out.

    An entry whose field schema 2 names otherwise is replaced by a copy under each context
    it has there (:func:`migrated_contexts`), where it stood: translation, flags, comments
    and all; obsolete entries too. Where a context is taken already (by an entry under it,
    or by the first of two costs of one pack in two markets), that entry is kept, and the
    other's translation, if it differs, is named in a warning (``path`` is the
    catalog's).
    """
    moved = 0
    warnings: list[Problem] = []
    for live in (True, False):
        messages = [m for m in catalog if m.id] if live else list(catalog.obsolete.values())
        renamed = [migrated_contexts(m.context) for m in messages]
        if all(names == (m.context,) for m, names in zip(messages, renamed, strict=True)):
            continue
        # An entry already under its context keeps it, wherever it stands.
        result: dict[_Key, Message] = {_key(m.id, m.context): m for m, names
                                       in zip(messages, renamed, strict=True)
                                       if names == (m.context,)}
        for message, names in zip(messages, renamed, strict=True):
            if names == (message.context,):
                continue
            moved += 1
            for context in names:
                kept = result.setdefault(_key(message.id, context),
                                         _with_context(message, context))
                if kept.string != message.string:
                    warnings.append(_left_out(path, message, kept, context))
        # In the old order: each moved entry where it stood, under its first new context.
        keys = dict.fromkeys(_key(m.id, c) for m, names in zip(messages, renamed, strict=True)
                             for c in names)
        _replace(catalog, [result[key] for key in keys], live=live)
    return moved, warnings


_Key = str | tuple[str, str]


def _key(message_id: str | tuple[str, ...] | list[str], context: str | None) -> _Key:
    """The key of a message in a Babel catalog's dictionaries (a plural by its first id)."""
    msgid = message_id[0] if isinstance(message_id, tuple | list) else message_id
    return msgid if context is None else (msgid, context)


def _with_context(message: Message, context: str | None) -> Message:
    copied = copy.deepcopy(message)
    copied.context = context
    return copied


def _left_out(path: str, message: Message, kept: Message, context: str | None) -> Problem:
    return Problem(
        SourceLocation(path, message.lineno or 0),
        f"the translation of msgctxt {message.context!r} is left out: in schema 2 the"
        f" message is msgctxt {context!r}, which keeps the translation of line {kept.lineno}",
        Severity.WARNING,
    )


def _replace(catalog: Catalog, messages: list[Message], *, live: bool) -> None:
    """Make ``messages`` the catalog's live (or obsolete) entries, in their order."""
    if live:
        for message in [m for m in catalog if m.id]:
            catalog.delete(message.id, context=message.context)
        for message in messages:
            catalog[message.id] = message
    else:
        catalog.obsolete.clear()
        for message in messages:
            catalog.obsolete[_key(message.id, message.context)] = message


# ------------------------------------------------------------------------ a portfolio


@dataclass(frozen=True, slots=True)
class CarriedCatalog:
    """One catalog of a migrated product: where it is, its language, how many entries were
    carried over to schema 2 contexts (and ``catalog``, ``read``: what is written, and what
    the file held when it was read)."""

    path: Path
    locale: str
    moved: int
    catalog: PoCatalog
    read: bytes


@dataclass(frozen=True, slots=True)
class MigratedProduct:
    """What ``smpc migrate`` does to one product: its file (``migration``), its catalogs,
    whether its template is extracted anew, and warnings about translations left out."""

    migration: Migration
    portfolio: Portfolio
    catalogs: tuple[CarriedCatalog, ...]
    template: Path | None
    warnings: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything is (or with a dry run, would be) written."""
        return self.migration.changed or any(c.moved for c in self.catalogs)


def migrate_portfolio(paths: Iterable[str | Path], *, now: dt.datetime | None = None,
                      dry_run: bool = False) -> list[MigratedProduct]:
    """Migrate the product files named, or those of the portfolios named, to schema 2, with
    their catalogs and templates; with ``dry_run``, only say what would change.

    Every file is read and migrated in memory first: any problem (a file that is not valid
    schema 1 or 2, a catalog that cannot be read) raises :class:`ProblemsError` listing
    them all, and nothing is written. ``now`` is the creation date of a template whose
    messages change (default :func:`clock_now`).
    """
    planned: list[MigratedProduct] = []
    problems: list[Problem] = []
    for target in expand(paths):
        try:
            planned.append(_plan(target.portfolio, products.migrate_product(target.path)))
        except ProblemsError as err:
            problems.extend(err.problems)
    if problems:
        raise ProblemsError(problems)
    if not dry_run:
        when = now or clock_now()
        for plan in planned:
            _write(plan, when)
    return planned


def _plan(portfolio: Portfolio, migration: Migration) -> MigratedProduct:
    """The catalogs of a product, carried over in memory, and its template."""
    product_id = migration.product.id
    carried: list[CarriedCatalog] = []
    warnings: list[Problem] = []
    for locale in portfolio.catalog_locales():
        path = portfolio.catalog_path(locale, product_id)
        if not path.is_file():
            continue
        read = path.read_bytes()
        catalog = read_catalog(path)
        moved, left_out = carry_over(catalog, shown(path))
        carried.append(CarriedCatalog(path, locale, moved, catalog, read))
        warnings.extend(left_out)
    template = portfolio.template_path(product_id)
    return MigratedProduct(migration, portfolio, tuple(carried),
                           template if template.is_file() else None, tuple(warnings))


def _write(plan: MigratedProduct, now: dt.datetime) -> None:
    """Write a planned migration: the product file, the catalogs carried over, then the
    template extracted anew and merged into each catalog."""
    if not plan.changed:
        return
    products.write_migration(plan.migration)
    for carried in plan.catalogs:
        if carried.moved:
            write_catalog(carried.path, carried.catalog, read=carried.read)
    if plan.template is None:
        return
    product = plan.migration.product
    extract(product, plan.template, plan.portfolio.root, now)
    for carried in plan.catalogs:
        update_catalog(plan.portfolio, product, carried.locale, now,
                       memory=TranslationMemory())
