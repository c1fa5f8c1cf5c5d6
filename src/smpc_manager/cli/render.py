"""``smpc render``: one product's text block for one market."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from smpc_manager.cli.options import (
    as_of_day,
    complete_locales,
    complete_markets,
    option_as_of,
    require_markets,
)
from smpc_manager.errors import ProblemsError, UsageError
from smpc_manager.files import write_output
from smpc_manager.portfolio import expand
from smpc_manager.products import load_product
from smpc_manager.render import FORMATS, Renderer


@click.command()
@click.argument("product", type=click.Path(path_type=Path))
@click.option("--market", "-m", required=True, metavar="M", shell_complete=complete_markets,
              help="The market whose profile is rendered: AT, DE, IE, GB, or one the"
                   " portfolio's smpc.toml defines.")
@click.option("--locale", "-l", default=None, metavar="L", shell_complete=complete_locales,
              help="Render in this language instead of the market's (e.g. en for an"
                   " English preview of the Austrian block).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text",
              show_default=True,
              help="text: the artwork-ready block; html: a standalone page; json: the"
                   " fields, labels and input hashes.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False,
                                                 allow_dash=True), default=None,
              help="Write to this file (atomically; nothing is written on refusal)"
                   " instead of standard output; '-' is standard output, and a pipe or"
                   " device (/dev/stdout) is written into, never replaced.")
@option_as_of
@click.pass_context
def render(ctx: click.Context, product: Path, *, market: str, locale: str | None, fmt: str,
           output: Path | None, as_of: dt.date | None) -> None:
    """Render one product's text block for one market.

    The profile of the market picks the elements, their order, labels and legal phrases;
    the product's catalog gives the translation. A translation that is missing, fuzzy or
    fails a check refuses the rendering (exit 1) with every such message listed as
    path:line: field: why; the source language needs no catalog. So does an expired
    summary: a review-by or the market's valid-until passed as of --as-of (default
    today), or dates that contradict each other (see smpc check). The text is the one
    that holds on that day: it begins with the ▼ additional-monitoring statement when
    the product is under additional monitoring in the market then.

    \b
    Examples:
      smpc render products/besponsa.xml --market AT
      smpc render products/besponsa.xml --market AT --locale en
      smpc render products/besponsa.xml --market IE --format html -o besponsa-ie.html
    """
    targets = expand([product])
    if len(targets) != 1:
        raise UsageError(f"{product}: render takes one product file; this folder holds"
                         f" {len(targets)}")
    target = targets[0]
    require_markets(target.portfolio, [market])  # a usage error before anything else
    loaded = load_product(target.path)
    renderer = Renderer(target.portfolio)
    # An expired summary is refused as of --as-of (default today) with its date errors
    # alone, as smpc check finds them, before any translation is looked at.
    day = as_of_day(ctx, as_of)
    expired = renderer.expiry_problems(loaded, market, day)
    if expired:
        raise ProblemsError(expired)
    rendering = renderer.render(loaded, market, locale, fmt, as_of=day)
    if output is not None and str(output) != "-":
        write_output(output, rendering.content.encode("utf-8"))
    else:
        click.echo(rendering.content, nl=False)
