"""``smpc import``: a product drafted from its approved SmPC (an EU ePI file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.catalogs import clock_now
from smpc_manager.cli import console
from smpc_manager.portfolio import load_portfolio
from smpc_manager.sources import import_smpc


@click.command("import")
@click.argument("smpc_files", metavar="SMPC_FILE...", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--into", "portfolio_path", type=click.Path(path_type=Path, file_okay=False),
              default=Path("."), show_default=True, help="The portfolio to draft the product in.")
@click.option("--id", "product_id", metavar="ID",
              help="The product's id (its file's name); by default made of its name in §1.")
@click.option("--force", is_flag=True,
              help="Replace a product, catalog or source that exists already.")
def import_command(smpc_files: Sequence[Path], portfolio_path: Path, product_id: str | None,
                   force: bool) -> None:
    """Draft a product from its approved SmPC (an EU ePI file, FHIR XML or JSON).

    The SMPC_FILE in the portfolio's source language (or else the first) is the SmPC
    in the product's language: it becomes
    products/<id>.xml (schema 2), with §1 name, strengths and forms, §2 composition, §4
    indications to undesirable effects, §5.1 group and ATC code, §6.1 excipients, §7
    holder, §8 numbers, §9 and §10 dates. Each further SMPC_FILE is the same SmPC in
    another language: its wording prefills locales/<lang>/LC_MESSAGES/<id>.po, translated
    where its sections align one to one, fuzzy with a note where they do not. The SmPCs
    are kept in the portfolio, at sources/<id>/<lang>.xml (or .json).

    Every field that could not be filled or is unsure is reported as path:line: warning,
    at the SmPC's line. Nothing that exists is replaced without --force.

    \b
    Examples:
      smpc import smpc-en.xml smpc-de.xml --into examples/portfolio --id besponsa
    """
    portfolio = load_portfolio(portfolio_path)
    imported = import_smpc(list(smpc_files), portfolio, product_id=product_id, force=force,
                           now=clock_now())
    for note in imported.notes:
        console.result(console.styled_problem(note))
    checks = console.plural(len(imported.notes), "field to check", "fields to check")
    console.summary(f"drafted {console.styled_path(imported.product)} ({checks})",
                    console.tone_of(0, len(imported.notes)))
    for catalog in imported.catalogs:
        counts = catalog.counts
        console.summary(f"prefilled {console.styled_path(catalog.path)}: {counts.translated}"
                        f" translated, {counts.fuzzy} fuzzy, {counts.untranslated}"
                        " untranslated", console.tone_of(0, counts.fuzzy))
