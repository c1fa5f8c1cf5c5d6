"""``smpc check`` over product files: the date rules, the ATC code, per market the
translations, and the approved SmPCs (:mod:`smpc_manager.consistency`).

:mod:`smpc_manager.rules` holds the date rules, pure functions of a product and a day, and the
ATC alterations (a code the WHO has changed is a warning, or an error by the portfolio's
policy). A
check of a file also asks, for each market the product serves, whether ``smpc render`` would
refuse it for its translations (a catalog missing, incomplete, fuzzy or failing its checks),
which needs the renderer: so the files are checked here, a layer above rendering. A
translation finding names the checks its translation fails (``numbers``,
``untranslated-sentence`` …: :data:`smpc_manager.rules.CHECK_IDS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from smpc_manager.consistency import SourceCheck
from smpc_manager.errors import Problem, ProblemsError, Severity, json_safe
from smpc_manager.markets import load_profile
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio, Target, expand
from smpc_manager.products import load_product
from smpc_manager.render import Renderer, translation_problems
from smpc_manager.reports import report
from smpc_manager.rules import (
    Alterations,
    Finding,
    TranslationProblem,
    alterations_for,
    as_finding,
    atc_findings,
    context_for,
    date_findings,
    markets_of,
)


@dataclass(frozen=True, slots=True)
class TranslationFinding(Finding):
    """A finding of the ``translation`` rule, with the ids of the checks its translation
    fails: none for a missing catalog or message, or a fuzzy one."""

    checks: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data = Finding.as_dict(self)
        data["checks"] = list(self.checks)
        return data


def translation_findings(
    product: Product,
    portfolio: Portfolio,
    market: str,
    locale: str | None = None,
    *,
    renderer: Renderer | None = None,
    as_of: dt.date | None = None,
) -> list[Problem]:
    """Per market and language: what would make ``smpc render`` refuse, as errors.

    A catalog that is missing, incomplete, fuzzy or fails the translation checks (in the
    product's domain or the tool's labels), or data the market requires that the product
    lacks, in the text as it reads on ``as_of`` (the ▼ statement is printed on some days
    only; a product with additional-monitoring entries for the market needs the day).
    ``locale`` defaults to the market's. A ``renderer`` of the portfolio, when given, is
    reused (its catalogs and profiles are loaded once for many products).
    """
    target = locale or load_profile(market, portfolio).locale
    try:
        found = renderer.translation_problems(product, market, locale, as_of=as_of) \
            if renderer is not None \
            else translation_problems(product, portfolio, market, locale, as_of=as_of)
    except ProblemsError as err:  # a catalog that cannot be read at all
        found = list(err.problems)
    return [
        TranslationFinding(p.location, p.message, Severity.ERROR, p.field, rule="translation",
                           market=market, locale=target,
                           checks=p.checks if isinstance(p, TranslationProblem) else ())
        for p in found
    ]


# ------------------------------------------------------------------------ files and reports


def check_product(
    product: Product,
    portfolio: Portfolio,
    as_of: dt.date,
    *,
    market: str | None = None,
    warn_days: int | None = None,
    renderer: Renderer | None = None,
    alterations: Alterations | None = None,
    sources: SourceCheck | None = None,
) -> list[Problem]:
    """Every finding for a loaded product: its dates, its ATC code, then each market's
    translations, then its approved SmPCs (:mod:`smpc_manager.consistency`).
    ``alterations`` are the portfolio's ATC alterations when read already
    (:func:`~smpc_manager.rules.alterations_for`), ``sources`` the portfolio's check of its
    SmPCs when made already (it keeps what it read of them)."""
    context = context_for(product, portfolio, as_of, market=market, warn_days=warn_days)
    findings = date_findings(product, context)
    severity = Severity.ERROR if portfolio.policy.atc_code_changed == "error" \
        else Severity.WARNING
    if alterations is None:
        alterations = alterations_for(portfolio)
    findings.extend(atc_findings(product, alterations, as_of, severity))
    markets = markets_of(product, portfolio, market)
    for code in markets:
        findings.extend(translation_findings(product, portfolio, code, renderer=renderer,
                                             as_of=as_of))
    if sources is None:
        sources = SourceCheck(portfolio, renderer or Renderer(portfolio))
    findings.extend(sources.findings(product, markets))
    return findings


def check_file(
    path: Path,
    portfolio: Portfolio,
    as_of: dt.date,
    *,
    market: str | None = None,
    warn_days: int | None = None,
    renderer: Renderer | None = None,
    alterations: Alterations | None = None,
    sources: SourceCheck | None = None,
) -> list[Problem]:
    """Every finding for one product file; a file that does not load yields its load errors.

    The loader refuses some contradictions itself (a review-by before the revision date, a
    renewal before the first authorisation); they come back here as findings, so that one
    bad file does not hide the others.
    """
    try:
        product = load_product(path)
    except ProblemsError as err:
        return [as_finding(p, "load") for p in err.problems]
    return check_product(product, portfolio, as_of, market=market, warn_days=warn_days,
                         renderer=renderer, alterations=alterations, sources=sources)


@dataclass(frozen=True, slots=True)
class FileResult:
    """The findings for one product file checked.

    A finding may point into another file (the product's catalog, a profile); it is still
    reported under the product it concerns.
    """

    path: str
    findings: tuple[Problem, ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.findings if p.severity is severity)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The findings of a check over some product files, as of one day."""

    as_of: dt.date
    results: tuple[FileResult, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(r.path for r in self.results)

    @property
    def findings(self) -> tuple[Problem, ...]:
        return tuple(p for r in self.results for p in r.findings)

    @property
    def errors(self) -> int:
        return sum(r.count(Severity.ERROR) for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.count(Severity.WARNING) for r in self.results)

    @property
    def files_with_errors(self) -> int:
        return sum(1 for r in self.results if r.count(Severity.ERROR))

    def as_dict(self) -> dict[str, object]:
        """The report of ``smpc check --format json`` (:mod:`smpc_manager.reports`; its
        schema is ``schemas/json/check.schema.json``).

        Each item is a finding, :meth:`Finding.as_dict` plus ``file``, the product file it
        concerns (``path`` is where the problem is: the product, or its catalog).
        """
        return report(
            "check",
            {
                "as_of": self.as_of.isoformat(),
                "files": len(self.results),
                "files_with_errors": self.files_with_errors,
                "errors": self.errors,
                "warnings": self.warnings,
                "ok": self.errors == 0,
            },
            ({**as_finding(p, "").as_dict(), "file": json_safe(r.path)}
             for r in self.results for p in r.findings),
        )


def check_targets(
    targets: Sequence[Target],
    as_of: dt.date,
    *,
    market: str | None = None,
    warn_days: int | None = None,
) -> CheckReport:
    """Check every product file, each with its portfolio's policy, into one report.

    Within a file, the findings in the product file come first, in line order, then those
    in other files (its catalogs) by path and line.
    """
    shared: dict[Path, tuple[Renderer, Alterations, SourceCheck]] = {}
    results = []
    for target in targets:
        path = str(target.path)
        root = target.portfolio.root
        if root not in shared:
            renderer = Renderer(target.portfolio)
            shared[root] = (renderer, alterations_for(target.portfolio),
                            SourceCheck(target.portfolio, renderer))
        renderer, alterations, sources = shared[root]
        found = check_file(target.path, target.portfolio, as_of, market=market,
                           warn_days=warn_days, renderer=renderer, alterations=alterations,
                           sources=sources)
        found.sort(key=lambda p: (p.location.path != path, p.location.path,
                                  p.location.line, p.location.column))
        results.append(FileResult(path, tuple(found)))
    return CheckReport(as_of, tuple(results))


def check(paths: Iterable[str | Path], *, as_of: dt.date | None = None,
          market: str | None = None, warn_days: int | None = None) -> CheckReport:
    """Check product files, or every product of the portfolios named by their folders, as
    of ``as_of`` (default: today): every date that can expire, the ATC code, every market's
    translation and the approved SmPCs, as ``smpc check`` does. Nothing is printed: the
    report says it all.

    ``market`` narrows the check to one market; ``warn_days`` overrides the portfolios'
    policy for how near an expiry is a warning. A path that does not exist is a
    :class:`~smpc_manager.errors.UsageError`.
    """
    return check_targets(expand(paths), as_of or dt.date.today(),
                         market=market.upper() if market else None, warn_days=warn_days)
