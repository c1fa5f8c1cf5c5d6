"""The date rules of smpc check, at their boundary days, on month-only dates and leap days."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from smpc_manager.audit import check_file, check_targets
from smpc_manager.clock import add_months, parse_day
from smpc_manager.errors import Problem, Severity
from smpc_manager.model import (
    AdditionalMonitoring,
    Authorisation,
    Located,
    MarketDate,
    PartialDate,
    Product,
)
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
    age_limit,
    rule_authorisation_valid,
    rule_dates_agree,
    rule_prescribing_information_age,
    rule_review_by,
)
from tests.conftest import DATA, EXAMPLE
from tests.migration import SCHEMA_1
from tests.reports import valid

CHECK_DATA = DATA / "check"
BESPONSA = EXAMPLE / "products" / "besponsa.xml"
#: The example as it was in schema 1, which has no prescribing-information date.
BESPONSA_1 = SCHEMA_1 / "example" / "products" / "besponsa.xml"
#: A schema 2 product served in GB, whose prescribing information is dated 2026-01 there.
CAPSULES = DATA / "valid-v2" / "capsules-three-strengths.xml"
GB_24 = (("GB", 24),)
D = dt.date


@pytest.fixture(scope="module")
def product() -> Product:
    return load_product(BESPONSA)


@pytest.fixture(scope="module")
def schema_1() -> Product:
    return load_product(BESPONSA_1)


@pytest.fixture(scope="module")
def capsules() -> Product:
    return load_product(CAPSULES)


def pi_date(product: Product, text: str | None, markets: tuple[str, ...] = ("GB",)
            ) -> Product:
    """``product`` with its prescribing information dated ``text`` in ``markets`` (None:
    undated)."""
    dates = () if text is None else (
        MarketDate(markets, Located(PartialDate.parse(text), product.revision_date.location)),)
    return replace(product, prescribing_information_dates=dates)


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


# ------------------------------------------------------------------------ prescribing information


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
def test_prescribing_information_age_boundaries(capsules: Product, text: str, months: int,
                                                as_of: dt.date, too_old: bool) -> None:
    context = CheckContext(as_of, warn_days=0, prescribing_information_ages=(("GB", months),))
    findings = rule_prescribing_information_age(pi_date(capsules, text), context)
    near = ("prescribing-information-age-near", Severity.WARNING)
    assert rules(findings) == ([("prescribing-information-age-passed", Severity.ERROR)]
                               if too_old else [near] if as_of == age_limit(
                                   PartialDate.parse(text), months) else [])


def test_prescribing_information_age_messages(capsules: Product) -> None:
    line = line_of(CAPSULES, "<prescribing-information-date")
    # Dated 2026-01 in GB: at most 24 months old up to 31 January 2028.
    assert rule_prescribing_information_age(
        capsules, CheckContext(D(2027, 11, 1), prescribing_information_ages=GB_24)) == []
    (near,) = rule_prescribing_information_age(
        capsules, CheckContext(D(2027, 11, 2), prescribing_information_ages=GB_24))
    assert near.message == (
        "prescribing-information-date 2026-01 (GB) is at most 24 months old until 2028-01-31,"
        " which is in 90 days (as of 2027-11-02): re-certify the material and date the"
        " prescribing information anew before then")
    (passed,) = rule_prescribing_information_age(
        capsules, CheckContext(D(2028, 2, 1), prescribing_information_ages=GB_24))
    assert passed.message.startswith(
        "prescribing-information-date 2026-01 (GB) is 25 months old, more than the 24 months"
        " GB allows (as of 2028-02-01): re-certify the material")
    for finding in (near, passed):
        assert isinstance(finding, Finding)
        assert (finding.location.line, finding.field, finding.date, finding.market) == (
            line, "prescribing-information-date", "2026-01", "GB")
    # The SmPC's revision date plays no part: 2025-11 is older, and nothing is said of it.
    assert "revision" not in near.message + passed.message


def test_an_undated_prescribing_information_is_an_error(capsules: Product) -> None:
    undated = pi_date(capsules, None)
    (finding,) = rule_prescribing_information_age(
        undated, CheckContext(D(2026, 11, 25), prescribing_information_ages=GB_24))
    assert isinstance(finding, Finding)
    assert (finding.severity, finding.rule, finding.market) == (
        Severity.ERROR, "prescribing-information-date-missing", "GB")
    assert finding.location.line == line_of(CAPSULES, "<revision-date>")
    assert finding.message == (
        "GB limits the age of the prescribing information to 24 months, but the product gives"
        " no prescribing-information-date for GB: add <prescribing-information-date"
        ' markets="GB">YYYY-MM</prescribing-information-date> after <revision-date>, the date'
        " the prescribing information was drawn up or last revised (not the SmPC's)")
    # A date for other markets only is no date for GB.
    assert rules(rule_prescribing_information_age(
        pi_date(capsules, "2026-01", ("IE",)),
        CheckContext(D(2026, 11, 25), prescribing_information_ages=GB_24))) == [
        ("prescribing-information-date-missing", Severity.ERROR)]


def test_no_limit_no_finding(capsules: Product) -> None:
    for product in (capsules, pi_date(capsules, None)):
        assert rule_prescribing_information_age(product, CheckContext(D(2040, 1, 1))) == []


@pytest.mark.parametrize(
    ("text", "as_of", "too_old"),
    [("2022-02", D(2024, 2, 29), False), ("2022-02", D(2024, 3, 1), True)],
)
def test_schema_1_revision_date_stands_in_and_only_warns(schema_1: Product, text: str,
                                                         as_of: dt.date,
                                                         too_old: bool) -> None:
    # Schema 1 has no prescribing-information date; its GB block prints the revision date
    # in its place. Past the limit: a warning, as schema 1 always had; no warning before.
    context = CheckContext(as_of, prescribing_information_ages=GB_24)
    findings = rule_prescribing_information_age(revision(schema_1, text), context)
    assert rules(findings) == ([("revision-age", Severity.WARNING)] if too_old else [])


def test_schema_1_message(schema_1: Product) -> None:
    context = CheckContext(D(2026, 11, 25), prescribing_information_ages=GB_24)
    (finding,) = rule_prescribing_information_age(schema_1, context)
    assert finding.message == (
        "revision-date 2022-02 is 57 months old (as of 2026-11-25), more than the 24 months"
        " GB allows for the date of the prescribing information, which a schema 1 product"
        " cannot hold (the revision date stands in): if the material is still in use,"
        " re-certify it; migrate the product (smpc migrate) and add"
        ' <prescribing-information-date markets="GB"> to check that date itself')
    assert finding.location.line == line_of(BESPONSA_1, "<revision-date>")
    assert isinstance(finding, Finding)
    assert (finding.market, finding.date) == ("GB", "2022-02")


def test_age_limit_is_add_months_for_full_dates() -> None:
    assert age_limit(PartialDate(2023, 1, 31), 1) == D(2023, 2, 28)
    assert age_limit(PartialDate(2023, 1), 1) == D(2023, 2, 28)
    assert age_limit(PartialDate(2023, 12), 2) == D(2024, 2, 29)


def test_the_policy_asks_the_markets_served_whose_profile_limits_the_age(
        capsules: Product, product: Product) -> None:
    everywhere = Portfolio(root=EXAMPLE)  # no markets in smpc.toml: every known market
    day = D(2026, 11, 25)
    assert context_for(capsules, everywhere, day).prescribing_information_ages == GB_24
    assert context_for(capsules, everywhere, day, market="GB").prescribing_information_ages \
        == GB_24
    assert context_for(capsules, everywhere, day, market="IE").prescribing_information_ages \
        == ()
    # BESPONSA is not authorised in GB: GB's limit is not its concern, even asked for GB.
    assert context_for(product, everywhere, day).prescribing_information_ages == ()
    assert context_for(product, everywhere, day, market="GB").prescribing_information_ages \
        == ()
    # A portfolio that leaves GB out does not check it, unless asked to check GB.
    without_gb = Portfolio(root=EXAMPLE, markets=("AT", "IE"))
    assert context_for(capsules, without_gb, day).prescribing_information_ages == ()
    assert context_for(capsules, without_gb, day, market="GB").prescribing_information_ages \
        == GB_24


def test_smpc_toml_sets_the_months_for_the_markets_that_limit_the_age(
        capsules: Product) -> None:
    key = "max-prescribing-information-age-months"
    portfolio = Portfolio(root=EXAMPLE, policy=Policy(90, 12, frozenset({key})))
    # GB's 24 months become 12; AT, DE and IE, whose codes ask for no such date, stay free.
    assert context_for(capsules, portfolio, D(2026, 11, 25)).prescribing_information_ages \
        == (("GB", 12),)
    (finding,) = date_findings(capsules, context_for(capsules, portfolio, D(2027, 2, 1)))
    assert isinstance(finding, Finding)
    assert finding.rule == "prescribing-information-age-passed"


def test_a_prescribing_information_too_old_does_not_refuse_a_render(capsules: Product) -> None:
    # Re-certifying material in use is the signatory's act: check fails, render goes on.
    portfolio = Portfolio(root=EXAMPLE)
    day = D(2028, 2, 1)
    reviewed = review_by(capsules, D(2030, 1, 1))
    checked = context_for(reviewed, portfolio, day, market="GB")
    assert rules(date_findings(reviewed, checked)) == [
        ("prescribing-information-age-passed", Severity.ERROR)]
    assert expiry_errors(reviewed, portfolio, day, "GB") == []
    assert expiry_errors(pi_date(reviewed, None), portfolio, day, "GB") == []


# ------------------------------------------------------------------------ files and reports


def test_example_is_clean_today(product: Product) -> None:
    portfolio = load_portfolio(EXAMPLE)
    assert date_findings(product, CheckContext(D(2026, 11, 25))) == []
    assert expiry_errors(product, portfolio, D(2026, 11, 25), "AT") == []


def test_expiry_errors_are_only_errors(product: Product) -> None:
    portfolio = Portfolio(root=EXAMPLE)
    # As of the day before review-by: a warning, no refusal.
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
        ("besponsa.xml", Severity.WARNING),  # its ATC code, changed in 2022
        ("besponsa.xml", Severity.WARNING),  # its review-by, near
    ]
    assert valid(report.as_dict(), "check")["summary"] == {
        "as_of": "2027-12-11", "files": 2, "files_with_errors": 1, "errors": 1, "warnings": 2,
        "ok": False}


def test_policy_from_the_portfolio_and_the_override(product: Product) -> None:
    given = frozenset({"warn-days", "max-prescribing-information-age-months"})
    portfolio = Portfolio(root=EXAMPLE, policy=Policy(30, 48, given))
    context = context_for(product, portfolio, D(2026, 11, 25))
    assert context.warn_days == 30
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
    for rule in (rule_review_by, rule_authorisation_valid, rule_prescribing_information_age):
        before = _worst(rule(changed, CheckContext(early, warn, GB_24)))
        after = _worst(rule(changed, CheckContext(late, warn, GB_24)))
        assert RANK[before] <= RANK[after]


@given(review=days, first=days, until=days, as_of=days, warn=st.integers(0, 400),
       age=st.sampled_from([None, 1, 24]), conditional=st.booleans())
def test_only_the_refusing_rules_find_errors(schema_1: Product, review: dt.date,
                                             first: dt.date, until: dt.date, as_of: dt.date,
                                             warn: int, age: int | None,
                                             conditional: bool) -> None:
    # expiry_errors and a build's probing of days run REFUSING_RULES alone: the other
    # rules must never find an error about the text of the schema 1 example, whatever the
    # dates. (Only the age of a schema 2 product's prescribing information can, which
    # concerns the material and refuses no render:
    # test_prescribing_information_age_errs_exactly_past_its_limit.)
    changed = authorisation(review_by(schema_1, review), first_authorisation=first,
                            valid_until=until,
                            type="conditional" if conditional else "standard")
    watched = AdditionalMonitoring(("EU",), None, Located(until, schema_1.location),
                                   schema_1.location)
    changed = replace(changed, additional_monitoring=(watched,))
    context = CheckContext(as_of, warn, () if age is None else (("GB", age),))
    every = [p for p in date_findings(changed, context) if p.severity is Severity.ERROR]
    refusing = [p for p in date_findings(changed, context, REFUSING_RULES)
                if p.severity is Severity.ERROR]
    assert refusing == every
    others = [rule for rule in DATE_RULES if rule not in REFUSING_RULES]
    assert all(p.severity is not Severity.ERROR for rule in others
               for p in rule(changed, context))


@given(text=st.sampled_from(["2026-01", "2024-02-29", "0001-01", "9999-12", "9999-12-31"]),
       as_of=st.dates(), months=st.integers(1, 1200), warn=st.integers(0, 400))
@example(text="9999-12", as_of=D.max, months=1200, warn=0)
@example(text="0001-01", as_of=D.max, months=1, warn=400)
def test_prescribing_information_age_errs_exactly_past_its_limit(
        capsules: Product, text: str, as_of: dt.date, months: int, warn: int) -> None:
    # Any date the schema takes, any day, any limit: an error exactly after the last day
    # within the limit, a warning exactly in the window before it; never a crash at the
    # ends of the calendar.
    findings = rule_prescribing_information_age(
        pi_date(capsules, text), CheckContext(as_of, warn, (("GB", months),)))
    last = age_limit(PartialDate.parse(text), months)
    assert (_worst(findings) is Severity.ERROR) == (as_of > last)
    assert (_worst(findings) is Severity.WARNING) == (0 <= (last - as_of).days <= warn)


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
    for finding in date_findings(changed, CheckContext(as_of, warn, GB_24)):
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
