"""When a translation may be used: the checks, and what :func:`translate` makes of an entry."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.numbers import get_group_symbol

from smpc_manager.catalogs.pofile import read_catalog
from smpc_manager.errors import SourceLocation
from smpc_manager.model import Text
from smpc_manager.products.loader import load_product
from smpc_manager.rules import numbers as numbers_module
from smpc_manager.rules import sentences, translation
from smpc_manager.rules.numbers import localized_forms, numbers
from smpc_manager.rules.translation import Translated, check_translation, translate
from tests.conftest import EXAMPLE

HERE = SourceLocation("products/besponsa.xml", 9, 5)
DOSE = ("The recommended total dose is 1.8 mg/m<sup>2</sup> per cycle, given on Days 1"
        " (0.8 mg/m<sup>2</sup>), 8 and 15.")
DOSIS = ("Die empfohlene Gesamtdosis beträgt 1,8 mg/m<sup>2</sup> pro Zyklus, gegeben an"
         " Tag 1 (0,8 mg/m<sup>2</sup>), 8 und 15.")
CONTRA = "Hypersensitivity to any of the excipients listed in section 6.1."
GEGEN = "Überempfindlichkeit gegen einen der in Abschnitt 6.1 genannten sonstigen Bestandteile."


@pytest.mark.parametrize("module", [translation, numbers_module, sentences])
def test_the_doctests_hold(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(("source", "target", "locale"), [
    (DOSE, DOSIS, "de"),
    (DOSE, DOSIS, "de_AT"),
    (CONTRA, GEGEN, "de"),
    ("BESPONSA is for intravenous use.", "BESPONSA ist zur intravenösen Anwendung.", "de"),
    ("The most common (≥ 20%) were X (51%).", "Die häufigsten (≥ 20 %) waren X (51 %).", "de"),
    ("Each vial contains 1 mg.", "Each vial contains 1 mg.", "en_IE"),
    ("A pack of 1,000 tablets.", "Eine Packung mit 1.000 Tabletten.", "de"),
    ("A pack of 1,000 tablets.", "Eine Packung mit 1000 Tabletten.", "de"),
])
def test_good_translations_pass(source: str, target: str, locale: str) -> None:
    assert check_translation(source, target, locale, "BESPONSA") == []


@pytest.mark.parametrize(("source", "target", "reason"), [
    (DOSE, "", "the translation is empty"),
    (DOSE, "  \n\t", "the translation is empty"),
    (DOSE, DOSIS.replace("1,8", "1.8"), "the number 1.8 is missing: in de it is written 1,8"),
    (DOSE, DOSIS.replace("(0,8", "(0,9"), "the number 0.8 is missing"),
    (DOSE, DOSIS.replace(", 8 und", " und"), "the number 8 is missing"),
    (DOSE, DOSIS.replace("<sup>2</sup>", "2", 1), "the inline tags differ: the English has"
                                                  " <sup> <sup>, the translation <sup>"),
    (DOSE, DOSIS.replace("</sup>", "", 1), "the markup is broken: <sup> inside <sup>"),
    (CONTRA, GEGEN.replace("6.1", "6,1"), "the reference 6.1 is missing: it stays as written"),
    ("BESPONSA is for intravenous use.", "Besponsa ist zur intravenösen Anwendung.",
     "the invented name BESPONSA is missing"),
])
def test_bad_translations_say_why(source: str, target: str, reason: str) -> None:
    assert reason in "\n".join(map(str, check_translation(source, target, "de", "BESPONSA")))


def test_references_are_told_apart_from_quantities() -> None:
    found = numbers("0.25 mg; see sections 4.4 and 4.8, Table 2 and Annex III; 1.8 mg"
                    " (see 5.1)")
    assert found == [("0.25", False), ("4.4", True), ("4.8", True), ("2", True),
                     ("1.8", False), ("5.1", True)]


def test_number_forms_follow_cldr() -> None:
    assert localized_forms("0.25", "en", "de") == ["0,25"]
    assert localized_forms("0.25", "en", "fr") == ["0,25"]
    assert localized_forms("0.25", "en", "en_GB") == ["0.25"]
    # Switzerland's group symbol is whatever the installed CLDR says (’ in Babel 2.18's
    # data, ' in 2.19's): the forms follow the data, not a copy of it.
    swiss_group = get_group_symbol("de_CH")
    assert swiss_group in {"’", "'"}
    assert localized_forms("1,000.5", "en", "de_CH") == [f"1{swiss_group}000.5", "1000.5"]


def catalog_with(string: str, *, fuzzy: bool = False) -> Catalog:
    catalog = Catalog(locale="de")
    catalog["0.25 mg."] = Message("0.25 mg.", string, context="composition/2",
                                  flags=["fuzzy"] if fuzzy else [])
    return catalog


TEXT = Text("composition/2", "0.25 mg.", HERE)


@pytest.mark.parametrize(("catalog", "status", "translated", "ok"), [
    (catalog_with("0,25 mg."), "translated", "0,25 mg.", True),
    (catalog_with("0,25 mg.", fuzzy=True), "fuzzy", "0,25 mg.", False),
    (catalog_with("0.25 mg."), "failed", "0.25 mg.", False),
    (catalog_with(""), "untranslated", None, False),
    (Catalog(locale="de"), "untranslated", None, False),
    (None, "untranslated", None, False),
])
def test_translate_reports_the_state_of_the_entry(
    catalog: Catalog | None, status: str, translated: str | None, ok: bool,
) -> None:
    result = translate(TEXT, catalog, "de", "BESPONSA")
    assert (result.status, result.translation, result.ok) == (status, translated, ok)
    assert result.text is TEXT
    assert bool(result.reasons) is not ok


def test_the_source_language_needs_no_catalog() -> None:
    assert translate(TEXT, None, "en_IE", "BESPONSA") == Translated(TEXT, "0.25 mg.",
                                                                    "translated")
    assert translate(TEXT, None, "de", "BESPONSA", source_locale="de").ok


def test_another_context_is_not_a_translation() -> None:
    other = Text("indications", "0.25 mg.", HERE)
    assert translate(other, catalog_with("0,25 mg."), "de", "BESPONSA").status == \
        "untranslated"


def test_every_german_message_of_the_example_passes_every_check() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    catalog = read_catalog(EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")
    results = [translate(t, catalog, "de_AT", product.name.value) for t in product.messages()]
    assert results
    assert [r for r in results if not r.ok] == []


def test_broken_markup_in_a_translation_is_a_reason_not_a_crash() -> None:
    reasons = check_translation("BESPONSA 0.25 mg.", "<b>BESPONSA</b> 0.25 mg.", "de",
                                "BESPONSA")
    assert str(reasons[0]) == ("the markup is broken: tag <b> is not allowed (only sup, sub,"
                               " em) [tags]")
    assert "the number 0.25 is missing: in de it is written 0,25 [numbers]" in map(str, reasons)
