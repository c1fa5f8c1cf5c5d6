"""``smpc migrate``: schema 1 product files rewritten as schema 2, with their catalogs."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.catalogs import MigratedProduct, migrate_portfolio, shown
from smpc_manager.cli import console


@click.command("migrate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files still in schema 1 (and the catalogs still"
                   " holding schema 1 contexts) and exit 1 if there are any, 0 if all are"
                   " migrated (for CI and pre-commit).")
@click.option("--diff", is_flag=True,
              help="Write nothing; print what each schema 1 file would become, as a unified"
                   " diff.")
def migrate(paths: Sequence[Path], *, check: bool, diff: bool) -> None:
    """Rewrite schema 1 product files as schema 2, with their catalogs.

    PATHS are product files or portfolio folders (each folder's products/*.xml). Each
    schema 1 file is rewritten in place as docs/schema.md (Decisions) maps it: the
    strength, form and composition become presentation p1, the active substances
    active-substances, warnings both precautions and label-warnings, each cost a pack of p1
    with its price. Every element, value and comment is kept, and so is the file's
    layout; an <?xml-model?> line names schema 2 for XML editors. A file already in schema
    2 is left as it is.

    Every catalog of the product, in every language, keeps its translations: the entries
    of warnings and of the costs move to their schema 2 contexts (precautions,
    label-warnings, pack), with their flags and comments. The template is then extracted
    again and merged into each catalog (as smpc extract and smpc update would, but taking
    nothing from translation memory), so every output renders as before.

    Every file is checked before any is written: a file that is not valid (see smpc
    validate) stops the run with its problems, and nothing is written. Each file is
    replaced whole, never left half written.

    \b
    Examples:
      smpc migrate examples/portfolio
      smpc migrate products/besponsa.xml --diff     # what would change
      smpc migrate examples/portfolio --check       # in CI: exit 1 if any is schema 1
    """
    done = migrate_portfolio(paths, dry_run=check or diff)
    for product in done:
        for warning in product.warnings:
            console.warning(console.styled_problem(warning))
        if diff:
            _print_diff(product)
        elif check and product.changed:
            console.result(f"{console.styled_path(shown(product.migration.path))}:"
                           f" {_what(product, dry_run=True)}")
        else:
            console.detail(f"{console.styled_path(shown(product.migration.path))}:"
                           f" {_what(product, dry_run=check)}")
    pending = [p for p in done if p.changed]
    verb = "to migrate" if check or diff else "migrated"
    entries = sum(c.moved for p in done for c in p.catalogs)
    summary = (f"{console.plural(len(done), 'file')}: {len(pending)} {verb},"
               f" {len(done) - len(pending)} already schema 2")
    if entries:
        summary += f"; {console.plural(entries, 'catalog entry', 'catalog entries')}" \
                   f" {'to carry' if check or diff else 'carried'} over"
    if check and pending:
        roots = " ".join(dict.fromkeys(shown(p.portfolio.root) for p in pending))
        console.summary(f"{summary} (run smpc migrate {roots})", console.Tone.ERROR)
        sys.exit(1)
    console.summary(summary)


def _what(product: MigratedProduct, *, dry_run: bool) -> str:
    """What happens to one product: ``migrated to schema 2; catalogs carried over:
    locales/de/LC_MESSAGES/besponsa.po (1 entry)``."""
    carried = [c for c in product.catalogs if c.moved]
    if not product.changed:
        return "already schema 2, left as it is"
    would = "would be " if dry_run else ""
    head = f"{would}migrated to schema 2" if product.migration.changed else "already schema 2"
    if not carried:
        return head
    return (f"{head}; catalogs {would}carried over: "
            + ", ".join(f"{shown(c.path)} ({console.plural(c.moved, 'entry', 'entries')})"
                        for c in carried))


def _print_diff(product: MigratedProduct) -> None:
    """The unified diff of a product file and its schema 2 text, on standard output."""
    migration = product.migration
    if not migration.changed:
        return
    name = shown(migration.path)
    lines = difflib.unified_diff(
        migration.original.decode("utf-8").splitlines(keepends=True),
        migration.text.splitlines(keepends=True), fromfile=f"{name} (schema 1)",
        tofile=f"{name} (schema 2)")
    for line in lines:
        console.result(line if line.endswith("\n") else line + "\n", nl=False)
