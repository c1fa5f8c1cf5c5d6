"""The date rules of smpc check, at their boundary days, on month-only dates and leap days."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smpc_manager.audit import check_file, check_targets
from smpc_manager.clock import add_months, parse_day
from smpc_manager.errors import Problem, Severity
from smpc_manager.model import AdditionalMonitoring, Authorisation, Located, PartialDate, Product
from smpc_manager.portfolio import Policy, Portfolio, Target, load_portfolio
from smpc_manager.products import load_product
from smpc_manager.rules import (
    RULE_IDS,
    CheckContext,
    Finding,
    context_for,
    date_findings,
    expiry_errors,
    passing_days,
)
from smpc_manager.rules.dates import (
    DATE_RULES,
    REFUSING_RULES,
    revision_age_limit,
    rule_authorisation_valid,
    rule_dates_agree,
    rule_review_by,
    rule_revision_age,
)
from tests.conftest import DATA, EXAMPLE
from tests.reports import valid

CHECK_DATA = DATA / "check"
BESPONSA = EXAMPLE / "products" / "besponsa.xml"
D = dt.date


@pytest.fixture(scope="module")
def product() -> Product:
    return load_product(BESPONSA)


def review_by(product: Product, day: dt.date) -> Product:
    return replace(product, review_by=Located(day, product.review_by.location))


def revision(product: Product, text: str) -> Product:
    return replace(product, revision_date=Located(PartialDate.parse(text),
                                                  product.revision_date.location))


def authorisation(product: Product, **changes: object) -> Product:
    ma = product.authorisations[0]
    located = {
        key: Located(value, ma.location) if isinstance(value, dt.date) else value
        for key, value in changes.items()
    }
    return replace(product, authorisations=(replace(ma, **located),))  # type: ignore[arg-type]


def rules(findings: list[Problem]) -> list[tuple[str, Severity]]:
    return [(f.rule if isinstance(f, Finding) else "", f.severity) for f in findings]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line holding ``text`` (so tests never hard-code one)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text} not in {path}")


# ------------------------------------------------------------------------ review-by


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2027, 10, 1), []),  # 91 days before: outside the 90-day window
        (D(2027, 10, 2), [("review-by-near", Severity.WARNING)]),  # 90 days before
        (D(2027, 12, 30), [("review-by-near", Severity.WARNING)]),  # the day before
        (D(2027, 12, 31), [("review-by-near", Severity.WARNING)]),  # the day itself
        (D(2028, 1, 1), [("review-by-passed", Severity.ERROR)]),  # the day after
    ],
)
def test_review_by_boundaries(product: Product, as_of: dt.date,
                              expected: list[tuple[str, Severity]]) -> None:
    assert product.review_by.value == D(2027, 12, 31)
    assert rules(rule_review_by(product, CheckContext(as_of, warn_days=90))) == expected


def test_review_by_passed_names_the_line_the_date_and_the_day(product: Product) -> None:
    (finding,) = rule_review_by(product, CheckContext(D(2028, 1, 1)))
    assert finding.location.path == str(BESPONSA)
    assert finding.location.line == line_of(BESPONSA, "<review-by>")
    assert finding.field == "review-by"
    assert isinstance(finding, Finding)
    assert finding.date == "2027-12-31"
    assert finding.message == ("review-by 2027-12-31 has passed (as of 2028-01-01): re-verify"
                               " against the current SmPC")


def test_review_by_warning_counts_the_days_left(product: Product) -> None:
    (finding,) = rule_review_by(product, CheckContext(D(2027, 12, 11)))
    assert "is in 20 days (as of 2027-12-11)" in finding.message
    (finding,) = rule_review_by(product, CheckContext(D(2027, 12, 30)))
    assert "is in 1 day (as of" in finding.message


def test_warn_days_zero_warns_only_on_the_last_day(product: Product) -> None:
    assert rule_review_by(product, CheckContext(D(2027, 12, 30), warn_days=0)) == []
    (finding,) = rule_review_by(product, CheckContext(D(2027, 12, 31), warn_days=0))
    assert finding.severity is Severity.WARNING
    assert "is today, its last valid day" in finding.message


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2028, 2, 28), Severity.WARNING),
        (D(2028, 2, 29), Severity.WARNING),
        (D(2028, 3, 1), Severity.ERROR),
    ],
)
def test_review_by_on_a_leap_day(product: Product, as_of: dt.date,
                                 expected: Severity) -> None:
    leap = review_by(product, D(2028, 2, 29))
    (finding,) = rule_review_by(leap, CheckContext(as_of, warn_days=30))
    assert finding.severity is expected


@pytest.mark.parametrize(
    ("review", "as_of", "warns"),
    [
        # 2028 is a leap year: 10 days before 10 March is 29 February, not 28.
        (D(2028, 3, 10), D(2028, 2, 29), True),
        (D(2028, 3, 10), D(2028, 2, 28), False),
        # 2027 is not: 10 days before 10 March is 28 February.
        (D(2027, 3, 10), D(2027, 2, 28), True),
        (D(2027, 3, 10), D(2027, 2, 27), False),
    ],
)
def test_warning_window_across_february(product: Product, review: dt.date, as_of: dt.date,
                                        warns: bool) -> None:
    findings = rule_review_by(review_by(product, review), CheckContext(as_of, warn_days=10))
    assert [f.severity for f in findings] == ([Severity.WARNING] if warns else [])


# ------------------------------------------------------------------------ valid-until


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2026, 3, 31), []),  # 91 days before
        (D(2026, 4, 1), [("valid-until-near", Severity.WARNING)]),  # 90 days before
        (D(2026, 6, 29), [("valid-until-near", Severity.WARNING)]),
        (D(2026, 6, 30), [("valid-until-near", Severity.WARNING)]),
        (D(2026, 7, 1), [("valid-until-passed", Severity.ERROR)]),
    ],
)
def test_valid_until_boundaries(product: Product, as_of: dt.date,
                                expected: list[tuple[str, Severity]]) -> None:
    limited = authorisation(product, type="conditional", valid_until=D(2026, 6, 30))
    assert rules(rule_authorisation_valid(limited, CheckContext(as_of))) == expected


def test_valid_until_passed_names_the_authorisation(product: Product) -> None:
    limited = authorisation(product, valid_until=D(2026, 6, 30))
    (finding,) = rule_authorisation_valid(limited, CheckContext(D(2026, 7, 1)))
    assert finding.message.startswith(
        "valid-until 2026-06-30 of marketing authorisation EU/1/17/1200/001 has passed"
        " (as of 2026-07-01)")
    assert finding.field == "valid-until"


def test_conditional_authorisation_needs_valid_until(product: Product) -> None:
    conditional = authorisation(product, type="conditional")
    (finding,) = rule_authorisation_valid(conditional, CheckContext(D(2026, 11, 25)))
    assert finding.severity is Severity.ERROR
    assert "conditional marketing authorisation EU/1/17/1200/001 has no valid-until" in \
        finding.message
    # The same authorisation as a standard one needs no end date.
    assert rule_authorisation_valid(product, CheckContext(D(2026, 11, 25))) == []


def test_valid_until_only_of_the_market_checked() -> None:
    gb = load_product(CHECK_DATA / "gb-authorisation-ends-leap-day.xml")
    day = D(2028, 3, 1)
    assert rules(rule_authorisation_valid(gb, CheckContext(day, market="GB"))) == [
        ("valid-until-passed", Severity.ERROR)]
    assert rule_authorisation_valid(gb, CheckContext(day, market="AT")) == []
    # Without a market every authorisation counts.
    assert len(rule_authorisation_valid(gb, CheckContext(day))) == 1


@pytest.mark.parametrize(
    ("as_of", "severity"),
    [(D(2028, 2, 28), Severity.WARNING), (D(2028, 2, 29), Severity.WARNING),
     (D(2028, 3, 1), Severity.ERROR)],
)
def test_valid_until_on_a_leap_day(as_of: dt.date, severity: Severity) -> None:
    gb = load_product(CHECK_DATA / "gb-authorisation-ends-leap-day.xml")
    (finding,) = rule_authorisation_valid(gb, CheckContext(as_of, market="GB"))
    assert finding.severity is severity
    assert isinstance(finding, Finding)
    assert finding.date == "2028-02-29"


# ------------------------------------------------------------------------ contradictions


@pytest.mark.parametrize(
    ("text", "as_of", "after"),
    [
        ("2026-12", D(2026, 11, 30), True),  # a month-only date is after the day before it
        ("2026-12", D(2026, 12, 1), False),  # ... and not after any day of its month
        ("2026-12", D(2026, 12, 31), False),
        ("2026-12-15", D(2026, 12, 14), True),
        ("2026-12-15", D(2026, 12, 15), False),
        ("2026-12-15", D(2026, 12, 16), False),
    ],
)
def test_revision_date_after_the_day(product: Product, text: str, as_of: dt.date,
                                     after: bool) -> None:
    findings = rule_dates_agree(revision(product, text), CheckContext(as_of))
    assert rules(findings) == ([("revision-after-as-of", Severity.ERROR)] if after else [])


@pytest.mark.parametrize(
    ("text", "review", "after"),
    [
        ("2027-12", D(2027, 11, 30), True),
        ("2027-12", D(2027, 12, 1), False),
        ("2027-12-31", D(2027, 12, 30), True),
        ("2027-12-31", D(2027, 12, 31), False),
        ("2028-02-29", D(2028, 2, 28), True),
        ("2028-02-29", D(2028, 2, 29), False),
    ],
)
def test_revision_date_after_review_by(product: Product, text: str, review: dt.date,
                                       after: bool) -> None:
    changed = review_by(revision(product, text), review)
    findings = rule_dates_agree(changed, CheckContext(D(2028, 3, 1)))
    assert rules(findings) == ([("revision-after-review-by", Severity.ERROR)] if after
                               else [])


@pytest.mark.parametrize(
    ("renewal", "contradicts"),
    [(D(2017, 6, 28), True), (D(2017, 6, 29), False), (D(2017, 6, 30), False)],
)
def test_renewal_before_first_authorisation(product: Product, renewal: dt.date,
                                            contradicts: bool) -> None:
    changed = authorisation(product, renewal=renewal)
    findings = rule_dates_agree(changed, CheckContext(D(2026, 11, 25)))
    assert rules(findings) == ([("renewal-before-first-authorisation", Severity.ERROR)]
                               if contradicts else [])


# ------------------------------------------------------------------------ revision age


@pytest.mark.parametrize(
    ("text", "months", "as_of", "too_old"),
    [
        # 2022-02 plus 24 months is February 2024, whose last day is the 29th.
        ("2022-02", 24, D(2024, 2, 28), False),
        ("2022-02", 24, D(2024, 2, 29), False),
        ("2022-02", 24, D(2024, 3, 1), True),
        # A full leap-day date plus a year ends on 28 February.
        ("2024-02-29", 12, D(2025, 2, 27), False),
        ("2024-02-29", 12, D(2025, 2, 28), False),
        ("2024-02-29", 12, D(2025, 3, 1), True),
        ("2022-02-15", 24, D(2024, 2, 15), False),
        ("2022-02-15", 24, D(2024, 2, 16), True),
    ],
)
def test_revision_age_boundaries(product: Product, text: str, months: int, as_of: dt.date,
                                 too_old: bool) -> None:
    context = CheckContext(as_of, max_revision_age_months=months)
    findings = rule_revision_age(revision(product, text), context)
    assert rules(findings) == ([("revision-age", Severity.WARNING)] if too_old else [])


def test_revision_age_message_and_no_limit(product: Product) -> None:
    context = CheckContext(D(2026, 11, 25), max_revision_age_months=24)
    (finding,) = rule_revision_age(product, context)
    assert finding.message.startswith(
        "revision-date 2022-02 is 57 months old (as of 2026-11-25), more than the 24 months")
    assert finding.location.line == line_of(BESPONSA, "<revision-date>")
    assert rule_revision_age(product, CheckContext(D(2026, 11, 25))) == []


def test_revision_age_limit_is_add_months_for_full_dates() -> None:
    assert revision_age_limit(PartialDate(2023, 1, 31), 1) == D(2023, 2, 28)
    assert revision_age_limit(PartialDate(2023, 1), 1) == D(2023, 2, 28)
    assert revision_age_limit(PartialDate(2023, 12), 2) == D(2024, 2, 29)


# ------------------------------------------------------------------------ files and reports


def test_example_is_clean_today(product: Product) -> None:
    portfolio = load_portfolio(EXAMPLE)
    assert date_findings(product, CheckContext(D(2026, 11, 25))) == []
    assert expiry_errors(product, portfolio, D(2026, 11, 25), "AT") == []


def test_expiry_errors_are_only_errors(product: Product) -> None:
    portfolio = Portfolio(root=EXAMPLE, policy=Policy(max_revision_age_months=12))
    # As of the day before review-by: a warning and an old revision date, no refusal.
    assert expiry_errors(product, portfolio, D(2027, 12, 31), "AT") == []
    (error,) = expiry_errors(product, portfolio, D(2028, 1, 1), "AT")
    assert error.field == "review-by"


def test_expiry_errors_for_the_market_rendered() -> None:
    gb = load_product(CHECK_DATA / "gb-authorisation-ends-leap-day.xml")
    portfolio = Portfolio(root=EXAMPLE)
    day = D(2028, 3, 1)  # GB's authorisation ended on 29 February; review-by is still ahead
    gb = review_by(gb, D(2030, 1, 1))
    assert [p.field for p in expiry_errors(gb, portfolio, day, "GB")] == ["valid-until"]
    assert expiry_errors(gb, portfolio, day, "AT") == []


def test_a_file_the_loader_refuses_comes_back_as_findings() -> None:
    path = CHECK_DATA / "renewal-before-first-authorisation.xml"
    (finding,) = check_file(path, Portfolio(root=CHECK_DATA), D(2026, 11, 25))
    assert finding.severity is Severity.ERROR
    assert finding.location.line == line_of(path, "<renewal>")
    assert "renewal 2017-06-28 is before the first-authorisation 2017-06-29" in finding.message
    assert isinstance(finding, Finding)
    assert finding.rule == "load"


def test_check_goes_on_after_a_bad_file() -> None:
    english = Portfolio(root=EXAMPLE, markets=("IE",))  # no catalog needed
    targets = [Target(CHECK_DATA / "review-by-before-revision-date.xml", english),
               Target(BESPONSA, english)]
    report = check_targets(targets, D(2027, 12, 11))
    assert [(Path(f.location.path).name, f.severity) for f in report.findings] == [
        ("review-by-before-revision-date.xml", Severity.ERROR),
        ("besponsa.xml", Severity.WARNING),
    ]
    assert valid(report.as_dict(), "check")["summary"] == {
        "as_of": "2027-12-11", "files": 2, "files_with_errors": 1, "errors": 1, "warnings": 1,
        "ok": False}


def test_policy_from_the_portfolio_and_the_override(product: Product) -> None:
    given = frozenset({"warn-days", "max-revision-age-months"})
    portfolio = Portfolio(root=EXAMPLE, policy=Policy(30, 48, given))
    context = context_for(product, portfolio, D(2026, 11, 25))
    assert (context.warn_days, context.max_revision_age_months) == (30, 48)
    assert context_for(product, portfolio, D(2026, 11, 25), warn_days=7).warn_days == 7
    # Keys smpc.toml does not set come from the market profiles (90 days for AT, DE, IE).
    unset = Portfolio(root=EXAMPLE, policy=Policy(30, 48))
    assert context_for(product, unset, D(2026, 11, 25)).warn_days == 90


# ------------------------------------------------------------------------ invariants

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))
RANK = {None: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _worst(findings: list[Problem]) -> Severity | None:
    if any(f.severity is Severity.ERROR for f in findings):
        return Severity.ERROR
    return Severity.WARNING if findings else None


@given(review=days, first=days, second=days, warn=st.integers(0, 400))
def test_later_never_turns_an_expiry_back(product: Product, review: dt.date,
                                          first: dt.date, second: dt.date,
                                          warn: int) -> None:
    early, late = sorted((first, second))
    changed = review_by(product, review)
    for rule in (rule_review_by, rule_authorisation_valid, rule_revision_age):
        before = _worst(rule(changed, CheckContext(early, warn, 24)))
        after = _worst(rule(changed, CheckContext(late, warn, 24)))
        assert RANK[before] <= RANK[after]


@given(review=days, first=days, until=days, as_of=days, warn=st.integers(0, 400),
       age=st.sampled_from([None, 1, 24]), conditional=st.booleans())
def test_only_the_refusing_rules_find_errors(product: Product, review: dt.date,
                                             first: dt.date, until: dt.date, as_of: dt.date,
                                             warn: int, age: int | None,
                                             conditional: bool) -> None:
    # expiry_errors and a build's probing of days run REFUSING_RULES alone: the other
    # rules must never find an error, whatever the dates.
    changed = authorisation(review_by(product, review), first_authorisation=first,
                            valid_until=until,
                            type="conditional" if conditional else "standard")
    watched = AdditionalMonitoring(("EU",), None, Located(until, product.location),
                                   product.location)
    changed = replace(changed, additional_monitoring=(watched,))
    context = CheckContext(as_of, warn, age)
    every = [p for p in date_findings(changed, context) if p.severity is Severity.ERROR]
    refusing = [p for p in date_findings(changed, context, REFUSING_RULES)
                if p.severity is Severity.ERROR]
    assert refusing == every
    others = [rule for rule in DATE_RULES if rule not in REFUSING_RULES]
    assert all(p.severity is not Severity.ERROR for rule in others
               for p in rule(changed, context))


@given(revision=days, review=days, first=days, renewal=st.none() | days,
       until=st.none() | days, conditional=st.booleans(), as_of=days,
       market=st.sampled_from([None, "AT", "GB"]))
def test_passing_days_are_the_days_the_refusing_rules_pass(
        product: Product, revision: dt.date, review: dt.date, first: dt.date,
        renewal: dt.date | None, until: dt.date | None, conditional: bool, as_of: dt.date,
        market: str | None) -> None:
    # A build records the days a product passes from passing_days instead of asking the
    # rules day by day: it must say what the rules say, on any day, whatever the dates.
    changed = authorisation(
        replace(review_by(product, review),
                revision_date=Located(PartialDate(revision.year, revision.month),
                                      product.location)),
        first_authorisation=first, renewal=renewal, valid_until=until,
        type="conditional" if conditional else "standard")
    refused = any(p.severity is Severity.ERROR for p in
                  date_findings(changed, CheckContext(as_of, market=market), REFUSING_RULES))
    days = passing_days(changed, market)
    assert refused == (days is None or not days[0] <= as_of <= days[1])


@given(review=days, as_of=days, warn=st.integers(0, 400))
def test_review_by_error_exactly_when_passed(product: Product, review: dt.date,
                                             as_of: dt.date, warn: int) -> None:
    findings = rule_review_by(review_by(product, review), CheckContext(as_of, warn))
    assert (_worst(findings) is Severity.ERROR) == (as_of > review)
    assert (_worst(findings) is Severity.WARNING) == (review - dt.timedelta(warn) <= as_of
                                                      <= review)


@given(review=days, as_of=days, revision_text=st.sampled_from(["2022-02", "2027-12-15"]),
       warn=st.integers(0, 400), conditional=st.booleans())
def test_every_finding_names_a_documented_rule(product: Product, review: dt.date,
                                               as_of: dt.date, revision_text: str,
                                               warn: int, conditional: bool) -> None:
    changed = review_by(revision(product, revision_text), review)
    if conditional:
        changed = authorisation(changed, type="conditional")
    for finding in date_findings(changed, CheckContext(as_of, warn, 24)):
        assert isinstance(finding, Finding)
        assert finding.rule in RULE_IDS
        assert finding.field is not None
        assert finding.date is None or finding.date in finding.message


@given(review=days, as_of=days, narrow=st.integers(0, 400), wide=st.integers(0, 400))
def test_a_wider_window_never_drops_a_warning(product: Product, review: dt.date,
                                              as_of: dt.date, narrow: int,
                                              wide: int) -> None:
    narrow, wide = sorted((narrow, wide))
    changed = review_by(product, review)
    for rule in DATE_RULES:
        assert len(rule(changed, CheckContext(as_of, narrow))) <= \
            len(rule(changed, CheckContext(as_of, wide)))


@given(day=days, months=st.integers(0, 600))
def test_add_months_keeps_the_day_or_ends_the_month(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year - day.year) * 12 + moved.month - day.month == months
    assert moved.day == day.day or (moved.day < day.day
                                    and (moved + dt.timedelta(days=1)).day == 1)
    assert parse_day(moved.isoformat()) == moved


def test_authorisation_type_is_kept_by_the_helper(product: Product) -> None:
    # The helper above must really change the authorisation, or the tests prove nothing.
    changed = authorisation(product, type="conditional", valid_until=D(2026, 6, 30))
    ma: Authorisation = changed.authorisations[0]
    assert (ma.type, ma.valid_until and ma.valid_until.value) == ("conditional",
                                                                  D(2026, 6, 30))


@pytest.mark.parametrize("text", ["²⁰²²-02", "2022-٠٢", "2022-02-¹"])
def test_a_partial_date_in_other_digits_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        PartialDate.parse(text)
