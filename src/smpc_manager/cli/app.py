"""The ``smpc`` group: the one funnel from exceptions to messages and exit codes, and the
table of its commands, each loaded only when it runs.

Every expected failure is an :class:`~smpc_manager.errors.SmpcError`; :class:`SmpcGroup`
turns it into one line per problem on stderr and the exception's exit code. Anything else is
a bug, reported as one line too. ``--debug`` prints the traceback first and keeps the exit
code, so that a script sees the same status with or without it.

The group's options (``--color``, ``--quiet``, ``--verbose``) decide how every command
prints; :mod:`smpc_manager.cli.console` holds the rule of which stream carries what.

The commands live in their own modules, which import what they need (lxml, Babel, Jinja2)
at the top. Following click's "Lazily Loading Subcommands", the group imports a command's
module only to run it or show its own help, so that ``smpc --help`` starts at once; the
listing it prints comes from the summaries in :data:`COMMANDS`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NamedTuple

import click

from smpc_manager.cli.console import COLOR_CHOICES, configure, error, styled_problem
from smpc_manager.clock import SYSTEM_CLOCK
from smpc_manager.errors import ProblemsError, SmpcError
from smpc_manager.version import __version__


class LazyCommand(NamedTuple):
    """Where a command is defined, and the first paragraph of its help."""

    target: str  #: ``module:attribute``
    summary: str


#: The commands of ``smpc``. Each summary is its command's first help paragraph, from which
#: ``smpc --help`` shortens the listing as click does (a test holds the two equal).
COMMANDS: dict[str, LazyCommand] = {
    "build": LazyCommand(
        "smpc_manager.cli.build:build",
        "Render every product of a portfolio for every market, in parallel, incrementally."),
    "check": LazyCommand(
        "smpc_manager.cli.check:check",
        "Check dates, ATC code, translations, and the text against the approved SmPC."),
    "compile": LazyCommand(
        "smpc_manager.cli.catalogs:compile_command",
        "Write a .mo file next to each catalog, for tools that want compiled catalogs."),
    "extract": LazyCommand(
        "smpc_manager.cli.catalogs:extract_command",
        "Write each product's translation template, locales/templates/<id>.pot."),
    "impact": LazyCommand(
        "smpc_manager.cli.impact:impact_command",
        "Compare two versions of an SmPC, and say what the new one changes."),
    "import": LazyCommand(
        "smpc_manager.cli.importing:import_command",
        "Draft a product from its approved SmPC (an EU ePI file, FHIR XML or JSON)."),
    "init": LazyCommand(
        "smpc_manager.cli.catalogs:init_command",
        "Start the catalogs of a language from the templates (run extract first)."),
    "migrate": LazyCommand(
        "smpc_manager.cli.migrate:migrate",
        "Rewrite schema 1 product files as schema 2, with their catalogs."),
    "render": LazyCommand(
        "smpc_manager.cli.render:render",
        "Render one product's text block for one market."),
    "stats": LazyCommand(
        "smpc_manager.cli.catalogs:stats_command",
        "How far each product is translated, per language."),
    "update": LazyCommand(
        "smpc_manager.cli.catalogs:update_command",
        "Merge the templates into the catalogs, keeping every translation."),
    "validate": LazyCommand(
        "smpc_manager.cli.validate:validate",
        "Validate product files against the schema and the business rules."),
}


#: The exit status of a bug (``EX_SOFTWARE`` of BSD's sysexits.h).
INTERNAL_ERROR = 70


class SmpcGroup(click.Group):
    """A click group that loads its commands from :data:`COMMANDS` when they are used, prints
    our errors as lines and exits with their codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named, its module imported now; None for a name not in the table."""
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return None
        module, attribute = lazy.target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{lazy.target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but from the summaries in :data:`COMMANDS`, importing no command."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, click.Command(name, help=COMMANDS[name].summary).get_short_help_str(limit))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        """As click's, but a usage error is one line, like every other problem: the
        command, what was wrong, and where to read more (click prints three)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False,
                                windows_expand_args=windows_expand_args, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  windows_expand_args=windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError as err:  # plain ``smpc``: the help
            err.show()
            sys.exit(err.exit_code)
        except click.UsageError as err:
            # Some of click's errors (an option missing its value) carry no context:
            # name the command from the arguments then.
            words = sys.argv[1:] if args is None else list(args)
            command = next((f"{self.name} {w}" for w in words if w in COMMANDS),
                           self.name or "smpc")
            click.echo(usage_line(err, command), err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        # Without standalone mode click returns an Exit's code (--help, --version) or the
        # command's value (None: success).
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            value = super().invoke(ctx)
            sys.stdout.flush()  # a reader gone away is found here, not as Python exits
            return value
        except BrokenPipeError:
            _standard_output_closed()
        except SmpcError as err:
            if _debug(ctx):
                click.echo(traceback.format_exc(), err=True, nl=False)
            lines = [styled_problem(p) for p in err.problems] \
                if isinstance(err, ProblemsError) else err.lines()
            for line in lines:
                error(line)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            error("interrupted")
            sys.exit(130)
        except Exception as err:  # a bug: one line, or the traceback with --debug
            if _debug(ctx):
                click.echo(traceback.format_exc(), err=True, nl=False)
            else:
                error(f"smpc: internal error: {type(err).__name__}: {err} (run with --debug"
                      " for the traceback, and please report it)")
            sys.exit(INTERNAL_ERROR)


def _standard_output_closed() -> None:
    """The reader of standard output stopped reading (``smpc stats | head -1``): say so in
    one line and exit 1. Standard output is pointed at the null device first, so that
    nothing else written to it (Python's flush as it exits) fails again."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor to point elsewhere
        pass
    finally:
        os.close(null)
    with contextlib.suppress(OSError):  # standard error gone too: the exit status says it
        error("smpc: standard output was closed before everything was written (its reader"
              " stopped reading)")
    sys.exit(1)


def _debug(ctx: click.Context) -> bool:
    """Whether --debug was given (known once the group's options are parsed)."""
    return bool(ctx.obj and ctx.obj.get("debug"))


def usage_line(err: click.UsageError, command: str = "smpc") -> str:
    """``smpc render: invalid value for '--format': 'pdf' is not one of ... (see smpc render
    --help)``: click's message with the command it concerns (its context's, else
    ``command``), on one line."""
    command = err.ctx.command_path if err.ctx is not None else command
    message = " ".join(err.format_message().split()).rstrip(".")
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return f"{command}: {message} (see {command} --help)"


@click.group(name="smpc", cls=SmpcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smpc")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the output: auto where it goes to a terminal, unless NO_COLOR is"
                   " set or TERM is dumb.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only errors on standard error: no warnings, progress or summary.")
@click.option("-v", "--verbose", is_flag=True,
              help="Print a line for each file on standard error, besides the summary.")
@click.option("--debug", is_flag=True,
              help="Show the traceback of any failure (the exit status stays the same).")
@click.pass_context
def main(ctx: click.Context, color: str, quiet: bool, verbose: bool, debug: bool) -> None:
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

    Standard output carries the result a command was asked for: the rendered text, a
    --format json report, the stats table, the findings of validate and check.
    Standard error carries the rest: the problems that made a command fail, warnings,
    progress and a one-line summary (--quiet: errors only; --verbose: a line per file
    too). Commands that write files print only there.

    Problems are printed as path:line:column: message. Exit status: 0 fine, 1 problems
    found, 2 wrong usage.
    """
    configure(ctx, color=color, quiet=quiet, verbose=verbose)
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    # The day "today" comes from a clock a caller may inject (obj={"today": ...}).
    ctx.obj.setdefault("today", SYSTEM_CLOCK)
