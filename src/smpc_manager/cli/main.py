"""The ``smpc`` command: the only module that prints or exits.

Every expected failure is an :class:`~smpc_manager.errors.SmpcError`; :class:`SmpcGroup`
turns it into one line per problem on stderr and the exception's exit code. Anything else is
a bug, reported as one line too unless ``--debug`` asks for the traceback.

Heavy modules (lxml, Babel, Jinja2) are imported inside the commands, so that ``smpc --help``
starts at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smpc_manager import __version__
from smpc_manager.clock import SYSTEM_CLOCK, Clock, parse_day
from smpc_manager.errors import SmpcError

if TYPE_CHECKING:
    from smpc_manager.audit import CheckReport

FORMATS_TEXT_JSON = click.Choice(["text", "json"])


class SmpcGroup(click.Group):
    """A click group that prints our errors as lines and exits with their codes."""

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
            command = next((f"{self.name} {w}" for w in words if w in self.commands),
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
    # The day "today" comes from a clock a caller may inject (obj={"today": ...}).
    ctx.obj.setdefault("today", SYSTEM_CLOCK)


def emit_json(data: object) -> None:
    """Print data as stable, indented JSON (sorted keys keep diffs readable)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


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
    from smpc_manager.errors import Severity
    from smpc_manager.portfolio import expand
    from smpc_manager.products import validate_file

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

_LOCALE_OPTION = click.option(
    "--locale", "-l", "locales", multiple=True, metavar="LOCALE",
    help="Only this language (de, de_AT); repeat for more. Default: every language that"
         " has catalogs under locales/.",
)


def _load_products(paths: Sequence[Path]) -> list[tuple[Any, Any]]:
    """(portfolio, product) for each product file named or found; all problems at once."""
    from smpc_manager.errors import ProblemsError
    from smpc_manager.portfolio import expand
    from smpc_manager.products import load_product

    loaded: list[tuple[Any, Any]] = []
    problems: list[Any] = []
    for target in expand(paths):
        try:
            loaded.append((target.portfolio, load_product(target.path)))
        except ProblemsError as err:
            problems.extend(err.problems)
    if problems:
        raise ProblemsError(problems)
    return loaded


def _chosen_locales(portfolio: Any, locales: Sequence[str]) -> list[str]:
    from smpc_manager.catalogs import checked_locale

    if locales:
        return [checked_locale(x) for x in locales]
    return list(portfolio.catalog_locales())


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def extract_command(paths: Sequence[Path]) -> None:
    """Write each product's translation template, locales/templates/<id>.pot.

    One message per translatable element, with msgctxt naming the field, #: the XML line
    and #. a note. A template whose messages did not change is left byte for byte as it
    was. SOURCE_DATE_EPOCH, if set, is the POT-Creation-Date of a changed template.

    \b
    Example:
      smpc extract examples/portfolio
    """
    from smpc_manager.catalogs import clock_now, extract, shown

    now = clock_now()
    for portfolio, product in _load_products(paths):
        done = extract(product, portfolio.template_path(product.id), portfolio.root, now)
        state = "written" if done.written else "unchanged"
        click.echo(f"{shown(done.path)}: {done.messages} messages ({state})")


@main.command("init")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--locale", "-l", "locales", multiple=True, required=True, metavar="LOCALE",
              help="The language to start (de); repeat for more.")
def init_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Start the catalogs of a language from the templates (run extract first).

    Creates locales/<locale>/LC_MESSAGES/<id>.po for each product; a catalog that exists
    is left as it is (smpc update merges into it).

    \b
    Example:
      smpc init examples/portfolio --locale de
    """
    from smpc_manager.catalogs import clock_now, init_catalog, shown

    now = clock_now()
    for portfolio, product in _load_products(paths):
        for locale in _chosen_locales(portfolio, locales):
            done = init_catalog(portfolio, product, locale, now)
            if done.created:
                click.echo(f"{shown(done.path)}: created, {done.counts.added} messages to"
                           " translate")
            else:
                click.echo(f"{shown(done.path)}: exists, left as it is (use smpc update)")


@main.command("update")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_LOCALE_OPTION
def update_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Merge the templates into the catalogs, keeping every translation.

    Changed English keeps its old translation as a fuzzy entry with the previous English
    (#| msgid); fuzzy matches never cross fields (msgctxt); removed messages become
    obsolete (#~); a message that returns is revived. Unchanged input leaves the files
    byte for byte as they were.

    \b
    Example:
      smpc update examples/portfolio --locale de
    """
    from smpc_manager.catalogs import clock_now, is_current, shown, update_catalog
    from smpc_manager.errors import UsageError

    now = clock_now()
    for portfolio, product in _load_products(paths):
        chosen = _chosen_locales(portfolio, locales)
        template = portfolio.template_path(product.id)
        if template.is_file() and not is_current(product, template):
            click.echo(f"{shown(template)}: warning: older than {shown(Path(product.path))};"
                       f" run smpc extract {shown(portfolio.root)} first to merge its"
                       " changes", err=True)
        if not chosen:
            raise UsageError(f"{shown(portfolio.locales_dir)}: no catalogs yet (start one with"
                             f" smpc init {shown(portfolio.root)} --locale LOCALE)")
        known = set(portfolio.catalog_locales())
        for locale in chosen:
            if locale not in known:
                raise UsageError(f"no catalogs for '{locale}' yet (start them with smpc init"
                                 f" {shown(portfolio.root)} --locale {locale})")
            done = update_catalog(portfolio, product, locale, now)
            c = done.counts
            if done.created:
                click.echo(f"{shown(done.path)}: created, {c.added} messages to translate")
                continue
            state = "written" if done.written else "unchanged"
            click.echo(f"{shown(done.path)}: {c.added} added, {c.changed} changed (fuzzy),"
                       f" {c.revived} revived, {c.obsolete} obsolete ({state})")


@main.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_LOCALE_OPTION
def compile_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Write a .mo file next to each catalog, for tools that want compiled catalogs.

    Only translations rendering would use go in: not fuzzy, and passing the checks.
    Rendering itself reads the .po files.

    \b
    Example:
      smpc compile examples/portfolio
    """
    from smpc_manager.catalogs import compile_catalog, shown

    for portfolio, product in _load_products(paths):
        for locale in _chosen_locales(portfolio, locales):
            path = portfolio.catalog_path(locale, product.id)
            if not path.is_file():
                continue
            done = compile_catalog(product, locale, path)
            left = [f"{n} {what}" for n, what in ((done.fuzzy, "fuzzy"),
                                                 (done.untranslated, "untranslated"),
                                                 (done.failed, "failing checks")) if n]
            note = f"; left out: {', '.join(left)}" if left else ""
            click.echo(f"{shown(done.path)}: {done.compiled} messages{note}")


@main.command("stats")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_LOCALE_OPTION
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True,
              help="text: a line per product and language, then what is missing; json: a"
                   " list of records.")
def stats_command(paths: Sequence[Path], locales: Sequence[str], fmt: str) -> None:
    """How far each product is translated, per language.

    Counts translated, fuzzy, untranslated, failing (a translation that fails a check:
    tags, the invented name, numbers in the language's notation) and obsolete messages,
    and whether the catalog is complete for rendering.

    \b
    Examples:
      smpc stats examples/portfolio
      smpc stats examples/portfolio --format json
    """
    from smpc_manager.catalogs import statistics

    records = []
    for portfolio, product in _load_products(paths):
        for stat in statistics(portfolio, [product], _chosen_locales(portfolio, locales)):
            records.append((portfolio, stat))
    if fmt == "json":
        emit_json([stat.as_dict(portfolio.root) for portfolio, stat in records])
        return
    if not records:
        click.echo("no catalogs yet (start one with smpc init PORTFOLIO --locale LOCALE)")
    for _portfolio, stat in records:
        state = "complete" if stat.complete else "incomplete"
        click.echo(f"{stat.product} {stat.locale}: {stat.translated}/{stat.total} translated,"
                   f" {stat.fuzzy} fuzzy, {stat.untranslated} untranslated, {stat.failed}"
                   f" failing checks, {stat.obsolete} obsolete: {state}")
        for gap in stat.gaps:
            click.echo(f"  {gap.text.location}: {gap.text.context}: {gap.status}:"
                       f" {'; '.join(gap.reasons)}")


# ------------------------------------------------------------------------ render


@main.command()
@click.argument("product", type=click.Path(path_type=Path))
@click.option("--market", "-m", required=True, metavar="M",
              help="The market whose profile is rendered: AT, DE, IE, GB, or one the"
                   " portfolio's smpc.toml defines.")
@click.option("--locale", "-l", default=None, metavar="L",
              help="Render in this language instead of the market's (e.g. en for an"
                   " English preview of the Austrian block).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text",
              show_default=True,
              help="text: the artwork-ready block; html: a standalone page; json: the"
                   " fields, labels and input hashes.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically; nothing is written on refusal)"
                   " instead of standard output.")
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
    from smpc_manager.errors import ProblemsError, UsageError
    from smpc_manager.files import write_text
    from smpc_manager.portfolio import expand
    from smpc_manager.products import load_product
    from smpc_manager.render import Renderer
    from smpc_manager.rules import expiry_errors

    targets = expand([product])
    if len(targets) != 1:
        raise UsageError(f"{product}: render takes one product file; this folder holds"
                         f" {len(targets)}")
    target = targets[0]
    loaded = load_product(target.path)
    renderer = Renderer(target.portfolio)
    renderer.profile(market)  # an unknown market is a usage error before anything else
    # An expired summary is refused as of --as-of (default today), as smpc check finds it.
    day = as_of_day(ctx, as_of)
    expired = expiry_errors(loaded, target.portfolio, day, renderer.profile(market).market)
    if expired:
        raise ProblemsError(expired)
    rendering = renderer.render(loaded, market, locale, fmt, as_of=day)
    if output is not None:
        write_text(output, rendering.content)
    else:
        click.echo(rendering.content, nl=False)



# ------------------------------------------------------------------------ check


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_as_of
@click.option("--warn-days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Warn N days ahead of a review-by or valid-until date (overrides"
                   " smpc.toml and the market profiles; default 90).")
@click.option("--market", default=None, metavar="M",
              help="Check for one market only (AT, DE, IE, GB …): its authorisation, its"
                   " profile's policy and its language's catalog.")
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True,
              help="text: findings grouped by file, for people; json: for CI (see below).")
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
    from smpc_manager.audit import check_targets
    from smpc_manager.portfolio import expand

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
    from smpc_manager.errors import Severity
    from smpc_manager.rules import Finding

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


# ------------------------------------------------------------------------ build


@main.command()
@click.argument("portfolio", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Write DIR/<market>/<locale>/<id>.<ext> and DIR/manifest.json here.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: the number of CPUs).")
@click.option("--market", "markets", multiple=True, metavar="M",
              help="Build only this market (repeatable; default: every market in smpc.toml"
                   " that each product has data for).")
@click.option("--format", "formats", multiple=True,
              type=click.Choice(["text", "html", "json"]),
              help="Output format (repeatable; default: text).")
@click.option("--rehash", is_flag=True,
              help="Hash every input and output anew instead of trusting the files the last"
                   " build saw unchanged (see above).")
@option_as_of
@click.pass_context
def build(ctx: click.Context, portfolio: Path, out_dir: Path, *, jobs: int | None,
          markets: Sequence[str], formats: Sequence[str], as_of: dt.date | None,
          rehash: bool) -> None:
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

    A build that ends without a failure leaves DIR/.smpc-state.json: the identity (inode,
    size, times) of every file and folder it read, taken before reading them. When none of
    them has changed since, the day is one on which every product stays valid and every
    output still has the bytes written, the next build is done without hashing the inputs
    (as git trusts its index; a file changed within two seconds of being looked at is
    never trusted). --rehash hashes everything regardless.

    \b
    Examples:
      smpc build examples/portfolio -o out/
      smpc build . -o out/ --market AT --format text --format html --jobs 4
    """
    import time

    from smpc_manager.errors import UsageError
    from smpc_manager.portfolio import CONFIG_FILE, PRODUCTS_DIR, load_portfolio

    started = time.perf_counter()
    if not portfolio.is_dir() or not (
        (portfolio / CONFIG_FILE).is_file() or (portfolio / PRODUCTS_DIR).is_dir()
    ):
        raise UsageError(f"{portfolio}: not a portfolio (expected {CONFIG_FILE} or"
                         f" {PRODUCTS_DIR}/ in it)")
    settings = load_portfolio(portfolio)
    day = as_of_day(ctx, as_of)
    chosen_formats = tuple(dict.fromkeys(formats)) or ("text",)
    chosen_markets = tuple(dict.fromkeys(m.upper() for m in markets))
    if not rehash:
        from smpc_manager.build import state

        count = state.unchanged(
            out_dir, state.settings_key(settings.root, chosen_formats, chosen_markets),
            state.input_roots(settings.root, settings.profiles), day,
            state.skipped(out_dir, settings.root))
        if count is not None:
            click.echo(state.summary(0, count, 0, 0, time.perf_counter() - started), err=True)
            return

    from smpc_manager.build.builder import (
        BuildOptions,
        check_markets,
        default_jobs,
        plan_build,
        run_plan,
        start_workers,
    )

    options = BuildOptions(out_dir=out_dir, as_of=day, formats=chosen_formats,
                           markets=chosen_markets, jobs=jobs or default_jobs())
    check_markets(settings, options)
    # The workers are forked before the products are listed: whatever their number, each
    # worker starts from the same memory and is sent its products as it needs them.
    workers = start_workers(settings, options)
    with workers or contextlib.nullcontext():
        plan = plan_build(settings, settings.product_files(), options)
        stderr = sys.stderr
        if stderr.isatty() and plan.tasks:
            with click.progressbar(length=plan.total, label="building", file=stderr,
                                   show_pos=True) as bar:
                result = run_plan(plan, bar.update, workers)
        else:
            result = run_plan(plan, workers=workers)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(result.summary(), err=True)
    if not result.ok:
        sys.exit(1)
