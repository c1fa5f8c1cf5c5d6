"""Rendering schema 2: the common shapes of ``tests/data/valid-v2`` in each market that has
data for them, whole against goldens and by the shapes each market prints (every strength on
the name line, a composition per presentation, excipients in their groups, prices and
numbers per pack, parties per market, the full ▼ statement); and a market a product lacks
data for, refused in one line.

Run ``pytest --update-goldens`` to rewrite the files under ``tests/golden/v2/`` after an
intended change; review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.builder import valid_window
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError
from smpc_manager.model import Product
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from smpc_manager.render import EXTENSIONS, Renderer

from .conftest import DATA, Goldens

VALID = DATA / "valid-v2"
CATALOGS = DATA / "valid-v2-catalogs"
#: The day the texts read as of: every valid-v2 file's dates are good on it.
DAY = dt.date(2026, 6, 1)


def _portfolio(tmp_path: Path, stem: str, edit: Callable[[str], str] = str
               ) -> tuple[Renderer, Product]:
    """A portfolio of the one valid-v2 file ``stem`` (changed by ``edit``), with its German
    catalog where there is one, and a renderer whose clock says :data:`DAY`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / stem
    (root / "products").mkdir(parents=True)
    (root / "smpc.toml").write_text('source-locale = "en"\n', encoding="utf-8")
    (root / "products" / f"{stem}.xml").write_text(
        edit((VALID / f"{stem}.xml").read_text(encoding="utf-8")), encoding="utf-8")
    for catalog in CATALOGS.glob(f"*/{stem}.po"):
        folder = root / "locales" / catalog.parent.name / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(catalog, folder)
    product = load_product(root / "products" / f"{stem}.xml")
    return Renderer(load_portfolio(root), clock=lambda: DAY), product


def _problems(renderer: Renderer, product: Product, market: str, locale: str | None = None,
              day: dt.date = DAY) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, market, locale, as_of=day)
    return [re.sub(r"^.*?/products/", "products/", line) for line in caught.value.lines()]


# ------------------------------------------------------------------------ goldens

#: (file, market, locale): German where the file has a German catalog or is German itself,
#: else the English preview of a German market's profile.
CASES = [
    ("capsules-three-strengths", "AT", None),
    ("capsules-three-strengths", "DE", None),
    ("capsules-three-strengths", "IE", None),
    ("capsules-three-strengths", "GB", None),
    ("combination-tablets", "DE", "en"),
    ("injection-with-solvent", "IE", None),
    ("additional-monitoring", "AT", "en"),
    ("additional-monitoring", "DE", "en"),
    ("additional-monitoring", "GB", None),
]


def _name(stem: str, market: str, locale: str | None) -> str:
    return f"v2/{stem}-{market}{'-' + locale if locale else ''}"


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize(("stem", "market", "locale"), CASES,
                         ids=[_name(*case)[3:] for case in CASES])
def test_golden(tmp_path: Path, stem: str, market: str, locale: str | None, fmt: str,
                goldens: Goldens) -> None:
    renderer, product = _portfolio(tmp_path, stem)
    rendering = renderer.render(product, market, locale, fmt, as_of=DAY)
    goldens.check(f"{_name(stem, market, locale)}.{EXTENSIONS[fmt]}", rendering.content)


def _text(tmp_path: Path, stem: str, market: str, locale: str | None = None,
          day: dt.date = DAY) -> str:
    renderer, product = _portfolio(tmp_path, stem)
    return renderer.render(product, market, locale, as_of=day).content


# ------------------------------------------------------------------------ the shapes


def test_the_german_markets_print_every_strength_and_the_excipients_by_group(
        tmp_path: Path) -> None:
    for market in ("AT", "DE"):
        lines = _text(tmp_path / market, "capsules-three-strengths", market).splitlines()
        assert lines[2] == "EXAMPLIMOD 0,25 mg/0,5 mg/1 mg Hartkapseln"
        composition = lines[3]
        for strength in ("0,25 mg: Jede Hartkapsel", "0,5 mg: Jede Hartkapsel",
                         "1 mg: Jede Hartkapsel"):
            assert strength in composition
        excipients = next(line for line in lines if "Kapselinhalt" in line)
        assert ("Kapselinhalt: Lactose-Monohydrat, Magnesiumstearat; Kapselhülle: Gelatine,"
                " Titandioxid (E 171), Eisen(III)-hydroxid-oxid (E 172) (nur 0,5 mg und 1 mg),"
                " Eisen(III)-oxid (E 172) (nur 1 mg); Drucktinte: Schellack (E 904),"
                " Eisen(II,III)-oxid (E 172).") in excipients
        indications = next(line for line in lines if line.startswith("Anwendungsgebiete:"))
        assert indications.startswith("Anwendungsgebiete: Multiple Sklerose: EXAMPLIMOD")
        assert " Colitis ulcerosa: EXAMPLIMOD" in indications


def test_germany_prints_the_leaflets_side_effects_and_the_labels_warnings(
        tmp_path: Path) -> None:
    text = _text(tmp_path, "capsules-three-strengths", "DE")
    assert "Nebenwirkungen: Sehr häufig: verminderte Anzahl weißer Blutkörperchen" in text
    assert "Warnhinweise: Enthält Lactose." in text
    # the SmPC's 4.8 and 4.4 are the English prescribing information's
    assert "Lymphopenie" not in text
    assert "Herzfrequenz" not in text


def test_great_britain_prices_each_pack_and_names_its_own_parties(tmp_path: Path) -> None:
    lines = _text(tmp_path, "capsules-three-strengths", "GB").splitlines()
    assert lines[2] == "EXAMPLIMOD UK 0.25 mg/0.5 mg/1 mg hard capsules"
    assert ("Cost excluding VAT: 0.25 mg: £123.45 per 28 hard capsules (from 1 January"
            " 2026); 0.5 mg: £246.90 per 28 hard capsules (from 1 January 2026); 1 mg:"
            " £493.80 per 28 hard capsules.") in lines
    assert ("Marketing authorisation numbers: PLGB 00000/0001 (0.25 mg); PLGB 00000/0002"
            " (0.5 mg); PLGB 00000/0003 (1 mg).") in lines
    assert ("Marketing authorisation holder: Example Pharma UK Ltd, 1 Example Road,"
            " Sandwich CT13 9NJ, United Kingdom.") in lines
    assert lines[-2].endswith("Adverse events should also be reported to Example Pharma UK"
                              " Ltd.")
    assert lines[-1] == "Date of revision: January 2026."  # the prescribing information's
    effects = next(line for line in lines if line.startswith("Undesirable effects:"))
    assert effects.endswith("Prescribers should consult the SmPC in relation to other"
                            " adverse reactions.")


def test_the_price_printed_is_the_one_in_force_on_the_day(tmp_path: Path) -> None:
    earlier = _text(tmp_path, "capsules-three-strengths", "GB", day=dt.date(2025, 12, 1))
    cost = next(line for line in earlier.splitlines() if line.startswith("Cost"))
    # the 0.25 mg pack has no price yet; the 0.5 mg one its price of 2025
    assert cost == ("Cost excluding VAT: 0.5 mg: £230.00 per 28 hard capsules (from 1 January"
                    " 2025); 1 mg: £493.80 per 28 hard capsules.")


def test_a_build_renders_again_on_the_day_a_price_begins() -> None:
    product = load_product(VALID / "additional-monitoring.xml")
    before = dt.date(2025, 3, 15)
    assert valid_window(product, before, ["GB"])[1] == dt.date(2025, 3, 31)
    # the EU markets print no price: their texts do not change on that day
    assert valid_window(product, before, ["AT"])[1] != dt.date(2025, 3, 31)


def test_ireland_numbers_each_pack_and_names_the_company_to_report_to(tmp_path: Path) -> None:
    lines = _text(tmp_path, "capsules-three-strengths", "IE").splitlines()
    assert ("Marketing authorisation numbers: EU/1/20/0000/001 (0.25 mg, 28 hard capsules);"
            " EU/1/20/0000/002 (0.5 mg, 28 hard capsules); EU/1/20/0000/003 (1 mg, 28 hard"
            " capsules); EU/1/20/0000/004 (1 mg, 84 hard capsules).") in lines
    # a company name that ends with a point ends the sentence with it
    assert lines[-2].endswith("also be reported to Example Pharma Europe B.V.")
    injection = _text(tmp_path, "injection-with-solvent", "IE").splitlines()
    # one number: the label in the singular
    assert "Marketing authorisation number: EU/1/23/0000/001." in injection
    assert ("Further information is available from: Example Biologics Ireland Ltd, 1 Sample"
            " Street, Dublin, D02 XY00, Ireland, Tel.: +353 1 000 0000.") in injection
    assert injection[-2].endswith("Adverse events should also be reported to Example"
                                  " Biologics Ireland Ltd on +353 1 000 0001 or"
                                  " drugsafety.ie@example.com.")


def test_a_combination_prints_its_strengths_in_the_order_of_its_substances(
        tmp_path: Path) -> None:
    lines = _text(tmp_path, "combination-tablets", "DE", "en").splitlines()
    assert lines[2] == ("EXAMPLOCOMB 80 mg/12.5 mg, 160 mg/12.5 mg, 160 mg/25 mg film-coated"
                        " tablets")
    assert "160 mg/25 mg: Each film-coated tablet contains 160 mg examplosartan and 25 mg" \
        in lines[3]
    assert "Iron oxide red (E 172) (only 80 mg/12.5 mg and 160 mg/12.5 mg)" in lines[3]
    # a combination names no single "Wirkstoff"
    assert not any(line.startswith("Active substance:") for line in lines)


def test_a_product_in_german_renders_from_its_own_text(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "combination-as-printed", lambda xml: xml.replace(
        "  <revision-date>", '  <prescription-status market="AT">Rp</prescription-status>\n'
        "  <revision-date>"))
    lines = renderer.render(product, "AT", as_of=DAY).content.splitlines()
    assert lines[2] == "EXAMPLODUO 80 mg/5 mg Filmtabletten"
    assert lines[3] == ("Qualitative und quantitative Zusammensetzung: Jede Filmtablette"
                        " enthält 80 mg Examplosartan und 5 mg Amlodipin.")


def test_the_monitored_product_carries_the_whole_statement_and_its_categories(
        tmp_path: Path) -> None:
    gb = _text(tmp_path, "additional-monitoring", "GB").splitlines()
    assert gb[2] == ("▼ This medicinal product is subject to additional monitoring. This will"
                     " allow quick identification of new safety information. Healthcare"
                     " professionals are asked to report any suspected adverse reactions."
                     " See section 4.8 for how to report adverse reactions.")
    assert gb[3] == "EXAMPLIDOL RETARD 10 mg/20 mg prolonged-release tablets"
    assert "Legal category: POM. Schedule 2 controlled drug." in gb
    assert ("Marketing authorisation numbers: PLGB 00000/0100 (10 mg); PLGB 00000/0101"
            " (20 mg).") in gb
    assert gb[-2].endswith("also be reported to Example Pain Ltd on +44 1234 567890 or"
                           " https://www.example.com/report.")
    at = _text(tmp_path, "additional-monitoring", "AT", "en").splitlines()
    assert "Narcotic drug, dispensing on a narcotics prescription only." in at[-2]
    assert at[-1] == "Reimbursement status: Yellow box (RE2)."
    de = _text(tmp_path, "additional-monitoring", "DE", "en").splitlines()
    assert "Prescription only. Narcotic drug." in de


def test_html_and_json_carry_the_new_fields(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "additional-monitoring")
    data = json.loads(renderer.render(product, "GB", fmt="json", as_of=DAY).content)
    fields = [e["field"] for e in data["elements"]]
    assert fields[:2] == ["additional-monitoring", "name"]
    for field in ("precautions", "undesirable-effects", "controlled-drug", "cost",
                  "adverse-event-reporting", "prescribing-information-date"):
        assert field in fields
    page = renderer.render(product, "GB", fmt="html", as_of=DAY).content
    assert '<span class="part" data-field="controlled-drug">Schedule 2 controlled drug.' \
        in page


# ------------------------------------------------------------------------ bad input


def test_a_market_without_a_price_is_refused_in_one_line(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "capsules-three-strengths",
                                   lambda xml: re.sub(r"\s*<price [^>]*>[^<]*</price>", "", xml))
    assert _problems(renderer, product, "GB") == [
        "products/capsules-three-strengths.xml:5:1: cost: the GB profile requires a cost for GB"
        " (the price of a pack in force on 2026-06-01), and the product has none"]
    # Ireland prints no cost: the same product renders there
    assert renderer.render(product, "IE", as_of=DAY).content


def test_a_market_the_product_has_no_number_for_is_refused_in_one_line(
        tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "injection-with-solvent")
    assert _problems(renderer, product, "GB") == [
        "products/injection-with-solvent.xml:6:1: marketing-authorisation: the GB profile"
        " requires a marketing-authorisation covering GB, and the product has none"]


def test_a_code_the_market_does_not_know_is_refused_in_one_line(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "combination-tablets")
    assert _problems(renderer, product, "AT", "en") == [
        "products/combination-tablets.xml:97:3: prescription-status 'RP' is not a code of the"
        " AT profile (known: NR, Rp, RPF)"]


def test_german_without_a_catalog_is_refused_never_english(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "combination-tablets")
    assert _problems(renderer, product, "DE") == [
        "products/combination-tablets.xml:6:1: no de_DE catalog for combination-tablets:"
        " every message would be English (expected"
        " locales/de/LC_MESSAGES/combination-tablets.po; run smpc init)"]


def test_a_profile_without_the_presentation_note_says_so(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "capsules-three-strengths")
    root = renderer.portfolio.root
    config = root / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[profiles.CH]
locale = "en"
title = "Prescribing information"

[profiles.CH.prescription]
A = "Prescription only"

[[profiles.CH.element]]
field = "excipients"
label = "Excipients"
""", encoding="utf-8")
    problems = Renderer(load_portfolio(root), clock=lambda: DAY).problems(product, "CH")
    assert [p.message for p in problems] == [
        "the CH profile has no presentation-note to say that an excipient is in some"
        " presentations only"]


def test_several_numbers_take_the_plural_label_in_each_language(tmp_path: Path) -> None:
    renderer, product = _portfolio(tmp_path, "capsules-three-strengths")
    root = renderer.portfolio.root
    config = root / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[profiles.IE]
locale = "de"
title = "Prescribing information"

[[profiles.IE.element]]
field = "marketing-authorisation"
label = "Marketing authorisation number"
plural-label = "Marketing authorisation numbers"
""", encoding="utf-8")
    text = Renderer(load_portfolio(root), clock=lambda: DAY).render(product, "IE",
                                                                    as_of=DAY).content
    assert text.splitlines()[2].startswith("Zulassungsnummern: EU/1/20/0000/001 (0,25 mg,")


def test_the_command_line_says_the_same(tmp_path: Path) -> None:
    _, product = _portfolio(tmp_path, "injection-with-solvent")
    result = CliRunner().invoke(main, ["render", product.path, "--market", "GB", "--as-of",
                                       DAY.isoformat()])
    assert (result.exit_code, result.stdout) == (1, "")
    [line] = result.stderr.splitlines()
    assert line.endswith("marketing-authorisation: the GB profile requires a"
                         " marketing-authorisation covering GB, and the product has none")
