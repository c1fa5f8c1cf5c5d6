"""The ``smpc`` command: the only module that prints or exits.

Every expected failure is an :class:`~smpc_manager.errors.SmpcError`; :class:`SmpcGroup`
turns it into one line per problem on stderr and the exception's exit code. Anything else is
a bug, reported as one line too unless ``--debug`` asks for the traceback.

Heavy modules (lxml, Babel, Jinja2) are imported inside the commands, so that ``smpc --help``
starts at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from smpc_manager import __version__
from smpc_manager.errors import SmpcError

FORMATS_TEXT_JSON = click.Choice(["text", "json"])


class SmpcGroup(click.Group):
    """A click group that prints our errors as lines and exits with their codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SmpcError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            for line in err.lines():
                click.echo(line, err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as err:  # a bug: one line, unless --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(
                f"smpc: internal error: {type(err).__name__}: {err} (run with --debug for the"
                " traceback, and please report it)",
                err=True,
            )
            sys.exit(70)


@click.group(cls=SmpcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smpc")
@click.option("--debug", is_flag=True, help="Show the traceback of any failure.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Keep the short summary of each medicine's SmPC as validated XML, translate it
    through gettext catalogs, and render the legally complete text block per market.

    \b
    The workflow, on a portfolio folder (smpc.toml, products/, locales/):
      smpc validate PORTFOLIO             the XML against the schema and the rules
      smpc extract PORTFOLIO              products -> locales/templates/<id>.pot
      smpc init PORTFOLIO --locale de     start a catalog for translators
      smpc update PORTFOLIO               merge changed English into every catalog
      smpc render PRODUCT --market AT     the text block for one market
      smpc check PORTFOLIO                dates and translations, as of today
      smpc build PORTFOLIO -o out/        everything, every market

    Problems are printed as path:line:column: message. Exit status: 0 fine, 1 problems
    found, 2 wrong usage.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def emit_json(data: object) -> None:
    """Print data as stable, indented JSON (sorted keys keep diffs readable)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


# ------------------------------------------------------------------------ validate


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True,
              help="text: one line per problem; json: a list of findings.")
def validate(paths: Sequence[Path], fmt: str) -> None:
    """Validate product files against the schema and the business rules.

    PATHS are product files or portfolio folders (each folder's products/*.xml). Every
    problem of every file is reported in one run, as path:line:column: message.

    \b
    Examples:
      smpc validate examples/portfolio
      smpc validate products/besponsa.xml --format json
    """
    from smpc_manager.loader import validate_file
    from smpc_manager.model import Severity
    from smpc_manager.portfolio import expand

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



# ------------------------------------------------------------------------ gettext workflow
# (extract, init, update, compile, stats)


# ------------------------------------------------------------------------ render


# ------------------------------------------------------------------------ check


# ------------------------------------------------------------------------ build
