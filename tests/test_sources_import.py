"""``smpc import``: a product drafted from an SmPC, catalogs prefilled from other languages,
the sources kept, nothing replaced without --force."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.catalogs import read_catalog
from smpc_manager.cli import main
from smpc_manager.products import load_product
from smpc_manager.sources.dates import find_dates
from tests.epi import bundle_json, bundle_xml, leaflet_document, smpc_document


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    english = tmp_path / "in" / "en.xml"
    english.parent.mkdir()
    english.write_text(bundle_xml(smpc_document(), leaflet_document()), encoding="utf-8")
    german = tmp_path / "in" / "de.json"
    german.write_text(bundle_json(smpc_document("de")), encoding="utf-8")
    return english, german


def _import(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", *args, "--into", str(tmp_path / "pf"),
                                       "--id", "examplex"])
    return result.exit_code, result.output


def test_the_draft_validates_and_holds_the_smpc_s_words(tmp_path: Path,
                                                         files: tuple[Path, Path]) -> None:
    code, output = _import(tmp_path, str(files[0]))
    assert code == 0, output
    product = load_product(tmp_path / "pf" / "products" / "examplex.xml")
    assert product.name.value == "EXAMPLEX"
    assert [p.strengths[0].value.value for p in product.presentations] == ["10 mg", "20 mg"]
    assert product.pharmaceutical_form.source == "film-coated tablets"
    assert [t.source for t in product.active_substances] == ["examplosartan"]
    assert [(g.heading.source if g.heading else None, [e.text.source for e in g.excipients])
            for g in product.excipient_groups] == [
        ("Tablet core", ["Lactose monohydrate", "Magnesium stearate"]),
        ("Film coating", ["Hypromellose", "Titanium dioxide (E 171)"])]
    assert [t.source for t in product.contraindications] == [
        "Hypersensitivity to the active substance or to any of the excipients listed in"
        " section 6.1.", "Second and third trimester of pregnancy."]
    assert product.undesirable_effects[0].source == (
        "Dizziness and headache are common (≥1/100 to &lt;1/10).")
    assert product.pharmacotherapeutic_group.source == (
        "Angiotensin II receptor blockers (ARBs), plain")
    assert product.atc_code.value == "C09CA99"
    assert (product.holder.name, product.holder.address.city.source,
            product.holder.address.country.value) == ("Example Pharma GmbH", "Berlin", "DE")
    authorisation = product.authorisations[0]
    assert authorisation.markets == ("EU",)
    assert authorisation.numbers == ("EU/1/20/1234/001", "EU/1/20/1234/002")
    assert str(authorisation.first_authorisation.value) == "2020-03-15"
    assert str(authorisation.renewal.value) == "2025-01-10"
    assert str(product.revision_date.value) == "2025-02"
    # the SmPC is kept as the product's source, at the conventional place
    assert (tmp_path / "pf" / "sources" / "examplex" / "en.xml").read_bytes() == \
        files[0].read_bytes()
    assert "Drafted by `smpc import` from sources/examplex/en.xml:" in (
        tmp_path / "pf" / "products" / "examplex.xml").read_text(encoding="utf-8")
    # each note names the SmPC's file and line
    notes = [line for line in output.splitlines() if ": warning: " in line]
    assert notes
    assert all(re.match(rf"{re.escape(str(files[0]))}:\d+: warning: ", n) for n in notes)
    assert any("§6.1 (List of excipients) is not a section of its own" in n for n in notes)


def test_a_second_language_prefills_its_catalog(tmp_path: Path,
                                                files: tuple[Path, Path]) -> None:
    code, output = _import(tmp_path, str(files[0]), str(files[1]))
    assert code == 0, output
    catalog = read_catalog(tmp_path / "pf" / "locales" / "de" / "LC_MESSAGES" /
                           "examplex.po")
    by_key = {(m.context, m.id): m for m in catalog if m.id}
    contraindication = by_key[("contraindications", "Second and third trimester of pregnancy.")]
    assert contraindication.string == "Zweites und drittes Schwangerschaftstrimester."
    assert "fuzzy" not in contraindication.flags
    assert by_key[("excipients", "Magnesium stearate")].string == "Magnesiumstearat"
    assert by_key[("excipient-group", "Film coating")].string == "Filmüberzug"
    assert by_key[("pharmaceutical-form", "film-coated tablets")].string == "Filmtabletten"
    assert by_key[("marketing-authorisation-holder/city", "Berlin")].string == "Berlin"
    # 4.2 has three paragraphs in German and two in English: fuzzy, with a note
    dose = by_key[("posology", "The recommended dose is 10 mg once daily.")]
    assert "fuzzy" in dose.flags
    assert any("§4.2 has 3 paragraphs where the source's has 2" in c
               for c in dose.auto_comments)
    assert "prefilled" in output
    assert "fuzzy" in output
    if shutil.which("msgfmt"):  # GNU gettext takes the catalog as it is written
        path = tmp_path / "pf" / "locales" / "de" / "LC_MESSAGES" / "examplex.po"
        subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], check=True)


def test_nothing_is_replaced_without_force(tmp_path: Path, files: tuple[Path, Path]) -> None:
    assert _import(tmp_path, str(files[0]), str(files[1]))[0] == 0
    product = tmp_path / "pf" / "products" / "examplex.xml"
    product.write_text(product.read_text(encoding="utf-8") + "<!-- edited -->\n",
                       encoding="utf-8")
    code, output = _import(tmp_path, str(files[0]), str(files[1]))
    assert code == 1
    assert re.search(r"products/examplex\.xml: exists already; give --force to replace it",
                     output)
    assert "edited" in product.read_text(encoding="utf-8")
    code, output = _import(tmp_path, str(files[0]), str(files[1]), "--force")
    assert code == 0, output
    assert "edited" not in product.read_text(encoding="utf-8")


@pytest.mark.parametrize(("content", "expected"), [
    ('<!DOCTYPE x [<!ENTITY a "b">]><Bundle/>', r"bad\.xml:1:1: a DOCTYPE is not allowed"),
    ("{", r"bad\.xml:1:2: the JSON is not well formed"),
    ('<Bundle xmlns="http://hl7.org/fhir"><entry><resource><Composition><type><coding><code'
     ' value="100000155538"/></coding></type></Composition></resource></entry></Bundle>',
     r"bad\.xml:1: holds no SmPC \(its documents: leaflet\)"),
])
def test_a_file_that_is_no_smpc_is_one_line_and_exit_1(tmp_path: Path, content: str,
                                                       expected: str) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(content, encoding="utf-8")
    code, output = _import(tmp_path, str(bad))
    assert code == 1
    assert len(output.strip().splitlines()) == 1, output
    assert re.search(expected, output), output
    assert not (tmp_path / "pf" / "products").exists()


def test_an_id_that_could_name_a_path_is_refused(tmp_path: Path,
                                                 files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["import", str(files[0]), "--into", str(tmp_path),
                                       "--id", "../x"])
    assert result.exit_code == 2
    assert "'../x' is not a product id" in result.output


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Fecha de la primera autorización: 08de septiembre 2003", "es", (2003, 9, 8)),
    ("20/diciembre/2007", "es", (2007, 12, 20)),
    ("Primera autorización:Noviembre de 2002", "es", (2002, 11, None)),
    ("07/2024", "es", (2024, 7, None)),
    ("15. März 2020", "de", (2020, 3, 15)),
    ("Stand der Information: Jänner 2022", "de", (2022, 1, None)),
    ("June 29, 2017", "en", (2017, 6, 29)),
    ("Date of first authorisation: 29 June 2017", "en", (2017, 6, 29)),
])
def test_dates_are_read_in_the_smpc_s_language(text: str, lang: str,
                                               expected: tuple[int, int, int | None]) -> None:
    found = find_dates(text, lang)
    assert [(d.year, d.month, d.day) for d in found] == [expected]


def test_validate_reads_the_sources_too(tmp_path: Path, files: tuple[Path, Path]) -> None:
    assert _import(tmp_path, str(files[0]), str(files[1]))[0] == 0
    portfolio = tmp_path / "pf"
    result = CliRunner().invoke(main, ["validate", str(portfolio)])
    assert result.exit_code == 0, result.output
    assert "§6.1 (List of excipients) is not a section of its own" in result.output
    # a broken source is an error, in one line
    german = portfolio / "sources" / "examplex" / "de.json"
    german.write_text('{"resourceType": "Bundle",', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(portfolio)])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if "de.json" in line] == [
        f"{german}:1:27: the JSON is not well formed: expecting property name enclosed in"
        " double quotes"]
    # an SmPC in another language than its name says; a named source that is not there
    german.write_text(bundle_json(smpc_document()), encoding="utf-8")
    product = portfolio / "products" / "examplex.xml"
    product.write_text(product.read_text(encoding="utf-8").replace(
        "</product>", '  <smpc-source lang="fr" path="sources/fr.xml"/>\n</product>'),
        encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(portfolio)])
    assert result.exit_code == 1
    assert re.search(r"de\.json:\d+: is the SmPC of examplex in de, but its Composition's"
                     r" language is en", result.output), result.output
    assert re.search(r"examplex\.xml:\d+:\d+: the SmPC in fr is named here but .*sources/fr"
                     r"\.xml does not exist", result.output), result.output


def test_the_product_is_drafted_in_the_portfolio_s_source_language(
        tmp_path: Path, files: tuple[Path, Path]) -> None:
    code, output = _import(tmp_path, str(files[1]), str(files[0]))
    assert code == 0, output
    product = load_product(tmp_path / "pf" / "products" / "examplex.xml")
    assert product.lang == "en"
    assert (tmp_path / "pf" / "locales" / "de" / "LC_MESSAGES" / "examplex.po").is_file()
    # alone, the German SmPC is drafted in German, with a note that says so
    code, output = _import(tmp_path / "other", str(files[1]))
    assert code == 0, output
    assert "the product is drafted in de, the SmPC's language, but the portfolio's source" \
        " language is en" in output


def test_the_black_triangle_lists_the_product_under_additional_monitoring(
        tmp_path: Path, files: tuple[Path, Path]) -> None:
    text = files[0].read_text(encoding="utf-8").replace(
        '<div xmlns="http://www.w3.org/1999/xhtml"><p> </p></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>▼ This medicinal product is subject to'
        " additional monitoring.</p></div>", 1)
    files[0].write_text(text, encoding="utf-8")
    code, output = _import(tmp_path, str(files[0]))
    assert code == 0, output
    product = load_product(tmp_path / "pf" / "products" / "examplex.xml")
    assert [(m.markets, m.start, m.until) for m in product.additional_monitoring] == [
        (("EU",), None, None)]
    assert "the SmPC says the medicine is under additional monitoring" in output
