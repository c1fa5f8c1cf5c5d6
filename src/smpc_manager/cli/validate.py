"""``smpc validate``: product files against the schema and the business rules."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.cli import console
from smpc_manager.cli.options import emit_json, option_format
from smpc_manager.errors import Problem, Severity
from smpc_manager.portfolio import expand
from smpc_manager.products import load_product, validate_file
from smpc_manager.reports import validation_report
from smpc_manager.sources import check_sources


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_format("text: one line per problem; json: the report, its items the problems.")
def validate(paths: Sequence[Path], fmt: str) -> None:
    """Validate product files against the schema and the business rules.

    PATHS are product files or portfolio folders (each folder's products/*.xml). Each
    valid product's approved SmPCs (sources/<id>/<lang>.xml or .json, or where its
    smpc-source names them) are read too. Every problem of every file is reported in one
    run, as path:line:column: message, on
    standard output; the summary goes to standard error.

    \b
    Examples:
      smpc validate examples/portfolio
      smpc validate products/besponsa.xml --format json
    """
    targets = expand(paths)
    problems: list[Problem] = []
    errors = 0
    for target in targets:
        found = validate_file(target.path)
        if not any(p.severity is Severity.ERROR for p in found):
            found += check_sources(target.portfolio, load_product(target.path))
        in_file = sum(1 for p in found if p.severity is Severity.ERROR)
        console.detail(f"{console.styled_path(target.path)}: "
                       + (f"{in_file} error(s)" if in_file else "valid"))
        problems.extend(found)
        errors += in_file
    if fmt == "json":
        emit_json(validation_report(len(targets), problems))
    else:
        for problem in problems:
            console.result(console.styled_problem(problem))
        noun = "file" if len(targets) == 1 else "files"
        if errors:
            console.summary(f"{errors} error(s) in {len(targets)} {noun}", console.Tone.ERROR)
        else:
            console.summary(f"{len(targets)} {noun} valid",
                            console.tone_of(0, len(problems)))
    if errors:
        sys.exit(1)
