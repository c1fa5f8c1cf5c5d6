"""smpc check through the command line: exit codes, path:line, text and JSON, the clock."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main
from smpc_manager.markets import PROFILE_DIR
from smpc_manager.rules import RULE_IDS
from tests.conftest import DATA, EXAMPLE
from tests.reports import read_report

CHECK_DATA = DATA / "check"
BESPONSA = EXAMPLE / "products" / "besponsa.xml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What check says of the example's ATC code, which it keeps though the index changed it.
ATC_WARNING = (
    "warning: atc-code L01XC26 (inotuzumab ozogamicin) is L01FB01 from 2022-01-01"
    " (https://www.whocc.no/lists_of__temporary_atc_ddds_and_alterations/atc_level_alterations/)"
    " in the ATC index: keep L01XC26 while the approved SmPC prints it, and print L01FB01 once"
    " a variation of its section 5.1 does")


def clock(day: dt.date) -> dict[str, Callable[[], dt.date]]:
    """The context object that makes the CLI's "today" the given day."""
    return {"today": lambda: day}


def check(runner: CliRunner, *args: str | Path, today: dt.date = dt.date(2026, 11, 25),
          color: bool = False) -> Result:
    return runner.invoke(main, ["check", *map(str, args)], obj=clock(today), color=color)


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text} not in {path}")


def review_by(path: Path) -> dt.date:
    found = re.search(r"<review-by>([\d-]+)</review-by>", path.read_text(encoding="utf-8"))
    assert found is not None
    return dt.date.fromisoformat(found.group(1))


# ------------------------------------------------------------------------ acceptance


def test_example_passes_today(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE)
    assert result.exit_code == 0, result.output
    # Its one finding: the ATC code its February 2022 text printed, which it keeps.
    assert result.stdout == f"{BESPONSA}:{line_of(BESPONSA, '<atc-code>')}:3: {ATC_WARNING}\n\n"
    # the summary: a diagnostic
    assert result.stderr == "checked 2 files as of 2026-11-25: 1 warning\n"


def test_example_warns_of_its_changed_atc_code(runner: CliRunner) -> None:
    """The ATC index of 2022 moved L01XC26 to L01FB01; the example keeps the code of its
    SmPC of February 2022. A warning every day from 2022-01-01, an error by policy."""
    def changed(day: str) -> list[dict[str, object]]:
        result = check(runner, BESPONSA, "--as-of", day, "--format", "json")
        return [i for i in read_report(result.stdout, "check")["items"]
                if i["rule"] == "atc-code-changed"]

    assert changed("2021-12-31") == []
    (item,) = changed("2022-03-01")
    assert (item["severity"], item["field"], item["date"], item["line"]) == (
        "warning", "atc-code", "2022-01-01", line_of(BESPONSA, "<atc-code>"))
    assert item["message"].startswith("atc-code L01XC26 (inotuzumab ozogamicin) is L01FB01"
                                      " from 2022-01-01")


def test_example_fails_the_day_after_review_by(runner: CliRunner) -> None:
    day_after = review_by(BESPONSA) + dt.timedelta(days=1)
    result = check(runner, EXAMPLE, "--as-of", day_after.isoformat())
    assert result.exit_code == 1
    line = line_of(BESPONSA, "<review-by>")
    assert f"{EXAMPLE}/products/besponsa.xml:{line}:" in result.output
    assert (f"error: review-by {review_by(BESPONSA)} has passed (as of {day_after}):"
            " re-verify against the current SmPC") in result.output
    summary = f"checked 2 files as of {day_after}: 1 error in 1 of 2 files, 1 warning"
    assert result.output.splitlines()[-1] == summary
    # The findings are the result, on standard output; the summary is on standard error.
    assert result.stdout.startswith(f"{EXAMPLE}/products/besponsa.xml:")
    assert result.stderr == summary + "\n"


def test_example_warns_20_days_before(runner: CliRunner) -> None:
    day = review_by(BESPONSA) - dt.timedelta(days=20)
    result = check(runner, BESPONSA, today=day)  # the day from the clock, not --as-of
    assert result.exit_code == 0, result.output
    assert f"warning: review-by {review_by(BESPONSA)} is in 20 days (as of {day})" in \
        result.output
    assert result.output.splitlines()[-1].endswith(": 2 warnings")  # and the ATC code's


def test_json_parses_and_lists_the_error(runner: CliRunner) -> None:
    day_after = review_by(BESPONSA) + dt.timedelta(days=1)
    result = check(runner, EXAMPLE, "--as-of", day_after.isoformat(), "--format", "json")
    assert result.exit_code == 1
    data = read_report(result.stdout, "check")
    assert data["summary"] == {"as_of": day_after.isoformat(), "files": 2,
                               "files_with_errors": 1, "errors": 1, "warnings": 1,
                               "ok": False}
    (finding,) = [i for i in data["items"] if i["severity"] == "error"]
    assert finding == {
        "severity": "error",
        "rule": "review-by-passed",
        "path": str(BESPONSA),
        "line": line_of(BESPONSA, "<review-by>"),
        "column": 3,
        "field": "review-by",
        "date": review_by(BESPONSA).isoformat(),
        "market": None,
        "locale": None,
        "message": f"review-by {review_by(BESPONSA)} has passed (as of {day_after}):"
                   " re-verify against the current SmPC",
        "file": str(BESPONSA),
    }


def test_json_when_all_is_well(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE, "--format", "json")
    assert result.exit_code == 0
    data = read_report(result.stdout, "check")
    assert [i["rule"] for i in data["items"]] == ["atc-code-changed"]
    assert data["summary"] == {"as_of": "2026-11-25", "files": 2, "files_with_errors": 0,
                               "errors": 0, "warnings": 1, "ok": True}


# ------------------------------------------------------------------------ the day


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2027-02-30", "'2027-02-30' is not a day of the calendar"),
        ("2027-02-29", "'2027-02-29' is not a day of the calendar"),
        ("20270701", "'20270701' is not a day (expected YYYY-MM-DD"),
        ("tomorrow", "'tomorrow' is not a day (expected YYYY-MM-DD"),
    ],
)
def test_a_bad_as_of_is_a_usage_error(runner: CliRunner, value: str, why: str) -> None:
    result = check(runner, EXAMPLE, "--as-of", value)
    assert result.exit_code == 2
    assert "smpc check: invalid value for '--as-of'" in result.output
    assert why in result.output
    assert "Traceback" not in result.output


def test_leap_day_is_a_day(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE, "--as-of", "2028-02-29")
    assert result.exit_code == 1
    assert "(as of 2028-02-29)" in result.output


def test_as_of_wins_over_the_clock(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE, "--as-of", "2026-11-25", today=dt.date(2030, 1, 1))
    assert result.exit_code == 0, result.output


def test_the_clock_decides_without_as_of(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE, today=dt.date(2030, 1, 1))
    assert result.exit_code == 1
    assert "(as of 2030-01-01)" in result.output


# ------------------------------------------------------------------------ policy


def test_warn_days_overrides(runner: CliRunner) -> None:
    day = review_by(BESPONSA) - dt.timedelta(days=20)
    assert "warning: review-by" not in check(runner, EXAMPLE, "--warn-days", "19",
                                             today=day).output
    assert "warning: review-by" in check(runner, EXAMPLE, "--warn-days", "20",
                                         today=day).output
    result = check(runner, EXAMPLE, "--warn-days", "-1", today=day)
    assert result.exit_code == 2


def test_smpc_toml_sets_the_window_and_the_prescribing_information_age(
        runner: CliRunner, portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    text = config.read_text(encoding="utf-8").replace(
        "warn-days = 90", "warn-days = 10\nmax-prescribing-information-age-months = 12")
    config.write_text(re.sub(r"(?m)^markets = .*$", 'markets = ["GB"]', text),
                      encoding="utf-8")
    product = portfolio / "products" / "capsules-three-strengths.xml"
    shutil.copy(DATA / "valid-v2" / "capsules-three-strengths.xml", product)
    # Its prescribing information is dated 2026-01 for GB: 14 months old on 1 March 2027,
    # when its review-by, 30 June 2027, is 121 days ahead.
    result = check(runner, product, "--format", "json", today=dt.date(2027, 3, 1))
    items = [i for i in read_report(result.stdout, "check")["items"]
             if i["rule"] != "translation"]
    assert [(i["rule"], i["severity"], i["market"]) for i in items] == [
        ("prescribing-information-age-passed", "error", "GB")]
    line = line_of(product, "<prescribing-information-date")
    assert (items[0]["line"], items[0]["message"].split(" (as of")[0]) == (
        line, "prescribing-information-date 2026-01 (GB) is 14 months old, more than the 12"
              " months GB allows")
    assert result.exit_code == 1


def test_the_old_revision_age_key_is_refused_naming_the_new(runner: CliRunner,
                                                            portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "warn-days = 90", "warn-days = 90\nmax-revision-age-months = 24"), encoding="utf-8")
    result = check(runner, portfolio)
    assert result.exit_code == 1
    line = line_of(config, "max-revision-age-months")
    assert f"smpc.toml:{line}: policy.max-revision-age-months is no longer read" in \
        result.output
    assert "write max-prescribing-information-age-months instead" in result.output


def test_a_portfolio_profile_sets_the_policy(runner: CliRunner, portfolio: Path) -> None:
    """A profile the portfolio names in smpc.toml brings its own date policy."""
    shipped = PROFILE_DIR / "at.toml"
    own = portfolio / "at.toml"
    own.write_text(shipped.read_text(encoding="utf-8").replace(
        "[policy]\nwarn-days = 90",
        "[policy]\nwarn-days = 400\nmax-prescribing-information-age-months = 60"),
        encoding="utf-8")
    config = portfolio / "smpc.toml"
    text = config.read_text(encoding="utf-8").replace("warn-days = 90\n", "")
    config.write_text(text + '\n[profiles]\nAT = "at.toml"\n', encoding="utf-8")
    product = portfolio / "products" / "besponsa.xml"
    day = review_by(product) - dt.timedelta(days=300)
    assert "review-by" not in check(runner, portfolio, "--market", "DE", today=day).output
    missing = check(runner, portfolio, "--market", "AT", today=day)
    assert missing.exit_code == 1
    assert "gives no prescribing-information-date for AT" in missing.output
    xml = product.read_text(encoding="utf-8")
    product.write_text(xml.replace("</revision-date>", "</revision-date>\n"
                                   '  <prescribing-information-date markets="AT">2022-06'
                                   "</prescribing-information-date>", 1), encoding="utf-8")
    result = check(runner, portfolio, "--market", "AT", today=day)
    assert result.exit_code == 0, result.output
    assert "warning: review-by" in result.output
    # Limited to 60 months by AT's own profile, the date of the prescribing information is
    # within warn-days of its limit by then.
    assert "warning: [AT] prescribing-information-date 2022-06" in result.output


def test_an_unknown_market_is_a_usage_error(runner: CliRunner) -> None:
    result = check(runner, EXAMPLE, "--market", "XX")
    assert result.exit_code == 2
    assert "unknown market 'XX'" in result.output


# ------------------------------------------------------------------------ many files


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A portfolio with the example, a file the loader refuses and two with findings.

    Its one market is IE, in the products' own language, so only dates are at stake.
    """
    root = tmp_path / "mixed"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.mo"))
    config = root / "smpc.toml"
    config.write_text(re.sub(r"(?m)^markets = .*$", 'markets = ["IE"]',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("review-by-before-revision-date", "conditional-without-valid-until",
                 "gb-authorisation-ends-leap-day"):
        shutil.copy(CHECK_DATA / f"{name}.xml", root / "products")
    return root


def test_every_file_is_checked_and_grouped(runner: CliRunner, mixed: Path) -> None:
    result = check(runner, mixed, "--as-of", "2028-02-20")
    assert result.exit_code == 1
    groups = result.output.rstrip("\n").split("\n\n")
    files = [{Path(line.split(":")[0]).name for line in g.splitlines()} for g in groups[:-1]]
    assert files == [{"besponsa.xml"}, {"conditional-without-valid-until.xml"},
                     {"gb-authorisation-ends-leap-day.xml"},
                     {"review-by-before-revision-date.xml"}]
    assert "conditional marketing authorisation EU/1/17/1200/001 has no valid-until" in \
        result.output
    assert "valid-until 2028-02-29 of marketing authorisation PLGB 00057/1690 is in 9 days" \
        in result.output
    bad = mixed / "products" / "review-by-before-revision-date.xml"
    assert (f"{bad}:{line_of(bad, '<review-by>')}:3: error: review-by 2022-01-31 is before"
            " the revision-date 2022-02") in result.output
    # The warnings: a valid-until near, and the ATC code of the three that load.
    assert groups[-1] == "checked 5 files as of 2028-02-20: 5 errors in 4 of 5 files," \
        " 4 warnings"


def test_json_lists_every_file(runner: CliRunner, mixed: Path) -> None:
    result = check(runner, mixed, "--as-of", "2028-02-20", "--format", "json")
    data = read_report(result.stdout, "check")
    rules = sorted((Path(f["path"]).name, f["rule"]) for f in data["items"])
    assert rules == [
        ("besponsa.xml", "atc-code-changed"),
        ("besponsa.xml", "review-by-passed"),
        ("conditional-without-valid-until.xml", "atc-code-changed"),
        ("conditional-without-valid-until.xml", "conditional-without-valid-until"),
        ("conditional-without-valid-until.xml", "review-by-passed"),
        ("gb-authorisation-ends-leap-day.xml", "atc-code-changed"),
        ("gb-authorisation-ends-leap-day.xml", "review-by-passed"),
        ("gb-authorisation-ends-leap-day.xml", "valid-until-near"),
        ("review-by-before-revision-date.xml", "load"),
    ]
    assert data["summary"]["files"] == 5


def test_market_limits_the_authorisations(runner: CliRunner, mixed: Path) -> None:
    gb = mixed / "products" / "gb-authorisation-ends-leap-day.xml"
    result = check(runner, gb, "--as-of", "2027-12-31", "--market", "AT")
    assert result.exit_code == 0, result.output
    assert "PLGB" not in result.output
    result = check(runner, gb, "--as-of", "2028-03-01", "--market", "GB",
                   "--format", "json")
    rules = {f["rule"]: f["market"] for f in read_report(result.stdout, "check")["items"]}
    # The GB profile also limits the age of the prescribing information to 24 months; a
    # schema 1 product's revision date stands in for its date.
    assert rules == {"review-by-passed": None, "valid-until-passed": "GB",
                     "revision-age": "GB", "atc-code-changed": None}


def test_a_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = check(runner, tmp_path / "nothing.xml")
    assert result.exit_code == 2
    assert "nothing.xml: no such file or folder" in result.output


# ------------------------------------------------------------------------ colour


def test_colour_on_a_terminal_none_when_piped(runner: CliRunner) -> None:
    args = (EXAMPLE, "--as-of", "2028-01-01")
    coloured = check(runner, *args, color=True).output
    piped = check(runner, *args).output
    assert "\x1b[31m" in coloured  # errors in red
    assert ANSI.search(piped) is None
    assert ANSI.sub("", coloured) == piped


def test_help_states_the_boundaries_and_the_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "It has passed only the day after (as-of > date)" in text
    assert '"items": [' in text
    assert '"summary":' in text
    for rule in RULE_IDS:
        assert re.search(rf"\b{rule}\b", text), rule


# ------------------------------------------------------------------------ translations


def po_path(portfolio: Path) -> Path:
    return portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def gnu_statistics(po: Path) -> str:
    """What GNU msgfmt counts in a catalog (a cross-check of what we read)."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU msgfmt is not installed")
    result = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=True)
    return result.stderr


def test_the_example_catalogs_pass(runner: CliRunner, portfolio: Path) -> None:
    result = check(runner, portfolio, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [i for i in read_report(result.stdout, "check")["items"]
            if i["rule"] != "atc-code-changed"] == []


def test_a_fuzzy_message_is_an_error_for_each_german_market(runner: CliRunner,
                                                            portfolio: Path) -> None:
    po = po_path(portfolio)
    edit(po, 'msgctxt "indications"\n', '#, fuzzy\nmsgctxt "indications"\n')
    assert "1 fuzzy translation" in gnu_statistics(po)
    result = check(runner, portfolio, "--format", "json")
    assert result.exit_code == 1
    product = portfolio / "products" / "besponsa.xml"
    line = line_of(product, "BESPONSA is indicated as monotherapy")
    items = read_report(result.stdout, "check")["items"]
    found = [(f["market"], f["locale"], f["line"]) for f in items
             if f["rule"] == "translation" and f["field"] == "indications"
             and "fuzzy" in f["message"]]
    assert found == [("AT", "de_AT", line), ("DE", "de_DE", line)]
    # IE is printed in the products' English: the German catalog does not concern it.
    assert check(runner, portfolio, "--market", "IE").exit_code == 0


def test_a_failing_translation_is_an_error(runner: CliRunner, portfolio: Path) -> None:
    edit(po_path(portfolio), "1 ml Lösung 0,25 mg", "1 ml Lösung 0.25 mg")
    result = check(runner, portfolio, "--market", "AT")
    assert result.exit_code == 1
    product = portfolio / "products" / "besponsa.xml"
    line = line_of(product, "After reconstitution")
    assert re.search(rf"besponsa\.xml:{line}:\d+: error: \[AT de_AT\] composition: failed in"
                     r" de_AT: .*0,25", result.output), result.output


def test_a_missing_catalog_is_an_error(runner: CliRunner, portfolio: Path) -> None:
    po_path(portfolio).unlink()
    result = check(runner, portfolio, "--market", "DE", "--format", "json")
    assert result.exit_code == 1
    (finding,) = [i for i in read_report(result.stdout, "check")["items"]
                  if i["severity"] == "error"]
    product = str(portfolio / "products" / "besponsa.xml")
    assert finding["file"] == product
    assert (finding["rule"], finding["market"], finding["locale"]) == ("translation", "DE",
                                                                      "de_DE")
    assert "no de_DE catalog for besponsa" in finding["message"]


# ------------------------------------------------------------------------ render and build refuse


def test_render_refuses_an_expired_summary(runner: CliRunner, portfolio: Path) -> None:
    product = portfolio / "products" / "besponsa.xml"
    out = portfolio / "out.txt"
    last = review_by(product)
    day_after = last + dt.timedelta(days=1)
    args = ["render", str(product), "--market", "AT", "-o", str(out)]
    result = runner.invoke(main, [*args, "--as-of", day_after.isoformat()], obj=clock(last))
    assert result.exit_code == 1
    assert result.output == (f"{product}:{line_of(product, '<review-by>')}:3: review-by {last}"
                             f" has passed (as of {day_after}): re-verify against the current"
                             " SmPC\n")
    assert not out.exists()
    # Without --as-of the day comes from the clock: the last valid day still renders ...
    result = runner.invoke(main, args, obj=clock(last))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("Fachkurzinformation")
    # ... and the day after does not.
    assert runner.invoke(main, args, obj=clock(day_after)).exit_code == 1


def test_render_refuses_only_for_the_market_whose_authorisation_expired(
        runner: CliRunner, mixed: Path) -> None:
    gb = mixed / "products" / "gb-authorisation-ends-leap-day.xml"
    edit(gb, "<review-by>2027-12-31</review-by>", "<review-by>2029-12-31</review-by>")
    result = runner.invoke(main, ["render", str(gb), "--market", "GB", "--as-of", "2028-03-01"],
                           obj=clock(dt.date(2026, 11, 25)))
    assert result.exit_code == 1
    assert "valid-until 2028-02-29 of marketing authorisation PLGB 00057/1690 has passed" in \
        result.output
    result = runner.invoke(main, ["render", str(gb), "--market", "IE", "--as-of", "2028-03-01"],
                           obj=clock(dt.date(2026, 11, 25)))
    assert result.exit_code == 0, result.output


def test_build_refuses_an_expired_summary(runner: CliRunner, portfolio: Path,
                                          tmp_path: Path) -> None:
    product = portfolio / "products" / "besponsa.xml"
    out = tmp_path / "out"
    day_after = review_by(product) + dt.timedelta(days=1)
    result = runner.invoke(main, ["build", str(portfolio), "-o", str(out), "--jobs", "1",
                                  "--as-of", day_after.isoformat()], obj=clock(day_after))
    assert result.exit_code == 1
    assert f"review-by {review_by(product)} has passed (as of {day_after})" in result.output
    assert sorted(p.suffix for p in out.rglob("*") if p.is_file()) == [".json"]  # manifest


def test_a_broken_catalog_is_a_finding_not_the_end(runner: CliRunner, portfolio: Path) -> None:
    po = po_path(portfolio)
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("\nmsgstr ", "\nmsgstr= ", 1), encoding="utf-8")
    if shutil.which("msgfmt") is not None:  # GNU gettext agrees the catalog is broken
        gnu = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                             capture_output=True, text=True, check=False)
        assert gnu.returncode != 0
    shutil.copy(CHECK_DATA / "gb-authorisation-ends-leap-day.xml", portfolio / "products")
    result = check(runner, portfolio, "--format", "json")
    assert result.exit_code == 1
    data = read_report(result.stdout, "check")
    broken = [(f["market"], Path(f["path"]).name) for f in data["items"]
              if f["path"] == str(po)]
    assert broken == [("AT", "besponsa.po"), ("DE", "besponsa.po")]
    assert data["summary"]["files"] == 2  # the other product was still checked
