"""What a schema 2 file loads into: the model the renderer, the catalogs and the checks read.

Each valid file of ``tests/data/valid-v2/`` is one of the common shapes (several strengths,
a combination, an injection with its solvent, a product under additional monitoring); the
tests read back what each holds, where each value stands, and which gettext message each
text is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from smpc_manager.model import PartialDate, Product
from smpc_manager.products import load_product
from tests.conftest import DATA
from tests.migration import SCHEMA_1

VALID = DATA / "valid-v2"


def load(stem: str) -> Product:
    return load_product(VALID / f"{stem}.xml")


def line_of(path: Path, marker: str) -> int:
    data = path.read_text(encoding="utf-8")
    at = data.find(marker)
    assert at >= 0, marker
    return data[:at].count("\n") + 1


def test_several_strengths_each_with_composition_packs_and_prices() -> None:
    product = load("capsules-three-strengths")
    assert product.schema == 2
    assert [p.id for p in product.presentations] == ["c025", "c05", "c1"]
    assert [[s.value.value for s in p.strengths] for p in product.presentations] == [
        ["0.25 mg"], ["0.5 mg"], ["1 mg"]]
    assert {p.form.source for p in product.presentations} == {"hard capsules"}
    c05 = product.presentation("c05")
    assert [t.source for t in c05.composition] == [
        "Each hard capsule contains examplimod hydrochloride equivalent to 0.5 mg examplimod.",
        "Excipient with known effect: each hard capsule contains 104 mg lactose."]
    (pack,) = c05.packs
    assert (pack.id, pack.size.source) == ("c05-28", "28 hard capsules")
    number = pack.number_for("IE")
    assert number is not None
    assert number.value == "EU/1/20/0000/002"
    assert pack.number_for("GB") is None
    # the price in force on a day: the latest that has begun
    assert pack.price_on("GB", dt.date(2024, 12, 31)) is None
    for day, amount in (("2025-01-01", "230.00"), ("2025-12-31", "230.00"),
                        ("2026-01-01", "246.90")):
        price = pack.price_on("GB", dt.date.fromisoformat(day))
        assert price is not None
        assert (price.amount, price.currency) == (Decimal(amount), "GBP")
    assert pack.price_on("IE", dt.date(2026, 6, 1)) is None
    undated = product.presentation("c1").packs[0].price_on("GB", dt.date(1990, 1, 1))
    assert undated is not None
    assert undated.amount == Decimal("493.80")
    assert [p.size.source for p in product.presentation("c1").packs] == [
        "28 hard capsules", "84 hard capsules"]
    with pytest.raises(KeyError):
        product.presentation("c2")


def test_excipients_in_groups_limited_to_presentations() -> None:
    product = load("capsules-three-strengths")
    groups = product.excipient_groups
    assert [g.heading.source if g.heading else None for g in groups] == [
        "Capsule content", "Capsule shell", "Printing ink"]
    shell = groups[1]
    assert [(e.text.source, e.presentations) for e in shell.excipients] == [
        ("Gelatin", ()), ("Titanium dioxide (E 171)", ()),
        ("Iron oxide yellow (E 172)", ("c05", "c1")), ("Iron oxide red (E 172)", ("c1",))]
    in_c025 = [e.text.source for g in groups if g.in_presentation("c025")
               for e in g.excipients if e.in_presentation("c025")]
    assert "Iron oxide red (E 172)" not in in_c025
    assert "Iron oxide yellow (E 172)" not in in_c025
    assert len(in_c025) == 6
    # schema 1's flat list: every excipient, in the file's order
    assert [t.source for t in product.excipients] == [
        e.text.source for g in groups for e in g.excipients]


def test_a_flat_list_of_excipients_is_one_group_without_a_heading() -> None:
    product = load("combination-tablets")
    (group,) = product.excipient_groups
    assert group.heading is None
    assert group.presentations == ()
    limited = {e.text.source: e.presentations for e in group.excipients if e.presentations}
    assert limited == {"Iron oxide red (E 172)": ("t80-12", "t160-12"),
                       "Sunset yellow FCF (E 110)": ("t160-25",)}


def test_indications_and_their_posology_as_items() -> None:
    product = load("capsules-three-strengths")
    items = product.indication_items
    assert [(i.id, i.heading.source if i.heading else None) for i in items] == [
        ("ms", "Multiple sclerosis"), ("uc", "Ulcerative colitis")]
    assert [t.source for t in product.indications] == [
        p.source for i in items for p in i.paragraphs]
    assert [t.source for t in product.posology] == [
        "Treatment should be initiated under the supervision of a physician experienced in"
        " the management of the disease."]
    dose = product.dose_for("uc")
    assert dose is not None
    assert [p.source for p in dose.paragraphs] == ["1 mg once daily after the same titration."]
    assert product.dose_for("xx") is None


def test_indications_as_paragraphs_are_one_item() -> None:
    product = load("combination-tablets")
    (item,) = product.indication_items
    assert (item.id, item.heading) == (None, None)
    assert item.paragraphs == product.indications
    assert product.doses == ()


def test_sections_each_market_prints() -> None:
    product = load("capsules-three-strengths")
    assert product.section("precautions")[0].source.startswith("Initiation of treatment")
    assert product.section("pregnancy-lactation")[0].source.startswith("Women of")
    assert product.section("leaflet-side-effects")[0].source.startswith("Very common")
    assert [t.source for t in product.section("label-warnings")] == ["Contains lactose."]
    assert product.section("interactions") == ()
    assert product.warnings == ()  # schema 1's one field for two meanings
    assert load("combination-tablets").section("interactions")[0].source.startswith(
        "Concomitant use with aliskiren")


def test_names_and_holders_per_market() -> None:
    product = load("capsules-three-strengths")
    assert product.name.value == "EXAMPLIMOD"
    assert product.name_in("GB").value == "EXAMPLIMOD UK"
    assert product.name_in("AT").value == "EXAMPLIMOD"
    assert product.holder is product.holders[0]
    assert product.holder_in("GB").name == "Example Pharma UK Ltd"
    assert product.holder_in("GB").markets == ("GB",)
    assert product.holder_in("IE").name == "Example Pharma Europe B.V."
    assert product.holder_in("GB").address.city.context == "marketing-authorisation-holder/city"


def test_authorisation_numbers_per_presentation() -> None:
    product = load("combination-tablets")
    (de,) = product.authorisations_for("DE")
    assert de.numbers == ("12345.00.00", "12345.01.00", "12345.02.00")
    assert de.numbers_of("t160-12") == ("12345.01.00",)
    (at,) = product.authorisations_for("AT")
    assert at.numbers_of("t160-25") == ("1-30002",)
    assert at.numbers_of("t80-12") == ("1-30001",)
    eu = load("additional-monitoring").authorisations_for("AT")[0]
    assert eu.numbers_of("pr10") == eu.numbers == ("EU/1/24/0000/001-002",)
    assert load("capsules-three-strengths").authorisations_for("IE")[0].numbers == ()


def test_strengths_per_substance_of_a_combination() -> None:
    product = load("combination-tablets")
    assert [(s.id, s.name.source) for s in product.substances] == [
        ("exa", "examplosartan"), ("hct", "hydrochlorothiazide")]
    assert product.active_substances == tuple(s.name for s in product.substances)
    assert [(s.substance, s.value.value) for s in product.presentation("t160-25").strengths] == [
        ("hct", "25 mg"), ("exa", "160 mg")]
    printed = load("combination-as-printed")
    (strength,) = printed.presentations[0].strengths
    assert (strength.substance, strength.value.value) == (None, "80 mg/5 mg")
    assert [s.id for s in printed.substances] == [None, None]


def test_parties_codes_and_dates_per_market() -> None:
    product = load("additional-monitoring")
    contact = product.adverse_event_contact_in("GB")
    assert contact is not None
    assert (contact.name, contact.phone, contact.email, contact.url) == (
        "Example Pain Ltd", "+44 1234 567890", None, "https://www.example.com/report")
    assert product.adverse_event_contact_in("AT") is None
    assert [(c.market, c.code) for c in product.controlled_drugs] == [
        ("AT", "SG"), ("DE", "BtM"), ("GB", "CD2")]
    controlled = product.controlled_drug("DE")
    assert controlled is not None
    assert controlled.code == "BtM"
    assert product.reimbursement("AT") is not None
    date = product.prescribing_information_date("IE")
    assert date is not None
    assert date.value == PartialDate(2026, 3, 15)
    gb_date = product.prescribing_information_date("GB")
    assert gb_date is not None
    assert str(gb_date.value) == "2026-02"
    assert product.prescribing_information_date("AT") is None
    assert product.under_additional_monitoring("AT", dt.date(2024, 2, 1))
    assert not product.under_additional_monitoring("GB", dt.date(2024, 4, 30))
    injection = load("injection-with-solvent")
    representative = injection.representative_in("IE")
    assert representative is not None
    assert (representative.name, representative.phone, representative.email) == (
        "Example Biologics Ireland Ltd", "+353 1 000 0000", None)
    assert representative.address.city.context == "local-representative/city"
    assert injection.representative_in("GB") is None


def test_schema_1_fields_of_a_schema_2_product() -> None:
    """What schema 1 has, a schema 2 product holds where it means the same; strength, form
    and composition are those of the first presentation."""
    product = load("capsules-three-strengths")
    first = product.presentations[0]
    assert product.strength.value == "0.25 mg"
    assert product.pharmaceutical_form is first.form
    assert product.composition == first.composition
    assert product.costs == ()
    assert [p.code for p in product.prescription_status] == ["NR", "Rx", "S1A", "POM"]
    assert load("combination-tablets").strength.value == "80 mg/12.5 mg"


def test_a_schema_1_product_has_no_schema_2_fields() -> None:
    product = load_product(SCHEMA_1 / "example" / "products" / "besponsa.xml")
    assert product.schema == 1
    assert (product.names, product.presentations, product.excipient_groups,
            product.indication_items, product.holders) == ((), (), (), (), ())
    assert product.name_in("GB") is product.name
    assert product.holder_in("GB") is product.holder


def test_each_value_stands_where_its_element_is() -> None:
    path = VALID / "capsules-three-strengths.xml"
    product = load_product(path)
    for presentation in product.presentations:
        assert presentation.location.line == line_of(path, f'<presentation id="{presentation.id}"')
        assert presentation.location.column == 5
    price = product.presentation("c05").packs[0].prices[1]
    assert price.start is not None
    assert price.start.location.line == line_of(path, ">246.90")
    # the attribute itself: from= stands after markets= and currency=
    assert price.start.location.column == line_of_text(path, price.start.location.line).find(
        'from="') + 1
    group = product.excipient_groups[1]
    assert group.location.line == line_of(path, "<heading>Capsule shell") - 1
    dose = product.dose_for("ms")
    assert dose is not None
    assert dose.location.line == line_of(path, '<dose indication="ms"')


def line_of_text(path: Path, line: int) -> str:
    return path.read_text(encoding="utf-8").split("\n")[line - 1]


def test_texts_keep_schema_1_contexts_and_say_what_they_are() -> None:
    product = load("capsules-three-strengths")
    contexts = {t.context for t in product.messages()}
    assert contexts == {
        "active-substance", "pharmaceutical-form", "composition", "pack", "excipient-group",
        "excipients", "indication-heading", "indications", "posology", "contraindications",
        "precautions", "pregnancy-lactation", "undesirable-effects", "leaflet-side-effects",
        "label-warnings", "pharmacotherapeutic-group", "marketing-authorisation-holder/city"}
    # the same text in one field is one message, whichever presentation it is in
    forms = [t for t in product.messages() if t.context == "pharmaceutical-form"]
    assert len(forms) == 3
    assert len({(t.context, t.source) for t in forms}) == 1
    for text in product.messages():
        assert text.note, text
        for value in ("EXAMPLIMOD", "examplimod", "Amsterdam", "lactose monohydrate"):
            assert value not in text.note, (value, text.context)
    notes = {t.context: t.note for t in product.messages()}
    assert notes["excipient-group"].startswith("The heading of a group of excipients")
    assert "Warnhinweise" in notes["label-warnings"]
    assert "package leaflet" in notes["leaflet-side-effects"]


def test_the_same_text_twice_in_one_field_is_a_second_message(tmp_path: Path) -> None:
    source = VALID / "combination-tablets.xml"
    path = tmp_path / source.name
    path.write_text(source.read_text(encoding="utf-8").replace(
        "<p>Second and third trimesters of pregnancy.</p>",
        "<p>Second and third trimesters of pregnancy.</p>\n"
        "    <p>Second and third trimesters of pregnancy.</p>"), encoding="utf-8")
    contexts = [t.context for t in load_product(path).messages()
                if t.source == "Second and third trimesters of pregnancy."]
    assert contexts == ["contraindications", "contraindications#2"]


#: The element each field's text is read from.
TEXT_TAGS = {"active-substance": "substance", "pack": "size", "excipient-group": "heading",
             "excipients": "excipient", "indication-heading": "heading",
             "pharmaceutical-form": "pharmaceutical-form",
             "pharmacotherapeutic-group": "pharmacotherapeutic-group"}


@pytest.mark.parametrize("path", sorted(VALID.glob("*.xml")), ids=lambda p: p.stem)
def test_every_text_stands_at_the_start_tag_of_its_element(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    product = load_product(path)
    assert product.texts
    for text in product.messages():
        field = text.context.partition("#")[0]
        tag = "city" if field.endswith("/city") else TEXT_TAGS.get(field, "p")
        line = lines[text.location.line - 1]
        assert line[text.location.column - 1:].startswith(f"<{tag}"), (text, line)
        content = line[text.location.column - 1:].partition(">")[2]
        assert content.startswith(text.source.replace("&amp;", "&")[:20]), (text, line)
