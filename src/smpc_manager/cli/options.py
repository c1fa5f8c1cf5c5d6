"""What several commands share: their options, defined once, what the shell completes for
them, and the JSON they print."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from smpc_manager.clock import SYSTEM_CLOCK, Clock, parse_day
from smpc_manager.errors import SmpcError
from smpc_manager.markets import known_markets, load_profile
from smpc_manager.portfolio import Portfolio, portfolio_for

F = TypeVar("F", bound=Callable[..., Any])


def option_format(description: str) -> Callable[[F], F]:
    """--format text|json for the commands that report (validate, stats, check); text by
    default. ``description`` says what each format prints."""
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                        show_default=True, help=description)


# ------------------------------------------------------------------------ shell completion


def _given(ctx: click.Context) -> dict[str, Any]:
    """The values on the command line being completed. To complete an option's value click
    parses the words before it, and stops at that option, still missing its value, before
    it reads the arguments: parse them again without it (the group keeps the words)."""
    words = list(ctx.parent.args) if ctx.parent is not None else []
    if words and words[-1].startswith("-"):
        words.pop()
    if not words:
        return ctx.params
    with ctx.command.make_context(ctx.info_name, words, parent=ctx.parent,
                                  resilient_parsing=True) as again:
        return again.params


def completion_portfolio(ctx: click.Context) -> Portfolio | None:
    """The portfolio of the command line being completed: that of the first product file or
    folder given so far, else that of the current folder; None where none can be read."""
    params = _given(ctx)
    given: list[Path] = []
    for name in ("product", "portfolio", "paths"):
        value = params.get(name)
        given.extend(value if isinstance(value, tuple | list) else [value] if value else [])
    try:
        return portfolio_for(Path(given[0]) if given else Path.cwd())
    except (SmpcError, OSError):  # a broken smpc.toml: complete what ships
        return None


def complete_markets(ctx: click.Context, param: click.Parameter,
                     incomplete: str) -> list[CompletionItem]:
    """The markets a --market may name: the shipped ones and the portfolio's own."""
    return [CompletionItem(m) for m in known_markets(completion_portfolio(ctx))
            if m.startswith(incomplete.upper())]


def complete_locales(ctx: click.Context, param: click.Parameter,
                     incomplete: str) -> list[CompletionItem]:
    """The languages that have catalogs in the portfolio (the folders under locales/)."""
    portfolio = completion_portfolio(ctx)
    found = portfolio.catalog_locales() if portfolio is not None else []
    return [CompletionItem(x) for x in found if x.startswith(incomplete)]


#: --locale for the commands that work on existing catalogs (update, compile, stats).
option_locales = click.option(
    "--locale", "-l", "locales", multiple=True, metavar="LOCALE",
    shell_complete=complete_locales,
    help="Only this language (de, de_AT); repeat for more. Default: every language that"
         " has catalogs under locales/.",
)


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A day written YYYY-MM-DD; an impossible one (2027-02-30) is a usage error."""
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None


#: --as-of for every command that judges dates (check, render, build); see as_of_day().
option_as_of = click.option(
    "--as-of", "as_of", callback=_parse_day, default=None, metavar="YYYY-MM-DD",
    help="Judge dates as of this day instead of today (reproduces what held on a past day).",
)


def as_of_day(ctx: click.Context, as_of: dt.date | None) -> dt.date:
    """The --as-of day, or today from the context's clock."""
    if as_of is not None:
        return as_of
    clock: Clock = (ctx.obj or {}).get("today") or SYSTEM_CLOCK
    return clock()


def require_markets(portfolio: Portfolio, markets: Iterable[str]) -> tuple[str, ...]:
    """The markets named, upper-cased and each once, every one with a profile in
    ``portfolio``. An unknown market is the usage error of
    :func:`~smpc_manager.markets.load_profile`, which every command gives in the same
    words: ``unknown market 'XX' (known: AT, DE, GB, IE)``."""
    codes = tuple(dict.fromkeys(m.strip().upper() for m in markets))
    for code in codes:
        load_profile(code, portfolio)
    return codes


def json_text(data: object) -> str:
    """Data as stable, indented JSON, ending in a newline (sorted keys keep diffs readable).

    A file name that is not UTF-8 comes as lone surrogates (``os.fsdecode``); each is written
    as its ``\\udcXX`` escape, so the text is always valid UTF-8 and valid JSON."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def emit_json(data: object) -> None:
    """Print data as JSON (:func:`json_text`) on standard output: a command's result."""
    click.echo(json_text(data), nl=False)
