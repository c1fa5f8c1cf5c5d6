"""smpc impact: two versions of an SmPC compared section by section, and what the new one
changes in a portfolio (fields and markets, outputs, catalog entries)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner, Result

from smpc_manager.builder import BuildOptions, build
from smpc_manager.cli import main
from smpc_manager.portfolio import load_portfolio
from tests.reports import read_report

GERMAN = Path("sources") / "besponsa" / "de.xml"
ENGLISH = Path("sources") / "besponsa" / "en.xml"


def version(portfolio: Path, source: Path, tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A new version of the portfolio's SmPC ``source``, with ``edits`` made."""
    text = (portfolio / source).read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"new-{source.name}"
    path.write_text(text, encoding="utf-8")
    return path


def impact(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(main, ["impact", *map(str, args)])


def test_a_new_german_smpc_touches_what_the_german_texts_print(
        runner: CliRunner, portfolio: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(load_portfolio(portfolio), BuildOptions(out, dt.date(2026, 12, 1))).ok
    new = version(portfolio, GERMAN, tmp_path,
                  ("<li>Tromethamin</li>", "<li>Trometamol</li>"),
                  ("<p>Februar 2022</p>", "<p>März 2023</p>"))
    head, overdose, rest = new.read_text(encoding="utf-8").partition("4.9 Überdosierung")
    new.write_text(head + overdose + rest.replace("nicht wiedergegeben", "nicht gezeigt", 1),
                   encoding="utf-8")
    result = impact(runner, portfolio / GERMAN, new, "-o", out, "--format", "json")
    assert result.exit_code == 1, result.output
    data = read_report(result.stdout, "impact")
    assert data["summary"]["products"] == ["besponsa"]
    assert data["summary"]["affected"] is True
    sections = {i["section"]: i for i in data["items"]}
    assert set(sections) == {"4.9", "6.1", "10"}
    excipients = sections["6.1"]
    assert (excipients["section_code"], excipients["change"], excipients["diff"]) == (
        "200000029837", "changed", "Sucrose Polysorbat 80 Natriumchlorid"
                                   " [-Tromethamin-]{+Trometamol+}")
    # The German SmPC is the German markets' text: IE's English is not touched.
    assert [(p["field"], p["market"], p["relation"]) for p in excipients["printed"]] == [
        ("excipients", "AT", "verbatim"), ("excipients", "DE", "consistent")]
    assert excipients["outputs"] == ["AT/de_AT/besponsa.txt", "DE/de_DE/besponsa.txt"]
    (entry,) = excipients["entries"]
    assert (entry["path"], entry["context"], entry["msgid"], entry["becomes"]) == (
        "locales/de/LC_MESSAGES/besponsa.po", "excipients", "Trometamol", "revise")
    # A section no market prints changed: reported, with nothing printed.
    assert (sections["4.9"]["printed"], sections["4.9"]["outputs"]) == ([], [])
    assert [p["field"] for p in sections["10"]["printed"]] == ["revision-date"] * 2


def test_text_names_each_section_and_what_it_touches(runner: CliRunner, portfolio: Path,
                                                     tmp_path: Path) -> None:
    new = version(portfolio, GERMAN, tmp_path, ("<li>Tromethamin</li>", "<li>Trometamol</li>"))
    result = impact(runner, portfolio / GERMAN, new)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{new}:")
    assert lines[0].endswith(": §6.1 List of excipients (200000029837) changed: Sucrose"
                             " Polysorbat 80 Natriumchlorid [-Tromethamin-]{+Trometamol+}")
    assert "  printed: besponsa excipients in AT (verbatim)" in lines
    assert any(line.endswith(': excipients "Trometamol": translation to revise')
               for line in lines)
    assert result.stderr.endswith("1 section changed, printed in 2 markets of 1 product;"
                                  " 0 outputs, 1 catalog entry affected\n")


def test_a_new_english_smpc_touches_every_market_and_makes_entries_fuzzy(
        runner: CliRunner, portfolio: Path, tmp_path: Path) -> None:
    new = version(portfolio, ENGLISH, tmp_path,
                  ("or ongoing venoocclusive liver disease", "or ongoing veno-occlusive liver"
                                                          " disease"))
    result = impact(runner, portfolio / ENGLISH, new, "--format", "json")
    assert result.exit_code == 1
    (section,) = read_report(result.stdout, "impact")["items"]
    assert (section["section"], section["section_code"]) == ("4.3", "200000029805")
    assert [p["market"] for p in section["printed"]] == ["AT", "DE", "IE"]
    (entry,) = section["entries"]
    assert (entry["context"], entry["becomes"]) == ("contraindications", "fuzzy")
    assert entry["msgid"].startswith("Patients who have experienced prior confirmed")


def test_nothing_printed_changed(runner: CliRunner, portfolio: Path, tmp_path: Path) -> None:
    same = version(portfolio, GERMAN, tmp_path)
    result = impact(runner, portfolio / GERMAN, same)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.endswith(": no section changed\n")
    # an SmPC no product of the portfolio keeps: what changed, and nothing printed
    other = tmp_path / "other.xml"
    other.write_bytes((portfolio / GERMAN).read_bytes().replace(b"EXAMPLE/besponsa/de",
                                                                b"elsewhere"))
    changed = version(portfolio, GERMAN, tmp_path, ("<li>Tromethamin</li>", "<li>X</li>"))
    result = impact(runner, other, changed, "--portfolio", portfolio, "--format", "json")
    assert result.exit_code == 0
    data = read_report(result.stdout, "impact")
    assert (data["summary"]["products"], data["summary"]["affected"]) == ([], False)
    assert [i["section"] for i in data["items"]] == ["6.1"]


def test_two_languages_are_not_two_versions(runner: CliRunner, portfolio: Path) -> None:
    result = impact(runner, portfolio / GERMAN, portfolio / ENGLISH)
    assert result.exit_code == 1
    assert "is the SmPC in en" in result.output
