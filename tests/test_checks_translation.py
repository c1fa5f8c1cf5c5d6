"""``smpc check`` and ``smpc stats`` name the translation check that fails, in text and in
JSON; the portfolio's untranslatable terms reach every command that checks translations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.catalogs import read_catalog, write_catalog
from smpc_manager.cli import main
from tests.reports import read_report

PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"
AS_OF = "2026-11-25"
TREATMENT = "treatment of adults with relapsed or refractory"


def smpc(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def translate_again(portfolio: Path, english: str, change: Callable[[str], str]) -> None:
    """Change the German of the message whose English has ``english`` in it."""
    path = portfolio / PO
    catalog = read_catalog(path)
    (message,) = [m for m in catalog if m.id and english in str(m.id)]
    message.string = change(str(message.string))
    write_catalog(path, catalog)


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) == 1, text
        return text.replace(old, new)
    return change


def swap_quantities(portfolio: Path) -> None:
    """1 mL of solution contains 0.25 mg: the German with the two numbers exchanged."""
    translate_again(portfolio, "1 mL of solution contains 0.25 mg",
                    replace("1 ml Lösung 0,25 mg", "0,25 ml Lösung 1 mg"))


def leave_english(portfolio: Path) -> None:
    translate_again(portfolio, "BESPONSA is indicated as monotherapy",
                    lambda german: f"{german} (for the {TREATMENT} disease)")


CASES = {
    "numbers": (swap_quantities, "1 mL in the English is 1 mg in the translation"),
    "untranslated-sentence": (leave_english, "9 words of the English are left as they are"),
}


@pytest.mark.parametrize("check", sorted(CASES))
def test_check_names_the_failing_check(runner: CliRunner, portfolio: Path, check: str) -> None:
    spoil, reason = CASES[check]
    spoil(portfolio)
    result = smpc(runner, "check", portfolio, "--market", "AT", "--as-of", AS_OF)
    assert result.exit_code == 1
    (line,) = [x for x in result.output.splitlines() if "failed in de_AT" in x]
    assert reason in line
    assert line.endswith(f" [{check}]")

    result = smpc(runner, "check", portfolio, "--as-of", AS_OF, "--format", "json")
    items = [f for f in read_report(result.stdout, "check")["items"]
             if f["severity"] == "error"]  # (the example's ATC code is warned of besides)
    assert [(f["market"], f["checks"]) for f in items] == [("AT", [check]), ("DE", [check])]
    assert all(f["rule"] == "translation" and f["message"].endswith(f"[{check}]")
               for f in items)


@pytest.mark.parametrize("check", sorted(CASES))
def test_stats_names_the_failing_check(runner: CliRunner, portfolio: Path, check: str) -> None:
    spoil, reason = CASES[check]
    spoil(portfolio)
    result = smpc(runner, "stats", portfolio)
    assert result.exit_code == 0
    assert f"19/20 translated, 0 fuzzy, 0 untranslated, 1 failing checks ({check})," in \
        result.stdout
    (gap,) = [x for x in result.stdout.splitlines() if ": failed: " in x]
    assert reason in gap
    assert gap.endswith(f" [{check}]")

    data = read_report(smpc(runner, "stats", portfolio, "--format", "json").stdout, "stats")
    (record,) = data["items"]
    assert record["checks"] == data["summary"]["checks"] == {check: 1}
    (gap_record,) = record["gaps"]
    assert (gap_record["status"], gap_record["checks"]) == ("failed", [check])


def test_missing_and_fuzzy_findings_name_no_check(runner: CliRunner, portfolio: Path) -> None:
    path = portfolio / PO
    catalog = read_catalog(path)
    (message,) = [m for m in catalog if m.id and "BESPONSA is indicated" in str(m.id)]
    message.flags.add("fuzzy")
    write_catalog(path, catalog)
    result = smpc(runner, "check", portfolio, "--market", "DE", "--as-of", AS_OF, "--format",
                  "json")
    (finding,) = [f for f in read_report(result.stdout, "check")["items"]
                  if f["severity"] == "error"]
    assert (finding["rule"], finding["checks"]) == ("translation", [])


def test_the_portfolios_untranslatable_terms_reach_every_command(runner: CliRunner,
                                                                portfolio: Path) -> None:
    leave_english(portfolio)
    # In Germany: Austria also holds the indications to the German SmPC word for word, which
    # the English words added are not in.
    assert smpc(runner, "check", portfolio, "--market", "DE", "--as-of", AS_OF).exit_code == 1
    settings = portfolio / "smpc.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + f'\n[translation]\nuntranslatable = ["{TREATMENT}"]\n',
                        encoding="utf-8")
    checked = smpc(runner, "check", portfolio, "--market", "DE", "--as-of", AS_OF)
    assert checked.exit_code == 0, checked.output
    stats = smpc(runner, "stats", portfolio)
    assert "20/20 translated" in stats.stdout
    compiled = smpc(runner, "compile", portfolio)
    assert compiled.output == "1 catalog compiled: 20 messages, 0 left out\n"
    rendered = smpc(runner, "render", portfolio / "products" / "besponsa.xml", "--market",
                    "AT", "--as-of", AS_OF)
    assert rendered.exit_code == 0
    assert TREATMENT in rendered.stdout


def test_the_example_passes_every_check(runner: CliRunner, portfolio: Path) -> None:
    assert smpc(runner, "check", portfolio, "--as-of", AS_OF).exit_code == 0
    data = read_report(smpc(runner, "stats", portfolio, "--format", "json").stdout, "stats")
    assert data["summary"]["checks"] == {}
