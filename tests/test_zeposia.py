"""The second example product, Zeposia (ozanimod) hard capsules: three strengths with capsule
shells of their own colours, two indications with a posology each, a holder of its own in
GB, a representative in IE, numbers and prices per pack. Its German catalog is complete and
passes every check, and its rendering in each market and format is the reviewed golden file.

Run ``pytest --update-goldens`` to rewrite ``tests/golden/zeposia-*`` after an intended
change; review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from smpc_manager.catalogs import statistics
from smpc_manager.cli import main
from smpc_manager.markets import markets_for
from smpc_manager.model import Product
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from smpc_manager.render import EXTENSIONS, Renderer

from .conftest import EXAMPLE, GOLDEN, Goldens

ZEPOSIA = EXAMPLE / "products" / "zeposia.xml"
MARKETS = ("AT", "DE", "IE", "GB")
#: The day the goldens are rendered as of: the product is under additional monitoring, its
#: GB prices of April 2025 are in force and its review-by is ahead.
TODAY = dt.date(2026, 11, 25)


def today() -> dt.date:
    return TODAY


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example() -> tuple[Renderer, Product]:
    return Renderer(load_portfolio(EXAMPLE), clock=today), load_product(ZEPOSIA)


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize("market", MARKETS)
def test_golden(example: tuple[Renderer, Product], market: str, fmt: str,
                goldens: Goldens) -> None:
    renderer, product = example
    rendering = renderer.render(product, market, fmt=fmt, as_of=TODAY)
    goldens.check(f"zeposia-{market}.{EXTENSIONS[fmt]}", rendering.content)
    assert (rendering.market, rendering.product_id, rendering.fmt) == (market, "zeposia", fmt)


#: What each market's reviewer looks for in the shapes of this product: every strength in
#: the name line, the composition and the limits of the excipients per strength, the
#: indications and their posology under their own headings, numbers and prices per pack,
#: the holder, representative and company to report to of each market; and what a market
#: must not print.
REVIEWED = {
    "AT": ([
        "Zeposia 0,23 mg/0,46 mg/0,92 mg Hartkapseln\n",
        "Qualitative und quantitative Zusammensetzung: 0,23 mg: Jede Hartkapsel enthält "
        "Ozanimodhydrochlorid entsprechend 0,23 mg Ozanimod. 0,46 mg: ",
        "Liste der sonstigen Bestandteile: Kapselinhalt: Mikrokristalline Cellulose, ",
        "; Kapselhülle: Gelatine, Titandioxid (E171), Eisenoxid gelb (E172), "
        "Eisenoxid schwarz (E172) (nur 0,23 mg und 0,46 mg), Eisenoxid rot (E172); "
        "Drucktinte: Schellack (E904), ",
        "Anwendungsgebiete: Multiple Sklerose: Zeposia wird angewendet",
        " Colitis ulcerosa: Zeposia wird angewendet",
        "ATC-Code: L04AE02.",
        "Inhaber der Zulassung: Bristol-Myers Squibb Pharma EEIG, Plaza 254, Blanchardstown"
        " Corporate Park 2, Dublin 15, D15 T867, Irland.",
        "Stand der Information: November 2024.",
        "Rezept- und apothekenpflichtig, wiederholte Abgabe verboten.",
        "Packungsgrößen: 0,23 mg und 0,46 mg: Packung zur Einleitung der Behandlung mit ",
        "0,92 mg: 28 Hartkapseln, 98 Hartkapseln.",
    ], ["Nebenwirkungen:", "Dosierung", "Uxbridge", "Dublin 15 D15", "Packungsgrößen: 0,23 mg:"]),
    "DE": ([
        "Wirkstoff: Ozanimod",
        "Sonstige Bestandteile: Kapselinhalt: ",
        "Nebenwirkungen: Sehr häufig: Infektionen der Nase oder des Rachens",
        "Verschreibungspflichtig.",
        "Pharmazeutischer Unternehmer: Bristol-Myers Squibb Pharma EEIG, ",
        "Stand: November 2024.",
    ], ["Warnhinweise:", "Nasopharyngitis", "Uxbridge"]),
    "IE": ([
        "Indications: Multiple sclerosis: Zeposia is indicated",
        " Ulcerative colitis: Zeposia is indicated",
        " Multiple sclerosis: The recommended dose is 0.92 mg ozanimod once daily. "
        "No dose adjustment is needed in patients over 55 years",
        " Ulcerative colitis: The recommended dose is 0.92 mg ozanimod once daily. "
        "No dose adjustment is needed in patients over 65 years",
        "Pregnancy and lactation: ",
        "Legal category: S1A.",
        "EU/1/20/1442/002 (0.92 mg, 28 hard capsules); "
        "EU/1/20/1442/003 (0.92 mg, 98 hard capsules).",
        "Marketing authorisation holder: Bristol-Myers Squibb Pharma EEIG, Plaza 254,"
        " Blanchardstown Corporate Park 2, Dublin 15, D15 T867, Ireland.",
        "Further information is available from: Bristol-Myers Squibb Pharmaceuticals uc, Plaza"
        " 254, Blanchardstown Corporate Park 2, Dublin 15, D15 T867, Ireland, Tel.: 1 800 749"
        " 749, E-mail: medical.information@bms.com.",
        "Adverse events should also be reported to Bristol-Myers Squibb Medical "
        "Information on 1 800 749 749 or medical.information@bms.com.",
        "Date of revision: November 2026.",
        "Marketing authorisation numbers: EU/1/20/1442/001 (0.23 mg and 0.46 mg, treatment"
        " initiation pack of ",
    ], ["£", "PLGB", "Uxbridge", "Shellac", "Dublin 15 D15", "(0.23 mg, "]),
    "GB": ([
        "Legal category: POM.",
        "Cost excluding VAT: 0.23 mg and 0.46 mg: £343.38 per treatment initiation pack of ",
        "£1,373.52 per 28 hard capsules (from 1 April 2025).",
        "Marketing authorisation numbers: PLGB 15105/0160 (0.23 mg and 0.46 mg);"
        " PLGB 15105/0161 (0.92 mg).",
        "Marketing authorisation holder: Bristol-Myers Squibb Pharmaceuticals Limited, "
        "ARC Uxbridge, Sanderson Road, Uxbridge UB8 1DH, United Kingdom.",
        "Adverse events should also be reported to Bristol-Myers Squibb Medical "
        "Information on 0800 731 1736 or medical.information@bms.com.",
        "Prescribers should consult the SmPC in relation to other adverse reactions.",
        "Date of revision: November 2026.",
    ], ["EU/1/20/1442", "98 hard capsules", "Pharma EEIG", "1 800 749 749",
        "Cost excluding VAT: 0.23 mg: "]),
}


#: The name line as SmPC section 1 of each language writes it: the form in the plural.
NAME_LINES = {"AT": "Zeposia 0,23 mg/0,46 mg/0,92 mg Hartkapseln",
              "DE": "Zeposia 0,23 mg/0,46 mg/0,92 mg Hartkapseln",
              "IE": "Zeposia 0.23 mg/0.46 mg/0.92 mg hard capsules",
              "GB": "Zeposia 0.23 mg/0.46 mg/0.92 mg hard capsules"}


@pytest.mark.parametrize("market", MARKETS)
def test_the_name_line_writes_the_form_as_section_1_does(market: str) -> None:
    name = NAME_LINES[market]
    assert name in golden(f"zeposia-{market}.txt").splitlines()
    page = golden(f"zeposia-{market}.html")
    assert f"<h2>{name}</h2>" in page
    assert f": {name}</title>" in page


def test_the_translators_are_told_to_write_the_form_as_section_1_does() -> None:
    forms = {(p.form.source, p.form.note) for p in load_product(ZEPOSIA).presentations}
    [(form, note)] = forms
    assert form == "hard capsules"
    assert "as SmPC section 1 writes it" in note
    assert "in the plural where section 1 uses it" in note


@pytest.mark.parametrize("market", MARKETS)
def test_each_market_prints_the_shapes_its_reviewer_looks_for(market: str) -> None:
    text = golden(f"zeposia-{market}.txt")
    printed, absent = REVIEWED[market]
    assert [needed for needed in printed if needed not in text] == []
    assert [wrong for wrong in absent if wrong in text] == []


#: What the HTML of each market sets apart for artwork: the run-in headings of the
#: indications and doses, and the presentations' labels.
SPANS = {
    "AT": ['<span class="presentation">0,23 mg:</span> Jede Hartkapsel enthält',
           '<span class="subheading">Kapselhülle:</span> Gelatine',
           '<span class="subheading">Multiple Sklerose:</span> Zeposia wird angewendet',
           '<span class="presentation">0,23 mg und 0,46 mg:</span> Packung zur Einleitung',
           '<span class="presentation">0,92 mg:</span> 28 Hartkapseln, 98 Hartkapseln'],
    "DE": ['<span class="presentation">0,92 mg:</span> Jede Hartkapsel enthält',
           '<span class="subheading">Colitis ulcerosa:</span> Zeposia wird angewendet'],
    "IE": ['<span class="subheading">Multiple sclerosis:</span> The recommended dose is',
           '<span class="subheading">Ulcerative colitis:</span> Zeposia is indicated',
           '<span class="presentation">0.46 mg:</span> Each hard capsule contains'],
    "GB": ['<span class="subheading">Ulcerative colitis:</span> The recommended dose is',
           '<span class="presentation">0.23 mg and 0.46 mg:</span> £343.38 per treatment',
           '<span class="presentation">0.92 mg:</span> £1,373.52 per 28 hard capsules'],
}


@pytest.mark.parametrize("market", MARKETS)
def test_the_html_sets_the_run_in_headings_apart(market: str) -> None:
    page = golden(f"zeposia-{market}.html")
    assert [span for span in SPANS[market] if span not in page] == []
    # the text prints them as before: the heading, a colon and the text
    text = golden(f"zeposia-{market}.txt")
    assert "<span" not in text
    assert re.sub(r"<[^>]+>", "", SPANS[market][0]) in text


def test_the_treatment_initiation_pack_holds_two_presentations() -> None:
    product = load_product(ZEPOSIA)
    packs = {pack.id: pack.presentations for p in product.presentations for pack in p.packs}
    assert packs == {"init-7": ("c023", "c046"), "c092-28": (), "c092-98": ()}


def test_the_example_portfolio_builds_it_for_every_market() -> None:
    assert markets_for(load_product(ZEPOSIA), load_portfolio(EXAMPLE)) == MARKETS


def test_the_german_catalog_is_complete_and_passes_every_check() -> None:
    portfolio = load_portfolio(EXAMPLE)
    [stats] = statistics(portfolio, [load_product(ZEPOSIA)], ["de"])
    assert stats.complete, [str(gap.text.location) for gap in stats.gaps]
    assert (stats.fuzzy, stats.untranslated, stats.failed, stats.obsolete) == (0, 0, 0, 0)


@pytest.mark.parametrize("command", ["extract", "update"])
def test_the_template_and_the_catalog_are_current(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--check", str(ZEPOSIA)])
    assert result.exit_code == 0, result.output
