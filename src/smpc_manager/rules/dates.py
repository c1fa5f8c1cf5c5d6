"""Date and business rules: everything in a summary that can expire, as of a given day.

A rule is a small pure function ``(product, context) -> list[Problem]``; :data:`DATE_RULES`
lists them. The :class:`CheckContext` carries the day the check is made *as of* and the
policy that applies (how many days ahead to warn, how old the prescribing information may
be in each market that limits it).

Boundaries, stated once:

* a ``review-by`` or ``valid-until`` date is the **last valid day**: it *has passed* only
  when ``as_of > date`` (an error); on the day itself it is still valid;
* it is *near* (a warning) from ``warn_days`` days before it up to and including the day
  itself: ``0 <= (date - as_of).days <= warn_days``;
* a ``revision-date`` given to the month (``2022-02``) is compared by its month: it is
  *after* a day only when its month begins after that day;
* a maximum age of N months (``max-prescribing-information-age-months``) is exceeded when
  ``as_of`` is after the date moved N months on (for a month-only date, after the last day
  of that month): that last day within the limit passes and is near as a ``review-by``
  does;
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
    "conditional-without-valid-until", "prescribing-information-age-passed",
    "prescribing-information-age-near", "prescribing-information-date-missing", "revision-age",
    "revision-after-review-by", "revision-after-as-of", "renewal-before-first-authorisation",
    "additional-monitoring-passed", "additional-monitoring-near", "translation", "load",
    "atc-code-changed", "smpc-verbatim", "smpc-revised", "smpc-source",
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
    #: The markets checked whose policy limits the age of the prescribing information
    #: (``max-prescribing-information-age-months``), each with its limit in months.
    prescribing_information_ages: tuple[tuple[str, int], ...] = ()
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


def rule_prescribing_information_age(product: Product, context: CheckContext
                                     ) -> list[Problem]:
    """The date the prescribing information was drawn up or last revised, in each market
    whose policy limits its age: past the limit, an error; within the warning window before
    its last day, a warning; missing from a schema 2 product, an error.

    The limit is GB's: the ABPI Code has promotional material in use re-certified at least
    every two years, and the prescribing information is checked against the current SmPC
    and dated when it is. The SmPC's own revision date may stay the same for years; its
    currency is the ``review-by``'s to watch. A schema 1 product cannot hold the date and
    its block prints the revision date in its place, so that date stands in, with only a
    warning past the limit, as schema 1 always had: the product cannot say more until it is
    migrated.
    """
    problems: list[Problem] = []
    for market, months in context.prescribing_information_ages:
        if product.schema == 1:
            problems.extend(_revision_standing_in(product, market, months, context))
            continue
        date = product.prescribing_information_date(market)
        if date is None:
            problems.append(Finding(
                product.revision_date.location,
                f"{market} limits the age of the prescribing information to {months} months,"
                f" but the product gives no prescribing-information-date for {market}: add"
                f' <prescribing-information-date markets="{market}">YYYY-MM'
                "</prescribing-information-date> after <revision-date>, the date the"
                " prescribing information was drawn up or last revised (not the SmPC's)",
                field="prescribing-information-date",
                rule="prescribing-information-date-missing",
                market=market,
            ))
            continue
        last = age_limit(date.value, months)
        what = f"prescribing-information-date {date.value} ({market})"
        problems.extend(_expiry(
            Located(last, date.location),
            context,
            rule="prescribing-information-age",
            field="prescribing-information-date",
            what=f"{what} is at most {months} months old until {last}, which",
            ended=f"{what} is {_age_in_months(date.value, context.as_of)} months old, more"
                  f" than the {months} months {market} allows",
            last_day="the last day within the limit",
            passed="re-certify the material: check the prescribing information against the"
                   " current SmPC and record the date it is approved",
            near="re-certify the material and date the prescribing information anew before"
                 " then",
            market=market,
            reported=str(date.value),
        ))
    return problems


def _revision_standing_in(product: Product, market: str, months: int,
                          context: CheckContext) -> list[Problem]:
    """A schema 1 product's revision date, which stands in for the prescribing
    information's, older than ``market``'s limit: a warning."""
    revision = product.revision_date
    if context.as_of <= age_limit(revision.value, months):
        return []
    return [Finding(
        revision.location,
        f"revision-date {revision.value} is {_age_in_months(revision.value, context.as_of)}"
        f" months old (as of {context.as_of}), more than the {months} months {market} allows"
        " for the date of the prescribing information, which a schema 1 product cannot hold"
        " (the revision date stands in): if the material is still in use, re-certify it;"
        " migrate the product (smpc migrate) and add"
        f' <prescribing-information-date markets="{market}"> to check that date itself',
        severity=Severity.WARNING,
        field="revision-date", rule="revision-age", date=str(revision.value), market=market,
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
    rule_prescribing_information_age,
    rule_additional_monitoring,
)
#: The date rules whose errors refuse a render: the text may not be printed. A build's
#: probing of days runs only these. The other rules warn, except the prescribing
#: information's age, whose errors ``smpc check`` reports: re-certifying material in use
#: is the signatory's act, not a fault of the text.
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


def age_limit(date: PartialDate, months: int) -> dt.date:
    """The last day on which a date is at most ``months`` old.

    >>> age_limit(PartialDate(2022, 2), 24)
    datetime.date(2024, 2, 29)
    >>> age_limit(PartialDate(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> age_limit(PartialDate(9999, 12), 24)  # past the calendar: never too old
    datetime.date(9999, 12, 31)
    """
    try:
        moved = add_months(date.first_day(), months)
    except ValueError:  # a year after 9999, which no check day reaches
        return dt.date.max
    if date.day is not None:
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
    reported: str | None = None,
) -> list[Problem]:
    """A last valid day, as of ``context``: passed (``ended``, else "``what`` has passed"),
    near (within the warning window: a warning), or nothing to say. A finding reports the
    day itself, or ``reported`` when the day is computed from another date."""
    shown = reported or date.value.isoformat()
    days = (date.value - context.as_of).days
    if days < 0:
        return [Finding(
            date.location,
            f"{ended or f'{what} has passed'} (as of {context.as_of}): {passed}",
            severity=passed_severity,
            field=field, rule=f"{rule}-passed", date=shown, market=market,
        )]
    if days <= context.warn_days:
        when = f"is today, {last_day}" if days == 0 else \
            f"is in {days} day{'s' if days != 1 else ''}"
        return [Finding(
            date.location,
            f"{what} {when} (as of {context.as_of}): {near}",
            severity=Severity.WARNING,
            field=field, rule=f"{rule}-near", date=shown, market=market,
        )]
    return []


def _authorisations(product: Product, context: CheckContext) -> tuple[Authorisation, ...]:
    if context.market is None:
        return product.authorisations
    return product.authorisations_for(context.market)


def _numbers(ma: Authorisation) -> str:
    return ", ".join(ma.numbers) if ma.numbers else f"for {' '.join(ma.markets)}"


def _age_in_months(date: PartialDate, as_of: dt.date) -> int:
    months = (as_of.year - date.year) * 12 + as_of.month - date.month
    if date.day is not None and as_of.day < date.day:
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

    The warning window comes from the first of: the command line (``warn_days``), the
    portfolio's ``[policy]`` in ``smpc.toml`` where it sets the key, the profile of
    ``market`` (or, with no market, the longest window of the markets the product serves),
    and the default of 90 days.

    The age of the prescribing information is limited in the markets checked (``market``
    where the product is authorised there, else every market the product serves) whose
    profile sets ``max-prescribing-information-age-months``; ``smpc.toml`` may set another
    number of months for them, but no market whose code has no such date is made to ask for
    one.
    """
    policy = portfolio.policy
    codes = (market,) if market is not None else markets_of(product, portfolio)
    profiles = {code: market_policy(code, portfolio) for code in codes}
    if warn_days is None:
        warn_days = policy.warn_days
        if "warn-days" not in policy.given and profiles:
            warn_days = max(p[0] for p in profiles.values())
    portfolio_age = policy.max_prescribing_information_age_months \
        if "max-prescribing-information-age-months" in policy.given else None
    ages = tuple((code, portfolio_age or limit) for code in codes
                 if (limit := profiles[code][1]) is not None and product.authorisations_for(code))
    return CheckContext(as_of=as_of, warn_days=warn_days, prescribing_information_ages=ages,
                        market=market)


def market_policy(market: str, portfolio: Portfolio) -> tuple[int, int | None]:
    """A market profile's date policy: (warn days, maximum age of the prescribing
    information in months, None where the market sets none).

    An unknown market is a :class:`~smpc_manager.errors.UsageError` (from the profiles).
    """
    policy = load_profile(market, portfolio).policy
    return policy.warn_days, policy.max_prescribing_information_age_months


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
