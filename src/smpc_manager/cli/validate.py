"""``smpc validate``: product files against the schema and the business rules."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.cli.options import emit_json, option_format
from smpc_manager.errors import Severity
from smpc_manager.portfolio import expand
from smpc_manager.products import validate_file


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_format("text: one line per problem; json: a list of findings.")
def validate(paths: Sequence[Path], fmt: str) -> None:
    """Validate product files against the schema and the business rules.

    PATHS are product files or portfolio folders (each folder's products/*.xml). Every
    problem of every file is reported in one run, as path:line:column: message.

    \b
    Examples:
      smpc validate examples/portfolio
      smpc validate products/besponsa.xml --format json
    """
    targets = expand(paths)
    problems = [p for t in targets for p in validate_file(t.path)]
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    if fmt == "json":
        emit_json([p.as_dict() for p in problems])
    else:
        for problem in problems:
            click.echo(str(problem), err=True)
        noun = "file" if len(targets) == 1 else "files"
        if errors:
            click.echo(f"{errors} error(s) in {len(targets)} {noun}", err=True)
        else:
            click.echo(f"{len(targets)} {noun} valid", err=True)
    if errors:
        sys.exit(1)
