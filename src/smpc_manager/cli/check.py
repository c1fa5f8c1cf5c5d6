"""``smpc check``: every date that can expire, an ATC code changed since, every market's
translation, and the product held to its approved SmPCs, as of a day."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smpc_manager.audit import CheckReport, check_targets
from smpc_manager.cli import console
from smpc_manager.cli.options import (
    as_of_day,
    complete_markets,
    emit_json,
    option_as_of,
    option_format,
    require_markets,
)
from smpc_manager.errors import Severity
from smpc_manager.portfolio import expand
from smpc_manager.rules import Finding


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_as_of
@click.option("--warn-days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Warn N days ahead of a review-by or valid-until date (overrides"
                   " smpc.toml and the market profiles; default 90).")
@click.option("--market", default=None, metavar="M", shell_complete=complete_markets,
              help="Check for one market only (AT, DE, IE, GB …): its authorisation, its"
                   " profile's policy and its language's catalog.")
@option_format("text: findings grouped by file, for people; json: a report for CI (see"
               " below).")
@click.pass_context
def check(ctx: click.Context, paths: Sequence[Path], *, as_of: dt.date | None,
          warn_days: int | None, market: str | None, fmt: str) -> None:
    """Check dates, ATC code, translations, and the text against the approved SmPC.

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
                                incomplete, fuzzy or failing the checks (each
                                reason ends with its check's id: [numbers])
      prescribing information too old or undated
                                in a market whose policy limits its age
                                (GB: 24 months, the ABPI Code's
                                re-certification); render does not refuse it
      the SmPC                  for a product with sources (sources/<id>/
                                <lang>.xml or .json): per market, a text
                                its profile prints word for word (smpc =
                                "verbatim") not in the SmPC's section in
                                the market's language, with a word diff
                                [-SmPC-]{+text+}; an SmPC whose section 10
                                dates a revision after the product's
                                revision-date; an SmPC that cannot be read
                                (docs/consistency.md)
    Warnings (exit status 0):
      review-by or valid-until near
                                within the warning window (see below)
      prescribing information near its age limit
                                within the warning window before it; a
                                schema 1 product's revision-date stands in
                                for its date, and only warns past the limit
      additional monitoring ended or ending
                                an additional-monitoring until passed (the
                                ▼ statement is no longer printed: confirm
                                the EMA list, update the product) or near
      ATC code changed          the WHO's ATC index has given the atc-code's
                                substance another code as of the day (the
                                new one is named): keep the code while the
                                approved SmPC prints it. An error where
                                smpc.toml's [policy] sets atc-code-changed
                                = "error". The alterations ship with the
                                tool; smpc.toml adds its own in
                                [[atc-alterations]] (docs/consistency.md)
      no SmPC in a market's language
                                a product with sources has none in the
                                language of a market that prints elements
                                of it word for word

    \b
    Boundaries: a review-by or valid-until date is the last valid day.
    It has passed only the day after (as-of > date); it is near from N
    days before it up to and including the day itself. A revision-date
    given as YYYY-MM is compared by its month: 2026-12 is after 2026-11-30
    but not after 2026-12-01. An additional-monitoring until is the last
    day listed: the ▼ is printed on it, not the day after; it passes and
    is near the same way.

    \b
    The window N comes from --warn-days, else smpc.toml [policy], else
    the market profile (without --market, the longest of the product's
    markets), else 90 days. The age limit of the prescribing information
    is the profile's (max-prescribing-information-age-months), or
    smpc.toml's for the markets whose profile sets one (docs/dates.md).

    \b
    --format json prints one report (keys sorted; keys may be added;
    schemas/json/check.schema.json):
      {"version": 1, "command": "check",
       "summary": {"as_of": "YYYY-MM-DD", "files": N,
                   "files_with_errors": N, "errors": N,
                   "warnings": N, "ok": true | false},
       "items": [
         {"severity": "error" | "warning",
          "rule": "review-by-passed" | "review-by-near" | ...,
          "file": the product file the finding concerns,
          "path", "line", "column": where the problem is (line,
                                    column: a number or null),
          "field": "review-by" | ... | null,
          "date": "YYYY-MM-DD" | "YYYY-MM" | null,
          "market": "AT" | null, "locale": "de_AT" | null,
          "message": the sentence printed in text,
          "checks": ["numbers", ...]: in a translation finding
                    only, the checks its translation fails,
          "section": "4.3", "section_code": "200000029805",
                    "diff": "[-…-]{+…+}": in a finding about
                    the SmPC only}]}
    The rules: review-by-passed, review-by-near, valid-until-passed,
    valid-until-near, conditional-without-valid-until,
    prescribing-information-age-passed, prescribing-information-age-near,
    prescribing-information-date-missing, revision-age,
    revision-after-review-by, revision-after-as-of,
    renewal-before-first-authorisation, additional-monitoring-passed,
    additional-monitoring-near, atc-code-changed, smpc-verbatim,
    smpc-revised, smpc-source, translation, load. The checks of a
    translation: empty, unsafe-characters, tags, name, numbers,
    untranslated-sentence, placeholders (docs/checks.md).

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
    if market is not None:
        for portfolio in {t.portfolio.root: t.portfolio for t in targets}.values():
            (market,) = require_markets(portfolio, [market])
    report = check_targets(targets, day, market=market, warn_days=warn_days)
    if fmt == "json":
        emit_json(report.as_dict())
    else:
        _echo_check_report(report)
    if report.errors:
        sys.exit(1)


def _echo_check_report(report: CheckReport) -> None:
    """Findings grouped by product file, a blank line after each file, on standard output;
    the summary line on standard error."""
    for result in report.results:
        errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
        console.detail(f"{console.styled_path(result.path)}: " + (", ".join(
            part for part in (_count(errors, "error"), _count(warnings, "warning")) if part)
            or "no problems"))
        for finding in result.findings:
            scope = ""
            if isinstance(finding, Finding) and (finding.market or finding.locale):
                scope = "[" + " ".join(s for s in (finding.market, finding.locale) if s) + "] "
            console.result(f"{console.styled_path(finding.location)}:"
                           f" {console.marker(finding.severity)}: {scope}{finding.message}")
        if result.findings:
            console.result()
    files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}"
    parts = []
    if report.errors:
        parts.append(f"{_count(report.errors, 'error')} in {report.files_with_errors} of"
                     f" {files}")
    if report.warnings:
        parts.append(_count(report.warnings, "warning"))
    verdict = ", ".join(parts) if parts else "no problems"
    console.summary(f"checked {files} as of {report.as_of}: {verdict}",
                    console.tone_of(report.errors, report.warnings))


def _count(n: int, noun: str) -> str:
    """``1 error``, ``2 warnings``; empty for none."""
    return console.plural(n, noun) if n else ""
