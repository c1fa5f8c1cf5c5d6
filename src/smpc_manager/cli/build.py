"""``smpc build``: every product of a portfolio for every market, in parallel, incrementally."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.builder import BuildOptions, default_jobs, prepare, run_plan
from smpc_manager.cli import console
from smpc_manager.cli.options import (
    as_of_day,
    complete_markets,
    json_text,
    option_as_of,
    require_markets,
)
from smpc_manager.errors import Severity, UsageError
from smpc_manager.files import write_output
from smpc_manager.portfolio import CONFIG_FILE, PRODUCTS_DIR, load_portfolio
from smpc_manager.render import FORMATS


@click.command()
@click.argument("portfolio", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Write DIR/<market>/<locale>/<id>.<ext> and DIR/manifest.json here.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: the number of CPUs).")
@click.option("--market", "markets", multiple=True, metavar="M", shell_complete=complete_markets,
              help="Build only this market (repeatable; default: every market in smpc.toml"
                   " that each product has data for).")
@click.option("--format", "formats", multiple=True,
              type=click.Choice(list(FORMATS)),
              help="Output format (repeatable; default: text).")
@click.option("--report", "report_file", metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the build's result as a JSON report to FILE, for CI: the"
                   " counts, each output built, unchanged, failed or removed, every problem.")
@click.option("--rehash", is_flag=True,
              help="Hash every input and output anew instead of trusting the stamps the"
                   " manifest recorded (see above).")
@click.option("--no-wait", is_flag=True,
              help="Fail at once when another build is writing into DIR (default: wait).")
@option_as_of
@click.pass_context
def build(ctx: click.Context, portfolio: Path, out_dir: Path, *, jobs: int | None,
          markets: Sequence[str], formats: Sequence[str], as_of: dt.date | None,
          rehash: bool, report_file: Path | None, no_wait: bool) -> None:
    """Render every product of a portfolio for every market, in parallel, incrementally.

    Each output goes to DIR/<market>/<locale>/<id>.<ext>, written atomically; DIR/manifest.json
    records, per output, the sha256 of its inputs (product XML, catalogs, profile, template,
    tool version) and of the file written. A rebuild renders only what changed: an output
    whose inputs and file still match the manifest is left alone. Outputs of products that
    left the portfolio are removed.

    Every failure of every product is reported, the rest is still built, and the exit status
    is 1 if anything failed (an output that fails is removed, never left stale). A product
    whose review-by or authorisation has expired as of --as-of (default today) is refused;
    the same day decides whether the ▼ additional-monitoring statement is printed. While
    the build runs, its temporary files lie in DIR/.smpc-tmp, removed at the end (and by
    the next build, should this one be killed).

    Beside each hash the manifest keeps the file's stamp (size, modification and change
    time, inode): the next build hashes again only the files whose stamp changed, as SCons
    decides by MD5 and timestamp. An input changed within two seconds before the build read
    it gets no stamp, and an output's stamp counts only while it is older than the manifest
    (as git trusts its index). --rehash hashes every file regardless of its stamp.

    --report FILE writes the result as JSON (schemas/json/build.schema.json), atomically,
    whatever the exit status: {"version": 1, "command": "build", "summary": {"built",
    "unchanged", "failed", "removed", "ok", "seconds"}, "items": [{"key":
    "AT/de_AT/<id>.txt", "product", "status": "built" | "unchanged" | "failed" |
    "removed"}], "problems": [...]}.

    \b
    Examples:
      smpc build examples/portfolio -o out/
      smpc build . -o out/ --market AT --format text --format html --jobs 4
      smpc build . -o out/ --report build.json
    """
    if not portfolio.is_dir() or not (
        (portfolio / CONFIG_FILE).is_file() or (portfolio / PRODUCTS_DIR).is_dir()
    ):
        raise UsageError(f"{portfolio}: not a portfolio (expected {CONFIG_FILE} or"
                         f" {PRODUCTS_DIR}/ in it)")
    settings = load_portfolio(portfolio)
    options = BuildOptions(
        out_dir=out_dir,
        as_of=as_of_day(ctx, as_of),
        formats=tuple(dict.fromkeys(formats)) or ("text",),
        markets=require_markets(settings, markets),
        jobs=jobs or default_jobs(),
        rehash=rehash,
        wait=not no_wait,
    )
    plan = prepare(settings, options, waiting=console.warning)
    # The bar is for a person watching a terminal: not in a log, nor with --quiet.
    if sys.stderr.isatty() and plan.tasks and console.verbosity() >= console.Verbosity.NORMAL:
        with click.progressbar(length=plan.total, label="building", file=sys.stderr,
                               show_pos=True) as bar:

            def resize(total: int) -> None:  # a product served other markets than planned
                bar.length = total

            result = run_plan(plan, bar.update, resize)
    else:
        result = run_plan(plan)
    if report_file is not None:
        write_output(report_file, json_text(result.as_dict()).encode("utf-8"))
    for outcome in sorted(result.outcomes, key=lambda o: (o.key or "", o.product)):
        where = out_dir / outcome.key if outcome.key is not None else outcome.product
        console.detail(f"{console.styled_path(where)}: {outcome.status}")
    for problem in result.problems:  # a warning (a damaged manifest) is quiet with -q
        (console.error if problem.severity is Severity.ERROR else console.warning)(
            console.styled_problem(problem))
    console.summary(result.summary(), console.Tone.OK if result.ok else console.Tone.ERROR)
    if not result.ok:
        sys.exit(1)
