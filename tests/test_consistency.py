"""The SmPC as the source of truth: smpc check holds a product to its approved SmPCs (what a
market prints word for word, the date of revision, the sources themselves), and a build
records the SmPC each output stands on."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.builder import MANIFEST_FILE, BuildOptions, build
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError
from smpc_manager.markets import VERBATIM_FIELDS, load_profile, parse_profile
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from smpc_manager.render import Renderer, printed_messages
from smpc_manager.sources import (
    closest,
    compare_documents,
    contains,
    normalise,
    parse_epi,
    plain,
    read_epi,
    word_diff,
)
from tests.conftest import EXAMPLE
from tests.reports import read_report

DAY = "2026-12-01"
SOURCE = Path("sources") / "besponsa" / "de.xml"


def findings(runner: CliRunner, root: Path, *args: str) -> list[dict[str, object]]:
    """The findings of check about the SmPC."""
    result = runner.invoke(main, ["check", str(root), "--as-of", DAY, "--format", "json",
                                  *args])
    return [i for i in read_report(result.stdout, "check")["items"]
            if str(i["rule"]).startswith("smpc-")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# ------------------------------------------------------------------------ the example


def test_the_example_stands_on_its_smpcs(runner: CliRunner) -> None:
    assert findings(runner, EXAMPLE) == []
    result = runner.invoke(main, ["validate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0
    assert read_report(result.stdout, "validate")["items"] == []


def test_the_example_sources_are_the_smpcs_of_its_texts() -> None:
    for lang in ("en", "de"):
        epi = read_epi(EXAMPLE / "sources" / "besponsa" / f"{lang}.xml")
        assert epi.smpc is not None
        assert (epi.format, epi.smpc.lang, epi.findings) == ("xml", lang, ())


@pytest.mark.parametrize(
    ("old", "new", "field", "section", "code", "diff"),
    [
        ("enthält 1 ml Lösung 0,25 mg", "enthält 1 ml Lösung 0,5 mg", "composition", "2",
         "200000029793", "[-0,5-]{+0,25+}"),
        ("<li>Tromethamin</li>", "<li>Trometamol</li>", "excipients", "6.1", "200000029837",
         "[-Trometamol-]{+Tromethamin+}"),
        ("indiziert als Monotherapie", "indiziert als Kombinationstherapie", "indications",
         "4.1", "200000029799", "[-Kombinationstherapie-]{+Monotherapie+}"),
        ("(z. B. Leberzirrhose,", "(z. B. Zirrhose,", "contraindications", "4.3",
         "200000029805", "[-Zirrhose,-]{+Leberzirrhose,+}"),
    ],
)
def test_a_word_changed_in_the_german_smpc_is_an_error_for_austria(
        runner: CliRunner, portfolio: Path, old: str, new: str, field: str, section: str,
        code: str, diff: str) -> None:
    edit(portfolio / SOURCE, old, new)
    (found,) = findings(runner, portfolio)
    assert (found["rule"], found["severity"], found["field"], found["market"],
            found["locale"], found["section"], found["section_code"]) == (
        "smpc-verbatim", "error", field, "AT", "de_AT", section, code)
    assert diff in str(found["diff"])
    assert f"§{section} " in str(found["message"])
    assert code in str(found["message"])
    assert str(SOURCE) in str(found["message"])
    # The line is the product's message the text prints.
    assert found["path"] == str(portfolio / "products" / "besponsa.xml")
    result = runner.invoke(main, ["check", str(portfolio), "--as-of", DAY])
    assert result.exit_code == 1
    assert f"error: [AT de_AT] {field}: not word for word in §{section}" in result.output


def test_only_the_markets_printing_word_for_word_are_held_to_it(runner: CliRunner,
                                                                 portfolio: Path) -> None:
    edit(portfolio / SOURCE, "<li>Tromethamin</li>", "<li>Trometamol</li>")
    assert [f["market"] for f in findings(runner, portfolio)] == ["AT"]
    assert findings(runner, portfolio, "--market", "DE") == []
    # the English SmPC holds no market to its words: IE and GB are consistent with it
    edit(portfolio / "sources" / "besponsa" / "en.xml", "<li>Trometamol</li>",
         "<li>Tromethamine</li>")
    assert findings(runner, portfolio, "--market", "IE") == []


def test_whitespace_and_typographic_quotes_do_not_count(runner: CliRunner,
                                                        portfolio: Path) -> None:
    edit(portfolio / SOURCE, "Patienten mit schwerer bestehender Lebererkrankung (z. B.",
         "Patienten\u00a0mit schwerer\n      bestehender Lebererkrankung (z.\u00a0B.")
    assert findings(runner, portfolio) == []


def test_a_section_the_smpc_lacks(runner: CliRunner, portfolio: Path) -> None:
    edit(portfolio / SOURCE, '<code value="200000029805"/>', '<code value="200000029999"/>')
    edit(portfolio / SOURCE, '<title value="4.3 Gegenanzeigen"/>', '<title value="Anmerkung"/>')
    (found,) = findings(runner, portfolio)
    assert (found["field"], found["section"]) == ("contraindications", "4.3")
    assert "does not have" in str(found["message"])


def test_an_smpc_revised_after_the_product_is_an_error(runner: CliRunner,
                                                       portfolio: Path) -> None:
    edit(portfolio / SOURCE, "<p>Februar 2022</p>", "<p>14. Februar 2022</p>")
    assert findings(runner, portfolio) == []  # the same month
    edit(portfolio / SOURCE, "<p>14. Februar 2022</p>", "<p>März 2023</p>")
    (found,) = findings(runner, portfolio)
    assert (found["rule"], found["severity"], found["field"], found["date"],
            found["section"]) == ("smpc-revised", "error", "revision-date", "2023-03", "10")
    assert str(found["message"]).startswith("the SmPC was revised on März 2023 (")


def test_a_source_that_cannot_be_read(runner: CliRunner, portfolio: Path) -> None:
    (portfolio / SOURCE).write_text("<Bundle xmlns='http://hl7.org/fhir'><type", "utf-8")
    (found,) = findings(runner, portfolio)
    assert (found["rule"], found["severity"]) == ("smpc-source", "error")
    assert str(found["path"]).endswith("de.xml")


def test_no_smpc_in_the_language_of_a_market_printing_word_for_word(
        runner: CliRunner, portfolio: Path) -> None:
    (portfolio / SOURCE).unlink()
    (found,) = findings(runner, portfolio)
    assert (found["rule"], found["severity"], found["market"]) == ("smpc-source", "warning",
                                                                   "AT")
    assert "no SmPC in de_AT" in str(found["message"])


def test_a_product_without_sources_is_not_held_to_any(runner: CliRunner,
                                                      portfolio: Path) -> None:
    shutil.rmtree(portfolio / "sources")
    edit(portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po", '"Tromethamin"',
         '"Trometamol"')
    assert findings(runner, portfolio) == []


# ------------------------------------------------------------------------ profiles


@pytest.mark.parametrize(
    ("element", "words"),
    [
        ('field = "marketing-authorisation-holder"\nsmpc = "verbatim"',
         "field 'marketing-authorisation-holder' is composed"),
        ('field = "composition"\nsmpc = "word for word"', "smpc = 'word for word' relates"),
        ('field = "packs"\nsmpc = "consistent"', "smpc = 'consistent' relates"),
    ],
)
def test_a_profile_key_that_does_not_fit_is_refused(element: str, words: str) -> None:
    text = f'locale = "de_AT"\ntitle = "T"\n[[element]]\n{element}\n'
    with pytest.raises(ProblemsError) as caught:
        parse_profile(text.encode(), "xx.toml", "XX")
    (line,) = caught.value.lines()
    assert line.startswith("xx.toml:5: element 1: ")
    assert words in line


def test_austria_prints_the_four_sections_of_section_42_in_full() -> None:
    assert load_profile("AT").verbatim_fields() == (
        "composition", "excipients", "indications", "contraindications")
    assert all(load_profile(m).verbatim_fields() == () for m in ("DE", "IE", "GB"))


def test_every_verbatim_field_names_the_messages_it_prints() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    for field in VERBATIM_FIELDS:
        assert isinstance(printed_messages(product, field), tuple)
    assert [t.source for t in printed_messages(product, "excipients")] == [
        "Sucrose", "Polysorbate 80", "Sodium chloride", "Trometamol"]


def test_the_renderer_gives_the_printed_messages_in_the_markets_language() -> None:
    renderer = Renderer(load_portfolio(EXAMPLE))
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    printed = renderer.printed(product, "AT", ["excipients", "composition"])
    assert [t for _, t in printed["excipients"]] == [
        "Sucrose", "Polysorbat 80", "Natriumchlorid", "Tromethamin"]
    assert next(t for _, t in printed["composition"]) == \
        "Jede Durchstechflasche enthält 1 mg Inotuzumab Ozogamicin."


# ------------------------------------------------------------------------ the record


def test_the_build_records_the_smpc_of_the_outputs_it_gates(portfolio: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = BuildOptions(out, dt.date(2026, 12, 1), formats=("text", "json"))
    assert build(load_portfolio(portfolio), options).ok
    outputs = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["outputs"]
    named = str(SOURCE)
    assert named in outputs["AT/de_AT/besponsa.txt"]["inputs"]
    assert named not in outputs["DE/de_DE/besponsa.txt"]["inputs"]
    rendered = json.loads((out / "AT" / "de_AT" / "besponsa.json").read_text("utf-8"))
    assert named in rendered["inputs"]
    # A new version of the SmPC makes the outputs that stand on it stale, and those only.
    edit(portfolio / SOURCE, "<p>Februar 2022</p>", "<p>14. Februar 2022</p>")
    again = build(load_portfolio(portfolio), options)
    assert again.ok
    assert again.built == 2  # AT's text and JSON
    assert again.unchanged == len(outputs) - 2


# ------------------------------------------------------------------------ comparing texts


def test_the_comparison_normalises_what_people_do_not_read() -> None:
    assert normalise("„Verum“\u00a0 und\nPlacebo\u00ad") == '"Verum" und Placebo'
    assert plain("1.8 mg/m<sup>2</sup> &amp; more") == "1.8 mg/m² & more"
    assert contains("Sucrose Polysorbat 80 Natriumchlorid", "Polysorbat 80")
    assert not contains("Natriumchlorid", "Natrium")
    assert contains("(VOD/SOS).", "(VOD/SOS)")


def test_a_word_diff_shows_what_changed_and_some_words_around_it() -> None:
    old = " ".join(f"w{i}" for i in range(30))
    new = old.replace("w15", "x15")
    assert word_diff(old, new) == "… w9 w10 w11 w12 w13 w14 [-w15-]{+x15+} w16 w17 w18 w19" \
                                  " w20 w21 …"
    assert word_diff("a b", "a b c", context=None) == "a b {+c+}"


def test_versions_are_compared_section_by_section() -> None:
    data = (EXAMPLE / SOURCE).read_bytes()
    new = data.replace(b"<li>Tromethamin</li>", b"<li>Trometamol</li>").replace(
        b"<p>Februar 2022</p>", b"<p>M\xc3\xa4rz 2023</p>")
    old_smpc, new_smpc = parse_epi(data, "old.xml").smpc, parse_epi(new, "new.xml").smpc
    assert old_smpc is not None
    assert new_smpc is not None
    changes = compare_documents(old_smpc, new_smpc)
    assert [(c.key, c.code, c.kind, c.diff) for c in changes] == [
        ("6.1", "200000029837", "changed", "Sucrose Polysorbat 80 Natriumchlorid"
                                           " [-Tromethamin-]{+Trometamol+}"),
        ("10", "200000029847", "changed", "[-Februar 2022-]{+März 2023+}"),
    ]
    assert compare_documents(old_smpc, old_smpc) == []
    excipients = old_smpc.section("6.1")
    assert excipients is not None
    assert closest(excipients.blocks, "Trometamol") == "Tromethamin"
