"""``smpc check``: every date that can expire, and every market's translation, as of a day."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from smpc_manager.audit import CheckReport, check_targets
from smpc_manager.cli.options import as_of_day, emit_json, option_as_of, option_format
from smpc_manager.errors import Severity
from smpc_manager.portfolio import expand
from smpc_manager.rules import Finding


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_as_of
@click.option("--warn-days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Warn N days ahead of a review-by or valid-until date (overrides"
                   " smpc.toml and the market profiles; default 90).")
@click.option("--market", default=None, metavar="M",
              help="Check for one market only (AT, DE, IE, GB …): its authorisation, its"
                   " profile's policy and its language's catalog.")
@option_format("text: findings grouped by file, for people; json: for CI (see below).")
@click.pass_context
def check(ctx: click.Context, paths: Sequence[Path], *, as_of: dt.date | None,
          warn_days: int | None, market: str | None, fmt: str) -> None:
    """Check every date that can expire, and every market's translation, as of a day.

    PATHS are product files or portfolio folders. The day is today unless --as-of names
    another, so that anyone can reproduce what was valid on a past day.

    \b
    Errors (exit status 1):
      review-by passed          re-verify the summary against the current SmPC
      valid-until passed        a marketing authorisation has expired
      conditional authorisation without valid-until
      contradicting dates       revision-date after review-by or after the day;
                                renewal before first-authorisation; any file
                                that does not load
      translation               per market and locale: a catalog missing,
                                incomplete, fuzzy or failing the checks
    Warnings (exit status 0):
      review-by or valid-until near
                                within the warning window (see below)
      revision-date too old     over max-revision-age-months
      additional monitoring ended or ending
                                an additional-monitoring until passed (the
                                ▼ statement is no longer printed: confirm
                                the EMA list, update the product) or near

    \b
    Boundaries: a review-by or valid-until date is the last valid day.
    It has passed only the day after (as-of > date); it is near from N
    days before it up to and including the day itself. A revision-date
    given as YYYY-MM is compared by its month: 2026-12 is after 2026-11-30
    but not after 2026-12-01. An additional-monitoring until is the last
    day listed: the ▼ is printed on it, not the day after; it passes and
    is near the same way.

    \b
    The window N and the maximum revision age come from --warn-days, else
    smpc.toml [policy], else the market profile (without --market, the
    strictest of the product's markets), else 90 days and no age limit.

    \b
    --format json prints one object (keys sorted; keys may be added):
      {"as_of": "YYYY-MM-DD",
       "findings": [
         {"severity": "error" | "warning",
          "rule": "review-by-passed" | "review-by-near" | ...,
          "file": the product file the finding concerns,
          "path", "line", "column": where the problem is (line,
                                    column: a number or null),
          "field": "review-by" | ... | null,
          "date": "YYYY-MM-DD" | "YYYY-MM" | null,
          "market": "AT" | null, "locale": "de_AT" | null,
          "message": the sentence printed in text}],
       "summary": {"files": N, "files_with_errors": N, "errors": N,
                   "warnings": N, "ok": true | false}}
    The rules: review-by-passed, review-by-near, valid-until-passed,
    valid-until-near, conditional-without-valid-until, revision-age,
    revision-after-review-by, revision-after-as-of,
    renewal-before-first-authorisation, additional-monitoring-passed,
    additional-monitoring-near, translation, load.

    \b
    Exit status: 0 no errors (warnings allowed), 1 any error, 2 wrong usage.

    \b
    Examples:
      smpc check examples/portfolio
      smpc check products/besponsa.xml --as-of 2027-07-01 --market AT
      smpc check . --format json > check.json
    """
    day = as_of_day(ctx, as_of)
    targets = expand(paths)
    report = check_targets(targets, day, market=market.upper() if market else None,
                           warn_days=warn_days)
    if fmt == "json":
        emit_json(report.as_dict())
    else:
        _echo_check_report(report)
    if report.errors:
        sys.exit(1)


def _echo_check_report(report: CheckReport) -> None:
    """Findings grouped by product file, a blank line between files, then a summary line."""
    styles: dict[Severity, dict[str, Any]] = {
        Severity.ERROR: {"fg": "red", "bold": True}, Severity.WARNING: {"fg": "yellow"}}
    for result in (r for r in report.results if r.findings):
        for finding in result.findings:
            scope = ""
            if isinstance(finding, Finding) and (finding.market or finding.locale):
                scope = "[" + " ".join(s for s in (finding.market, finding.locale) if s) + "] "
            label = click.style(finding.severity.value, **styles[finding.severity])
            click.echo(f"{click.style(str(finding.location), bold=True)}: {label}: {scope}"
                       f"{finding.message}")
        click.echo()
    files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}"
    parts = []
    if report.errors:
        parts.append(click.style(
            f"{report.errors} error{'s' if report.errors != 1 else ''} in"
            f" {report.files_with_errors} of {files}", fg="red", bold=True))
    if report.warnings:
        parts.append(click.style(
            f"{report.warnings} warning{'s' if report.warnings != 1 else ''}", fg="yellow"))
    verdict = ", ".join(parts) if parts else click.style("no problems", fg="green")
    click.echo(f"checked {files} as of {report.as_of}: {verdict}")
