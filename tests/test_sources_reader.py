"""Reading EU ePI files: both forms and both FHIR versions alike, sections by code or by
heading, merged and missing sections, placeholders; hostile input refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smpc_manager.errors import ProblemsError
from smpc_manager.sources import MAX_BYTES, Epi, read_epi
from tests.epi import bundle_json, bundle_xml, leaflet_document, smpc_document

FORMS = {
    "r5-collection.xml": bundle_xml,
    "r5-document.xml": lambda *d: bundle_xml(*d, collection=False),
    "r4-collection.xml": lambda *d: bundle_xml(*d, fhir="R4"),
    "r5-collection.json": bundle_json,
    "r5-document.json": lambda *d: bundle_json(*d, collection=False),
    "r4-document.json": lambda *d: bundle_json(*d, collection=False, fhir="R4"),
}


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _read(tmp_path: Path, name: str, *docs: object) -> Epi:
    return read_epi(_write(tmp_path, name, FORMS[name](*docs)))


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_reads_into_the_same_sections(tmp_path: Path, name: str) -> None:
    epi = _read(tmp_path, name, smpc_document(), leaflet_document())
    assert epi.format == name.rpartition(".")[2]
    smpc = epi.smpc
    assert smpc is not None
    assert smpc.lang == "en"
    assert [d.kind for d in epi.documents] == (
        ["smpc"] if "document" in name else ["smpc", "leaflet"])
    assert smpc.section("1") is not None
    assert [b.text for b in smpc.section("1").blocks] == [
        "EXAMPLEX 10 mg film-coated tablets", "EXAMPLEX 20 mg film-coated tablets"]
    # 4.3 has no code: its numbered heading says what it is
    contraindications = smpc.section("4.3")
    assert contraindications is not None
    assert contraindications.found_by == "heading"
    assert contraindications.blocks[1].text == "Second and third trimester of pregnancy."
    assert smpc.section("5.1").blocks[1].markup == (
        "Examplosartan blocks the AT<sub>1</sub> receptor.")


@pytest.mark.parametrize("name", ["r5-collection.xml", "r5-collection.json"])
def test_merged_sections_are_found_and_named(tmp_path: Path, name: str) -> None:
    epi = _read(tmp_path, name, smpc_document())
    smpc = epi.smpc
    assert smpc is not None
    excipients = smpc.section("6.1")
    assert excipients is not None
    assert excipients.merged_into == "6"
    assert [b.text for b in excipients.blocks] == [
        "Tablet core", "Lactose monohydrate", "Magnesium stearate", "Film coating",
        "Hypromellose", "Titanium dioxide (E 171)"]
    effects = smpc.section("4.8")
    assert effects is not None
    assert effects.merged_into == "4.7"
    assert effects.text == "Dizziness and headache are common (≥1/100 to <1/10)."
    merged = [str(f) for f in epi.findings if f.field == "merged"]
    assert len(merged) == 2
    assert re.search(r":\d+: warning: §4\.8 \(Undesirable effects\) is not a section of its"
                     r" own: it is merged into §4\.7, under '4\.8 Undesirable effects'$",
                     merged[0])
    assert "§6.1 (List of excipients) is not a section of its own: it is merged into §6" \
        in merged[1]
    assert not [f for f in epi.findings if f.field == "missing"]


def test_the_json_form_reports_the_line_a_section_stands_on(tmp_path: Path) -> None:
    epi = _read(tmp_path, "r5-collection.json", smpc_document())
    path = tmp_path / "r5-collection.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    section = epi.smpc.section("4.1")
    assert '"title": "4.1 Therapeutic indications"' in lines[section.location.line]


def test_placeholders_and_missing_sections_are_reported(tmp_path: Path) -> None:
    document = smpc_document(revision="{MM/YYYY}")
    document.sections[0].subsections.pop(2)  # no section 3
    epi = _read(tmp_path, "r5-collection.xml", document, leaflet_document())
    messages = [f.message for f in epi.findings]
    assert "§3 (Pharmaceutical form) is missing" in messages
    assert "§10 of the SmPC: unresolved template placeholder '{MM/YYYY}'" in messages
    assert any("of the package leaflet: unresolved template placeholder '<take>'" in m
               for m in messages)


def test_the_blocks_hold_every_character_of_the_narrative(tmp_path: Path) -> None:
    epi = _read(tmp_path, "r5-collection.xml", smpc_document())
    holder = epi.smpc.section("7")
    assert holder.blocks[0].lines == (
        "Example Pharma GmbH", "Beispielstraße 1", "10115 Berlin", "Germany")
    heading = epi.smpc.section("6").blocks[1]
    assert (heading.text, heading.styled) == ("Tablet core", True)
    assert not epi.smpc.section("6").blocks[2].styled


# ------------------------------------------------------------------------------- hostile


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("doctype.xml", '<?xml version="1.0"?>\n<!DOCTYPE Bundle [<!ENTITY x "y">]>\n<Bundle/>',
     r"doctype\.xml:2:1: a DOCTYPE is not allowed in a product information file"),
    ("entity.xml", '<Bundle xmlns="http://hl7.org/fhir"><title value="&lol;"/></Bundle>',
     r"entity\.xml:1:\d+: the XML is not well formed: unknown entity &lol;"),
    ("broken.xml", '<Bundle xmlns="http://hl7.org/fhir"><entry></Bundle>',
     r"broken\.xml:1:\d+: the XML is not well formed: <entry> opened on line 1 is closed"),
    ("broken.json", '{"resourceType": "Bundle",\n "entry": [}',
     r"broken\.json:2:\d+: the JSON is not well formed: expecting value"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, r"deep\.json:1: the JSON is nested too"),
    ("patient.json", '{"resourceType": "Patient"}',
     r"patient\.json:1: the JSON has resourceType 'Patient'; an ePI file holds a FHIR"),
    ("html.xml", "<html><body/></html>",
     r"html\.xml:1: the root element is <html>; an ePI file holds a FHIR <Bundle>"),
    ("empty.xml", "  \n", r"empty\.xml:1: the file is empty \(expected a <Bundle> document\)"),
    ("nothing.xml", '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/></Bundle>',
     r"nothing\.xml:1: the Bundle holds no Composition"),
])
def test_hostile_or_broken_input_is_one_clear_line(tmp_path: Path, name: str, content: str,
                                                   expected: str) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(ProblemsError) as raised:
        read_epi(path)
    assert raised.value.exit_code == 1
    assert len(raised.value.lines()) == 1
    assert re.search(expected, raised.value.lines()[0]), raised.value.lines()[0]


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    with pytest.raises(ProblemsError,
                       match=r"over the limit of [\d,]+ bytes for a product information file"):
        read_epi(path)


def test_a_narrative_that_is_not_xhtml_is_reported_not_fatal(tmp_path: Path) -> None:
    text = bundle_json(smpc_document()).replace("Each film-coated tablet contains 10 mg",
                                                "Each &nbsp;tablet <b>contains 10 mg")
    epi = read_epi(_write(tmp_path, "bad-div.json", text))
    assert epi.smpc.section("2").blocks == ()
    assert [f.message for f in epi.findings if "XHTML" in f.message] == [
        "section '2. QUALITATIVE AND QUANTITATIVE COMPOSITION': its XHTML is refused (the XML"
        " is not well formed: <b> opened on line 1 is closed by </span>; an end tag is"
        " missing or misspelt); its text is left out"]
    # HTML's named entities are taken as their characters
    text = bundle_json(smpc_document()).replace("Film-coated tablet.", "Film-coated&nbsp;tablet.")
    epi = read_epi(_write(tmp_path, "nbsp.json", text))
    assert epi.smpc.section("3").blocks[0].text == "Film-coated tablet."


@pytest.mark.parametrize(("system", "code"), [
    ("http://spor.ema.europa.eu/v1/lists/200000029659", "200000029799"),
    ("https://spor.ema.europa.eu/v1/lists/200000029659/terms/", "200000029799"),
    ("https://spor.ema.europa.eu/v1/200000029659", "200000029799"),
    ("https://spor.ema.europa.eu/rmswi", "200000029799"),
    ("", "https://spor.ema.europa.eu/v1/lists/200000029659/terms/200000029799"),
])
def test_a_section_is_known_by_its_code_whatever_spells_its_list(
        tmp_path: Path, system: str, code: str) -> None:
    text = bundle_xml(smpc_document()).replace(
        '<title value="4.1 Therapeutic indications"/><code><coding><system value='
        '"http://spor.ema.europa.eu/v1/lists/200000029659"/><code value="200000029799"/>',
        f'<title value="Indications"/><code><coding><system value="{system}"/>'
        f'<code value="{code}"/>')
    assert 'title value="Indications"' in text
    section = read_epi(_write(tmp_path, "spelt.xml", text)).smpc.section("4.1")
    assert section is not None
    assert (section.found_by, section.title) == ("code", "Indications")


def test_a_section_coded_with_the_document_s_type_is_found_by_its_heading(
        tmp_path: Path) -> None:
    text = bundle_xml(smpc_document()).replace(
        "<section><title value=\"4.3 Contraindications\"/>",
        '<section><title value="4.3 Contraindications"/><code><coding><system value='
        '"http://spor.ema.europa.eu/v1/lists/100000155531"/><code value="100000155532"/>'
        "</coding></code>")
    section = read_epi(_write(tmp_path, "typed.xml", text)).smpc.section("4.3")
    assert section is not None
    assert section.found_by == "heading"


def test_an_untyped_document_with_an_smpc_s_headings_is_the_smpc(tmp_path: Path) -> None:
    """No type, no code: the words of its headings say it is an SmPC, their numbers which
    section each is."""
    text = re.sub(r"<code><coding>.*?</coding></code>", "", bundle_xml(smpc_document()))
    text = re.sub(r"<type>.*?</type>", "", text)
    epi = read_epi(_write(tmp_path, "uncoded.xml", text))
    smpc = epi.smpc
    assert smpc is not None
    assert smpc.kind == "smpc"
    assert smpc.section("4.1").found_by == "heading"
    assert smpc.section("10").blocks[0].text == "February 2025"


def test_a_doctype_in_a_json_narrative_is_never_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    hostile = (f'<!DOCTYPE div [<!ENTITY s SYSTEM \\"file://{secret}\\">]>'
               '<div xmlns=\\"http://www.w3.org/1999/xhtml\\"><p>&s;</p></div>')
    text = bundle_json(smpc_document()).replace(
        '"div": "<div xmlns=\\"http://www.w3.org/1999/xhtml\\"><p style=\\"margin:0pt\\">'
        '<span style=\\"font-family:Arial\\">Film-coated tablet.', f'"div": "{hostile}', 1)
    assert hostile in text
    epi = read_epi(_write(tmp_path, "doctype-div.json", text.replace(
        '</span></p><p style=\\"margin:0pt\\"><span style=\\"font-family:Arial\\">White,'
        ' round, biconvex tablets.</span></p></div>"', '"', 1)))
    assert epi.smpc.section("3").blocks == ()
    assert any("its XHTML is refused (a DOCTYPE is not allowed in a narrative" in f.message
               for f in epi.findings), [f.message for f in epi.findings]
    assert not any("root:" in b.text for s in epi.smpc.walk() for b in s.blocks)
