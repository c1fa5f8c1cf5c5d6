"""ATC codes the WHO has changed: the shipped table, a portfolio's own, the rule and its policy."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError, Severity
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from smpc_manager.rules import alterations_for, atc_findings, shipped_alterations
from smpc_manager.rules.atc import ALTERATIONS_FILE, parse_alterations
from tests.conftest import EXAMPLE
from tests.reports import read_report

D = dt.date


def test_the_shipped_table_holds_the_2022_move_of_the_monoclonal_antibodies() -> None:
    table = shipped_alterations()
    (change,) = table.changes("L01XC26", D(2022, 1, 1))
    assert (change.new, change.substance, change.start) == ("L01FB01", "inotuzumab ozogamicin",
                                                            D(2022, 1, 1))
    assert change.source.startswith("https://www.whocc.no/")
    assert table.changes("L01XC26", D(2021, 12, 31)) == ()
    # every L01XC code listed moved into L01F, none elsewhere
    text = ALTERATIONS_FILE.read_text(encoding="utf-8")
    moved = re.findall(r'previous = "(L01XC\d\d)", new = "([A-Z0-9]+)"', text)
    assert len(moved) >= 20
    assert all(new.startswith("L01F") for _, new in moved)


def test_every_shipped_group_says_where_it_is_published() -> None:
    data = tomllib.loads(ALTERATIONS_FILE.read_text(encoding="utf-8"))
    for group in data["atc-alterations"]:
        assert group["source"].startswith("https://")
        assert (group["from"].month, group["from"].day) == (1, 1)  # the Index of 1 January
    assert len(shipped_alterations()) == sum(len(g["codes"]) for g in data["atc-alterations"])


def test_a_code_changed_twice_names_the_code_of_today() -> None:
    table = parse_alterations(
        '[[atc-alterations]]\nfrom = 2020-01-01\nsource = "https://a"\n'
        'codes = [{ previous = "A01AA01", new = "A01AB01", substance = "x" }]\n'
        '[[atc-alterations]]\nfrom = 2023-01-01\nsource = "https://b"\n'
        'codes = [{ previous = "A01AB01", new = "A01AC01", substance = "x" },\n'
        '         { previous = "A01AC01", new = "A01AA01", substance = "x" }]\n', "t.toml")
    assert [c.new for c in table.changes("A01AA01", D(2022, 6, 1))] == ["A01AB01"]
    # a cycle ends where it began
    assert [c.new for c in table.changes("A01AA01", D(2023, 1, 1))] == ["A01AB01", "A01AC01"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[atc-alterations]]\nfrom = "2022"\nsource = "s"\n'
         'codes = [{ previous = "L01XC26", new = "L01FB01", substance = "x" }]\n',
         "t.toml:1: atc-alterations: from must be the day the alterations took effect"),
        ('[[atc-alterations]]\nfrom = 2022-01-01\nsource = "s"\n'
         'codes = [\n  { previous = "L01XC26", new = "L1FB01", substance = "x" },\n]\n',
         "t.toml:5: atc-alterations: 'L1FB01' is not an ATC code"),
        ('[[atc-alterations]]\nfrom = 2022-01-01\nsource = "s"\nlink = "x"\n'
         'codes = [{ previous = "L01XC26", new = "L01FB01", substance = "x" }]\n',
         "t.toml:1: atc-alterations: unknown key 'link'"),
        ('[[atc-alterations]]\nfrom = 2022-01-01\nsource = "s"\n'
         'codes = [{ previous = "L01XC26", new = "L01FB01" }]\n',
         "t.toml:4: atc-alterations: each of codes must be { previous = …, new = …, substance"),
        ('[[atc-alterations]]\nfrom = 2022-01-01\nsource = "s"\n'
         'codes = [{ previous = "L01XC26", new = "L01FB01", substance = "x" },\n'
         '         { previous = "L01XC26", new = "L01FB02", substance = "x" }]\n',
         "t.toml:4: atc-alterations: L01XC26 is altered twice"),
    ],
)
def test_a_bad_table_is_refused_naming_its_line(text: str, message: str) -> None:
    with pytest.raises(ProblemsError) as caught:
        parse_alterations(text, "t.toml")
    assert any(line.startswith(message) for line in caught.value.lines()), caught.value.lines()


def test_the_finding_names_the_new_code_and_the_source() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    (finding,) = atc_findings(product, shipped_alterations(), D(2026, 11, 25))
    assert finding.severity is Severity.WARNING
    assert (finding.field, finding.location) == ("atc-code", product.atc_code.location)
    assert "L01FB01 from 2022-01-01 (https://www.whocc.no/" in finding.message
    assert atc_findings(product, shipped_alterations(), D(2021, 12, 31)) == []


def _portfolio(root: Path, extra: str) -> None:
    config = root / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_policy_makes_it_an_error(portfolio: Path, runner: CliRunner) -> None:
    _portfolio(portfolio, "")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "warn-days = 90", 'warn-days = 90\natc-code-changed = "error"'), encoding="utf-8")
    result = runner.invoke(main, ["check", str(portfolio), "--as-of", "2026-11-25",
                                  "--format", "json"])
    assert result.exit_code == 1
    (item,) = [i for i in read_report(result.stdout, "check")["items"]
               if i["rule"] == "atc-code-changed"]
    assert item["severity"] == "error"


def test_a_bad_policy_value_is_refused(portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "warn-days = 90", 'warn-days = 90\natc-code-changed = "fatal"'), encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_portfolio(portfolio)
    assert "policy.atc-code-changed must be one of warning, error, found 'fatal'" in \
        str(caught.value)


def test_a_portfolio_adds_and_replaces_alterations(portfolio: Path, runner: CliRunner) -> None:
    _portfolio(portfolio, '\n[[atc-alterations]]\nfrom = 2023-01-01\nsource = "our list"\n'
                          'codes = [\n'
                          '  { previous = "L01XC26", new = "L01FB09", substance = "ours" },\n'
                          '  { previous = "L04AE02", new = "L04AE99", substance = "ozanimod" },\n'
                          ']\n')
    table = alterations_for(load_portfolio(portfolio))
    (change,) = table.changes("L01XC26", D(2023, 1, 1))
    assert (change.new, change.source) == ("L01FB09", "our list")
    assert table.changes("L01XC26", D(2022, 6, 1)) == ()  # the portfolio's replaces WHO's
    assert len(table) == len(shipped_alterations()) + 1
    result = runner.invoke(main, ["check", str(portfolio / "products" / "besponsa.xml"),
                                  "--as-of", "2026-11-25"])
    assert "is L01FB09 from 2023-01-01 (our list)" in result.output


def test_a_bad_portfolio_table_stops_the_check(portfolio: Path, runner: CliRunner) -> None:
    _portfolio(portfolio, '\n[[atc-alterations]]\nfrom = 2023-01-01\nsource = "x"\n'
                          'codes = [{ previous = "L01XC26", new = "nope", substance = "x" }]\n')
    result = runner.invoke(main, ["check", str(portfolio)])
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(
        (portfolio / "smpc.toml").read_text(encoding="utf-8").splitlines(), 1)
        if "nope" in text)
    assert f"smpc.toml:{line}: atc-alterations: 'nope' is not an ATC code" in result.output
