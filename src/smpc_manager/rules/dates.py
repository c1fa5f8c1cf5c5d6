"""Date and business rules: everything in a summary that can expire, as of a given day.

A rule is a small pure function ``(product, context) -> list[Problem]``; :data:`DATE_RULES`
lists them. The :class:`CheckContext` carries the day the check is made *as of* and the
policy that applies (how many days ahead to warn, how old a revision date may be).

Boundaries, stated once:

* a ``review-by`` or ``valid-until`` date is the **last valid day**: it *has passed* only
  when ``as_of > date`` (an error); on the day itself it is still valid;
* it is *near* (a warning) from ``warn_days`` days before it up to and including the day
  itself: ``0 <= (date - as_of).days <= warn_days``;
* a ``revision-date`` given to the month (``2022-02``) is compared by its month: it is
  *after* a day only when its month begins after that day;
* a maximum revision age of N months is exceeded when ``as_of`` is after the revision date
  moved N months on (for a month-only date, after the last day of that month);
* an ``additional-monitoring`` ``until`` is the **last day listed**: the ▼ statement is
  printed on it and no longer the day after. It *has passed* when ``as_of > until`` (a
  warning, not an error: the text is right, the product's data may be stale) and is *near*
  as a ``review-by`` is.

:func:`expiry_errors` is the refusal that ``smpc render`` and ``smpc build`` apply;
:mod:`smpc_manager.audit` runs these rules and the per-market translation checks over files
for ``smpc check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from smpc_manager.clock import add_months
from smpc_manager.errors import Problem, Severity
from smpc_manager.markets import load_profile, markets_for
from smpc_manager.model import Authorisation, Located, PartialDate, Product
from smpc_manager.portfolio import Portfolio

#: Every ``rule`` a finding can name (documented in ``smpc check --help`` for CI).
RULE_IDS = frozenset((
    "review-by-passed", "review-by-near", "valid-until-passed", "valid-until-near",
    "conditional-without-valid-until", "revision-age", "revision-after-review-by",
    "revision-after-as-of", "renewal-before-first-authorisation", "additional-monitoring-passed",
    "additional-monitoring-near", "translation", "load",
))

#: The days before a review-by or valid-until date on which a check warns, unless the
#: portfolio, the market profile or the command line says otherwise.
DEFAULT_WARN_DAYS = 90


@dataclass(frozen=True, slots=True)
class Finding(Problem):
    """A problem found by a check, with what a report needs besides the sentence.

    ``rule`` names the rule (``review-by-passed``), ``date`` the date involved (ISO,
    ``YYYY-MM`` for a month-only revision date), ``market`` and ``locale`` where the finding
    holds for one market or language only.
    """

    rule: str = ""
    date: str | None = None
    market: str | None = None
    locale: str | None = None

    def as_dict(self) -> dict[str, object]:
        data = Problem.as_dict(self)
        data.update(rule=self.rule, date=self.date, market=self.market, locale=self.locale)
        return data


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the rules need besides the product: the day, and the policy of the day."""

    as_of: dt.date
    #: Warn this many days before a review-by or valid-until date (and on the day itself).
    warn_days: int = DEFAULT_WARN_DAYS
    #: Warn when the revision date is older than this many months; None: no limit.
    max_revision_age_months: int | None = None
    #: Consider only the authorisations covering this market; None: every authorisation.
    market: str | None = None


Rule = Callable[[Product, CheckContext], list[Problem]]


# ------------------------------------------------------------------------ the rules


def rule_review_by(product: Product, context: CheckContext) -> list[Problem]:
    """review-by passed: an error; within the warning window: a warning."""
    review = product.review_by
    return _expiry(
        review,
        context,
        rule="review-by",
        field="review-by",
        what=f"review-by {review.value}",
        passed="re-verify against the current SmPC",
        near="re-verify against the current SmPC before then",
    )


def rule_authorisation_valid(product: Product, context: CheckContext) -> list[Problem]:
    """valid-until passed: an error; near: a warning; conditional without one: an error."""
    problems: list[Problem] = []
    for ma in _authorisations(product, context):
        if ma.valid_until is None:
            if ma.type == "conditional":
                problems.append(Finding(
                    ma.location,
                    f"conditional marketing authorisation {_numbers(ma)} has no valid-until:"
                    " a conditional authorisation holds for one year at a time; add the"
                    " <valid-until> of its current term",
                    field="valid-until",
                    rule="conditional-without-valid-until",
                    market=context.market,
                ))
            continue
        problems.extend(_expiry(
            ma.valid_until,
            context,
            rule="valid-until",
            field="valid-until",
            what=f"valid-until {ma.valid_until.value} of marketing authorisation {_numbers(ma)}",
            passed="the authorisation has expired; record its renewal before promoting",
            near="confirm its renewal before then",
            market=context.market,
        ))
    return problems


def rule_dates_agree(product: Product, context: CheckContext) -> list[Problem]:
    """Dates that contradict each other, or the day of the check, are errors.

    The loader refuses the first and last of these already; the rule keeps them for any
    product, however it was made.
    """
    problems: list[Problem] = []
    revision, review = product.revision_date, product.review_by
    if revision.value.first_day() > review.value:
        problems.append(Finding(
            revision.location,
            f"revision-date {revision.value} is after the review-by {review.value} that is"
            " meant to re-verify it",
            field="revision-date", rule="revision-after-review-by", date=str(revision.value),
        ))
    if revision.value.first_day() > context.as_of:
        problems.append(Finding(
            revision.location,
            f"revision-date {revision.value} is after the day of the check"
            f" ({context.as_of}): the text was not yet published on that day",
            field="revision-date", rule="revision-after-as-of", date=str(revision.value),
        ))
    for ma in _authorisations(product, context):
        first, renewal = ma.first_authorisation, ma.renewal
        if renewal is not None and renewal.value < first.value:
            problems.append(Finding(
                renewal.location,
                f"renewal {renewal.value} of marketing authorisation {_numbers(ma)} is before"
                f" its first-authorisation {first.value}",
                field="renewal", rule="renewal-before-first-authorisation",
                date=renewal.value.isoformat(), market=context.market,
            ))
    return problems


def rule_revision_age(product: Product, context: CheckContext) -> list[Problem]:
    """A revision date older than the policy's maximum age: a warning."""
    limit = context.max_revision_age_months
    if limit is None:
        return []
    revision = product.revision_date
    last_day = revision_age_limit(revision.value, limit)
    if context.as_of <= last_day:
        return []
    return [Finding(
        revision.location,
        f"revision-date {revision.value} is {_age_in_months(revision.value, context.as_of)}"
        f" months old (as of {context.as_of}), more than the {limit} months allowed: check"
        " whether the SmPC has a newer text",
        severity=Severity.WARNING,
        field="revision-date", rule="revision-age", date=str(revision.value),
    )]


def rule_additional_monitoring(product: Product, context: CheckContext) -> list[Problem]:
    """An additional-monitoring ``until`` passed, or within the warning window: a warning.

    Once it has passed the ▼ statement is no longer printed, which is right only if the
    product has really left the list; near it, the statement is about to disappear.
    """
    problems: list[Problem] = []
    for entry in product.additional_monitoring:
        until = entry.until
        if until is None or (context.market is not None and not entry.covers(context.market)):
            continue
        markets = " ".join(entry.markets)
        problems.extend(_expiry(
            until,
            context,
            rule="additional-monitoring",
            field="until",
            what=f"additional monitoring ({markets}) until {until.value}",
            ended=f"additional monitoring ({markets}) ended on {until.value}",
            last_day="its last day listed",
            passed="the ▼ statement is no longer printed; confirm the EMA list and update the"
                   " product",
            near="the ▼ statement is printed up to and including that day and no longer after"
                 " it; confirm the EMA list before then",
            passed_severity=Severity.WARNING,
            market=context.market,
        ))
    return problems


#: The date rules, in the order their findings are reported for one line.
DATE_RULES: tuple[Rule, ...] = (
    rule_review_by,
    rule_authorisation_valid,
    rule_dates_agree,
    rule_revision_age,
    rule_additional_monitoring,
)
#: The date rules that can find an error; the others only warn. What refuses a render is
#: theirs alone, so the refusal (and a build's probing of days) runs only these.
REFUSING_RULES: tuple[Rule, ...] = (
    rule_review_by,
    rule_authorisation_valid,
    rule_dates_agree,
)


def passing_days(product: Product, market: str | None = None
                 ) -> tuple[dt.date, dt.date] | None:
    """The first and last day on which :data:`REFUSING_RULES` find no error for ``product``
    (in ``market``; None: every authorisation), or None when they find one on every day.

    What those rules compare, said once more as a range, so that a build can tell the days
    an output stays valid without running the rules day by day: the text is not yet
    published before the first day of its revision date, and it may be promoted up to the
    review-by and the valid-until of each authorisation covering the market. A review-by
    before the revision, a renewal before the first authorisation and a conditional
    authorisation without a valid-until refuse every day. A property test holds this to
    the rules themselves.
    """
    start, end = product.revision_date.value.first_day(), product.review_by.value
    if start > end:
        return None
    for ma in _authorisations(product, CheckContext(start, market=market)):
        if ma.renewal is not None and ma.renewal.value < ma.first_authorisation.value:
            return None
        if ma.valid_until is not None:
            end = min(end, ma.valid_until.value)
        elif ma.type == "conditional":
            return None
    return (start, end) if start <= end else None


def date_findings(
    product: Product, context: CheckContext, rules: Iterable[Rule] = DATE_RULES
) -> list[Problem]:
    """Every finding of the date rules for one product, in file order."""
    return _sorted(p for rule in rules for p in rule(product, context))


def revision_age_limit(revision: PartialDate, months: int) -> dt.date:
    """The last day on which a revision date is at most ``months`` old.

    >>> revision_age_limit(PartialDate(2022, 2), 24)
    datetime.date(2024, 2, 29)
    >>> revision_age_limit(PartialDate(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> revision_age_limit(PartialDate(9999, 12), 24)  # past the calendar: never too old
    datetime.date(9999, 12, 31)
    """
    try:
        moved = add_months(revision.first_day(), months)
    except ValueError:  # a year after 9999, which no check day reaches
        return dt.date.max
    if revision.day is not None:
        return moved
    return PartialDate(moved.year, moved.month).last_day()


# ------------------------------------------------------------------------ helpers


def _expiry(
    date: Located[dt.date],
    context: CheckContext,
    *,
    rule: str,
    field: str,
    what: str,
    passed: str,
    near: str,
    market: str | None = None,
    ended: str | None = None,
    last_day: str = "its last valid day",
    passed_severity: Severity = Severity.ERROR,
) -> list[Problem]:
    """A last valid day, as of ``context``: passed (``ended``, else "``what`` has passed"),
    near (within the warning window: a warning), or nothing to say."""
    days = (date.value - context.as_of).days
    if days < 0:
        return [Finding(
            date.location,
            f"{ended or f'{what} has passed'} (as of {context.as_of}): {passed}",
            severity=passed_severity,
            field=field, rule=f"{rule}-passed", date=date.value.isoformat(), market=market,
        )]
    if days <= context.warn_days:
        when = f"is today, {last_day}" if days == 0 else \
            f"is in {days} day{'s' if days != 1 else ''}"
        return [Finding(
            date.location,
            f"{what} {when} (as of {context.as_of}): {near}",
            severity=Severity.WARNING,
            field=field, rule=f"{rule}-near", date=date.value.isoformat(), market=market,
        )]
    return []


def _authorisations(product: Product, context: CheckContext) -> tuple[Authorisation, ...]:
    if context.market is None:
        return product.authorisations
    return product.authorisations_for(context.market)


def _numbers(ma: Authorisation) -> str:
    return ", ".join(ma.numbers) if ma.numbers else f"for {' '.join(ma.markets)}"


def _age_in_months(revision: PartialDate, as_of: dt.date) -> int:
    months = (as_of.year - revision.year) * 12 + as_of.month - revision.month
    if revision.day is not None and as_of.day < revision.day:
        months -= 1
    return months


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.location.path, p.location.line,
                                           p.location.column))


# ------------------------------------------------------------------------ policy and markets


def context_for(
    product: Product,
    portfolio: Portfolio,
    as_of: dt.date,
    *,
    market: str | None = None,
    warn_days: int | None = None,
) -> CheckContext:
    """The context a product is checked in: the day, and the policy that applies.

    Each setting comes from the first of: the command line (``warn_days``), the portfolio's
    ``[policy]`` in ``smpc.toml`` where it sets the key, the profile of ``market`` (or, with
    no market, the strictest of the markets the product serves: the longest warning window
    and the shortest maximum revision age), and the default of 90 days and no age limit.
    """
    policy = portfolio.policy
    codes = (market,) if market is not None else markets_of(product, portfolio)
    profiles = [market_policy(code, portfolio) for code in codes]
    if warn_days is None:
        warn_days = policy.warn_days
        if "warn-days" not in policy.given and profiles:
            warn_days = max(p[0] for p in profiles)
    max_age = policy.max_revision_age_months
    if "max-revision-age-months" not in policy.given:
        ages = [p[1] for p in profiles if p[1] is not None]
        max_age = min(ages) if ages else max_age
    return CheckContext(as_of=as_of, warn_days=warn_days, max_revision_age_months=max_age,
                        market=market)


def market_policy(market: str, portfolio: Portfolio) -> tuple[int, int | None]:
    """A market profile's date policy: (warn days, maximum revision age in months).

    An unknown market is a :class:`~smpc_manager.errors.UsageError` (from the profiles).
    """
    policy = load_profile(market, portfolio).policy
    return policy.warn_days, policy.max_revision_age_months


def markets_of(
    product: Product, portfolio: Portfolio, market: str | None = None
) -> tuple[str, ...]:
    """The markets a product is checked for: those it serves, or ``market`` if it serves it.

    A product serves a market when it has an authorisation and a prescription status there
    (:func:`smpc_manager.markets.markets_for`); limited to one market that it does not
    serve, nothing of that market applies to it.
    """
    served = markets_for(product, portfolio)
    if market is None:
        return served
    return (market,) if market in served else ()


def expiry_errors(
    product: Product, portfolio: Portfolio, as_of: dt.date, market: str
) -> list[Problem]:
    """The date errors that forbid rendering ``product`` for ``market`` as of ``as_of``.

    ``smpc render`` and ``smpc build`` refuse a summary for which this is not empty: its
    review-by has passed, the authorisation covering the market has expired (or, being
    conditional, states no end), or its dates contradict each other or the day.
    """
    context = context_for(product, portfolio, as_of, market=market)
    return [p for p in date_findings(product, context, REFUSING_RULES)
            if p.severity is Severity.ERROR]


def as_finding(problem: Problem, rule: str) -> Finding:
    if isinstance(problem, Finding):
        return problem
    return Finding(problem.location, problem.message, problem.severity, problem.field,
                   rule=rule)
