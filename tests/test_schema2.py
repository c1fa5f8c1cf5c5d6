"""Schema 2 (``schemas/product-2.xsd``): one file per defect, and xmllint's agreement.

Every file of ``tests/data/invalid-v2/`` has one defect and ``smpc validate`` reports it as one
``path:line:col`` problem in words, naming the other place it concerns where there is one.
``xmllint --schema`` accepts and refuses what ``smpc validate`` accepts and refuses, except
for the rules XSD 1.0 cannot say: those files are listed in :data:`ONLY_SMPC`, each with the
rule that refuses it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from smpc_manager.cli import main
from smpc_manager.model import PRODUCT_NAMESPACE, SCHEMA_2_LOCATION, SCHEMA_VERSIONS
from smpc_manager.products import validate_file
from tests.conftest import DATA, EXAMPLE, REPO

INVALID = DATA / "invalid-v2"
VALID = DATA / "valid-v2"
SCHEMAS = REPO / "schemas"
SCHEMA_FILES = {1: SCHEMAS / "product.xsd", 2: SCHEMAS / "product-2.xsd"}
XS = "{http://www.w3.org/2001/XMLSchema}"
XMLLINT = shutil.which("xmllint")

#: file stem -> (text on the line the problem is reported at, or (text, its occurrence),
#: and what the message must say, as a regular expression).
CASES: dict[str, tuple[str | tuple[str, int], str]] = {
    # refused by the schema, and so by xmllint
    "missing-presentations": (
        "<excipients>", r"expected <presentations> before <excipients>: it is missing"),
    "presentation-without-id": ("<presentation>", r"<presentation> needs the attribute id$"),
    "bad-presentation-id": (
        '<presentation id="0.5mg">', r"<presentation> attribute id '0\.5mg' is not an id \(a"
                                     r" letter, then letters, digits"),
    "id-used-twice": (
        ('<presentation id="c025">', 2), r"<presentation> attribute id 'c025' is already the"
                                         r" id of <presentation> on line 11; an id names one"),
    "strength-names-unknown-substance": (
        '<strength substance="hzt">', r"strength names substance 'hzt', which is not defined"
                                      r" \(the substances with an id: exa on line 7, hct on"
                                      r" line 8\)$"),
    "strength-names-substance-without-id": (
        '<strength substance="s1">', r"strength names substance 's1', which is not defined \(no"
                                     r" substance has an id; give it one"),
    "dose-names-unknown-indication": (
        '<dose indication="cd">', r"dose names indication 'cd', which is not defined \(the"
                                  r" indications with an id: ms on line 76, uc on line 80\)$"),
    "dose-without-indication": ("<dose>", r"<dose> needs the attribute indication$"),
    "excipient-groups-and-list-mixed": (
        "<excipient>Purified water", r"<excipients> holds either <group> or <excipient>"
                                     r" elements, not both; this <excipient> follows <group>$"),
    "indication-items-and-paragraphs-mixed": (
        "<p>See section 5.1", r"<indications> holds either <indication> or <p> elements, not"
                              r" both; this <p> follows <indication>$"),
    "empty-posology": ("<posology/>", r"<posology> is incomplete: missing <p> or <dose>$"),
    "pack-without-size": (
        '<number markets="IE">EU/1/20/0000/001', r"expected <size> before <number>"),
    "price-with-three-decimals": ("123.456", r"price '123\.456' is not an amount \(digits"),
    "price-without-currency": (
        '<price markets="GB" from', r"<price> needs the attribute currency$"),
    "price-from-impossible-month": (
        'from="2026-13-01"', r"<price> attribute from '2026-13-01' is not a date"),
    "pack-number-without-markets": (
        "<number>EU/1/20/0000/001", r"<number> needs the attribute markets$"),
    "contact-without-phone-email-or-url": (
        "<adverse-event-contact", r"<adverse-event-contact> is incomplete: missing <phone> or"
                                  r" <email> or <url>$"),
    "bad-email": ("<email>", r"email 'drugsafety\.ie\.example\.com' is not an e-mail address"),
    "bad-phone": ("call the office", r"phone 'call the office' is not a telephone number"),
    "representative-without-markets": (
        "<local-representative>", r"<local-representative> needs the attribute markets$"),
    "second-prescription-status-for-a-market": (
        '<prescription-status market="AT">POM', r"a second prescription-status for market AT"
                                                r" \(the first is on line 142\)$"),
    "bad-controlled-drug-code": ("CD 2", r"controlled-drug 'CD 2' is not a code"),
    "smpc-source-with-absolute-path": (
        'path="/srv/', r"<smpc-source> attribute path '/srv/smpc/de\.xml' is not a path"
                       r" relative to the portfolio"),
    "two-smpc-sources-for-a-language": (
        "de-2025.json", r"a second smpc-source for lang de \(the first is on line 148\)$"),
    "warnings-in-schema-2": (
        "<warnings>", r"<warnings> here is a schema 1 element, but the file declares schema 2"
                      r" \(urn:smpc-manager:product:2\), where it has <precautions>.* and"
                      r" <label-warnings>"),
    "cost-in-schema-2": (
        "<cost ", r"<cost> here is a schema 1 element, but the file declares schema 2 .*"
                  r" each pack has its prices"),
    "schema-2-element-in-schema-1": (
        "<presentations>", r"<presentations> is a schema 2 element, but the file declares"
                           r" schema 1 \(urn:smpc-manager:product:1\); migrate it with"
                           r" `smpc migrate`$"),
    "unknown-element": (
        "<orphan-designation>", r"<orphan-designation> is not an element of a product file;"
                                r" expected <atc-code> here$"),
    "atc-code-not-a-code": ("<atc-code>", r"atc-code 'L4AA99' is not an ATC code"),
    "revision-date-impossible-month": (
        "<revision-date>", r"revision-date '2025-13' is not a date \(expected YYYY-MM"),
    "price-in-an-unknown-currency": (
        'currency="pounds"', r"<price> attribute currency 'pounds' is not an ISO 4217"
                             r" currency code"),
    "pack-size-empty": ("<size> </size>", r"<size> is empty; it needs a value$"),
    # refused by smpc alone (ONLY_SMPC)
    "excipient-limited-to-unknown-presentation": (
        '<excipient presentations="c2">', r"excipient 'Iron oxide red \(E 172\)' is limited to"
                                          r" presentation 'c2', which is not defined \(the"
                                          r" presentations, from line 11: c025, c05, c1\)$"),
    "group-limited-to-unknown-presentation": (
        '<group presentations="c05 c2">', r"excipient group 'Printing ink' is limited to"
                                          r" presentation 'c2', which is not defined"),
    "number-limited-to-unknown-presentation": (
        '<number presentations="c5">', r"marketing-authorisation number 'PLGB 00000/0002' is"
                                       r" limited to presentation 'c5', which is not defined"),
    "pack-holds-unknown-presentation": (
        '<pack id="c025-28" presentations="c025 c2">', r"pack 'c025-28' holds presentation"
                                                       r" 'c2', which is not defined \(the"
                                                       r" presentations, from line 11: c025,"
                                                       r" c05, c1\)$"),
    "pack-holds-not-its-own-presentation": (
        '<pack id="c05-28" presentations="c025 c1">', r"pack 'c05-28' stands in presentation"
                                                      r" 'c05' \(line 24\), but its"
                                                      r' presentations "c025 c1" do not name'
                                                      r" it; name every presentation the pack"
                                                      r" holds, this one among them$"),
    "excipient-limited-to-a-substance": (
        '<excipient presentations="exa">', r"is limited to 'exa', the id of the substance on"
                                           r" line 7, not of a presentation \(the"
                                           r" presentations, from line 11:"),
    "pack-number-for-unauthorised-market": (
        '<number markets="CH">', r"pack number for market CH, but no marketing-authorisation"
                                 r" of the product covers CH \(the marketing-authorisations on"
                                 r" line\(s\) 133, 136 cover: EU GB\)$"),
    "holder-for-unauthorised-market": (
        '<marketing-authorisation-holder markets="CH">',
        r"marketing-authorisation-holder for market CH, but no marketing-authorisation"),
    "two-presentations-alike": (
        '<presentation id="t160-12">', r"presentation 't160-12' has the same strength and form"
                                       r" as presentation 't80-12' on line 11 \(80 mg \+ 12\.5"
                                       r" mg film-coated tablets\)"),
    "strength-without-its-substance": (
        "<strength>12.5 mg", r"strength '12\.5 mg' does not say which substance it is of; the"
                             r" product has 2 active substances \(from line 7\): add"
                             r' substance="\.\.\." naming one of exa, hct$'),
    "strength-of-a-substance-missing": (
        '<presentation id="t160-12">', r"presentation 't160-12' gives no strength of the"
                                       r" substance 'hct' \(hydrochlorothiazide, line 8\)$"),
    "two-strengths-of-one-substance": (
        "<strength>0.5 mg</strength>", r"presentation 'c025' has 2 strengths, but the"
                                              r" product has one active substance \(line 8\)"),
    "first-name-with-markets": (
        '<name markets="IE">', r'the first <name> holds in every market and names none; found'
                               r' markets="IE"'),
    "second-holder-without-markets": (
        ("<marketing-authorisation-holder>", 2),
        r"a second <marketing-authorisation-holder> without markets \(the first, for every"
        r" market, is on line 115\)"),
    "two-names-for-a-market": (
        '<name markets="IE GB">', r"a second name for market GB \(the first is on line 6\)$"),
    "two-prices-from-one-day": (
        'from="2025-01-01">246.90', r"a second price from 2025-01-01 in this pack for market"
                                    r" GB \(the first is on line 34\)$"),
    "empty-excipient-group-heading": (
        "<heading> </heading>", r"excipient-group is empty; write its text or remove the"),
    "id-not-the-file-name": (
        "<product ", r"product id 'capsules-three-strengths' does not match the file name"
                     r" 'id-not-the-file-name\.xml'"),
}

#: The files that xmllint accepts and smpc refuses, and the rule beyond XSD 1.0 that refuses
#: each. XSD 1.0 compares a list of ids (presentations="p1 p2") as one value, cannot tie an
#: attribute to an element's place among its siblings, nor compare one element's children
#: with another's, and mixed content cannot require text.
ONLY_SMPC = {
    "excipient-limited-to-unknown-presentation": "a list of presentations names an unknown id",
    "group-limited-to-unknown-presentation": "a list of presentations names an unknown id",
    "number-limited-to-unknown-presentation": "a list of presentations names an unknown id",
    "excipient-limited-to-a-substance": "a list of presentations names another kind's id",
    "pack-holds-unknown-presentation": "a list of presentations names an unknown id",
    "pack-holds-not-its-own-presentation": "a pack of several presentations names its own",
    "pack-number-for-unauthorised-market": "a market no marketing-authorisation covers",
    "holder-for-unauthorised-market": "a market no marketing-authorisation covers",
    "two-names-for-a-market": "one name per market",
    "two-prices-from-one-day": "one price per market and day in a pack",
    "first-name-with-markets": "the first name holds in every market",
    "second-holder-without-markets": "a further holder names its markets",
    "two-presentations-alike": "no two presentations with the same strengths and form",
    "strength-without-its-substance": "a strength of a combination names its substance",
    "strength-of-a-substance-missing": "each presentation gives every substance's strength",
    "two-strengths-of-one-substance": "a product of one substance: one strength",
    "empty-excipient-group-heading": "no empty text (schema 1 has the same rule)",
    "id-not-the-file-name": "the id is the file name (schema 1 has the same rule)",
}


def line_of(path: Path, marker: str | tuple[str, int]) -> int:
    """The 1-based line of an occurrence of marker in the file (the first, or the n-th)."""
    text, nth = (marker, 1) if isinstance(marker, str) else marker
    data = path.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = data.find(text, at + 1)
        assert at >= 0, f"{text!r} not {nth} times in {path}"
    return data[:at].count("\n") + 1


def version_of(path: Path) -> int:
    return SCHEMA_VERSIONS[etree.QName(etree.parse(str(path)).getroot()).namespace or ""]


def xmllint(path: Path) -> subprocess.CompletedProcess[str]:
    """xmllint's verdict on a product file, against the schema its namespace names."""
    assert XMLLINT is not None
    return subprocess.run(
        [XMLLINT, "--noout", "--nonet", "--schema", str(SCHEMA_FILES[version_of(path)]),
         str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_every_defect_file_has_a_case() -> None:
    assert {p.stem for p in INVALID.glob("*.xml")} == set(CASES)
    assert set(ONLY_SMPC) <= set(CASES)
    # issue 22: xmllint and smpc validate agree on 30 or more one-defect files
    assert len(set(CASES) - set(ONLY_SMPC)) >= 30


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_problem_where_the_defect_is(case: str) -> None:
    path = INVALID / f"{case}.xml"
    marker, words = CASES[case]
    problems = validate_file(path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.location.line == line_of(path, marker), problem
    assert problem.location.column > 0, problem
    assert re.search(words, problem.message), problem.message


def test_validate_reports_every_file_in_one_run(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(INVALID)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(INVALID))]
    assert len(lines) == len(CASES)
    for case, (marker, _) in CASES.items():
        path = INVALID / f"{case}.xml"
        assert any(re.match(rf"{re.escape(str(path))}:{line_of(path, marker)}:\d+: ", line)
                   for line in lines), case
    assert "Traceback" not in result.output
    assert result.output.rstrip().endswith(f"{len(CASES)} error(s) in {len(CASES)} files")


def test_valid_files_validate(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(VALID)])
    assert result.exit_code == 0, result.output
    count = len(list(VALID.glob("*.xml")))
    assert result.output.strip() == f"{count} files valid"


def accepted_files() -> list[Path]:
    return sorted([*VALID.glob("*.xml"), *(EXAMPLE / "products").glob("*.xml")])


@pytest.mark.skipif(XMLLINT is None, reason="xmllint is not installed")
@pytest.mark.parametrize("path", accepted_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_xmllint_accepts_what_smpc_accepts(path: Path) -> None:
    assert [p for p in validate_file(path) if p.severity == "error"] == []
    done = xmllint(path)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(XMLLINT is None, reason="xmllint is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_xmllint_refuses_what_smpc_refuses(case: str) -> None:
    """Both refuse every defect file, but those of the rules XSD 1.0 cannot say."""
    path = INVALID / f"{case}.xml"
    assert validate_file(path)
    done = xmllint(path)
    if case in ONLY_SMPC:
        assert done.returncode == 0, f"xmllint now refuses {case}: move it out of ONLY_SMPC"
    else:
        assert done.returncode != 0, f"xmllint accepts {case}"


@pytest.mark.skipif(XMLLINT is None, reason="xmllint is not installed")
def test_the_catalog_maps_the_public_location_to_the_shipped_schema() -> None:
    """An editor that follows a product file's xml-model instruction through
    ``schemas/catalog.xml`` validates against the shipped schema, offline."""
    path = VALID / "capsules-three-strengths.xml"
    assert f'<?xml-model href="{SCHEMA_2_LOCATION}"' in path.read_text(encoding="utf-8")
    assert XMLLINT is not None
    done = subprocess.run(
        [XMLLINT, "--noout", "--nonet", "--schema", SCHEMA_2_LOCATION, str(path)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "XML_CATALOG_FILES": str(SCHEMAS / "catalog.xml")},
    )
    assert done.returncode == 0, done.stderr


def test_every_element_and_attribute_of_schema_2_is_documented() -> None:
    tree = etree.parse(str(SCHEMA_FILES[2]))
    undocumented = []
    for kind in ("element", "attribute", "simpleType", "complexType", "unique", "keyref"):
        for node in tree.iter(f"{XS}{kind}"):
            name = node.get("name") or node.get("ref")
            if name is None or node.get("ref") == "xml:lang":  # anonymous; or in xml.xsd
                continue
            doc = node.find(f"{XS}annotation/{XS}documentation")
            if doc is None or not (doc.text or "").strip():
                undocumented.append(f"{kind} {name} (line {node.sourceline})")
    assert undocumented == []


def test_the_notes_name_no_example_product() -> None:
    """The documentation becomes the translators' notes: it describes the field, never an
    example product's values."""
    text = SCHEMA_FILES[2].read_text(encoding="utf-8")
    for value in ("BESPONSA", "inotuzumab", "Sucrose", "Pfizer", "EU/1/17/1200"):
        assert value not in text


def test_both_schemas_know_the_same_countries() -> None:
    def countries(path: Path) -> list[str]:
        tree = etree.parse(str(path))
        (code,) = tree.xpath("//xs:simpleType[@name='CountryCode']",
                             namespaces={"xs": XS[1:-1]})
        return [e.get("value") for e in code.iter(f"{XS}enumeration")]

    assert countries(SCHEMA_FILES[2]) == countries(SCHEMA_FILES[1])


def test_an_unknown_schema_version_is_named(tmp_path: Path) -> None:
    path = tmp_path / "capsules-three-strengths.xml"
    text = (VALID / path.name).read_text(encoding="utf-8")
    path.write_text(text.replace("product:2", "product:3"), encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.location.line == line_of(path, "<product ")
    assert problem.message == (
        f'the root element must be <product xmlns="{PRODUCT_NAMESPACE}">; found <product> in'
        ' namespace "urn:smpc-manager:product:3" (this version of smpc reads schemas 1 and 2;'
        " a newer one may read it)")


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE product [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
    '<!DOCTYPE product [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n',
])
def test_schema_2_files_are_read_as_hardened_as_schema_1(tmp_path: Path, prolog: str) -> None:
    path = tmp_path / "capsules-three-strengths.xml"
    text = (VALID / path.name).read_text(encoding="utf-8")
    path.write_text(text.replace("<!--", prolog + "<!--", 1), encoding="utf-8")
    (problem,) = validate_file(path)
    assert "a DOCTYPE is not allowed in a product file" in problem.message


def test_a_schema_2_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "capsules-three-strengths.xml"
    text = (VALID / path.name).read_text(encoding="utf-8")
    path.write_text(text.replace("<!--", "<!--" + "x" * 3_000_000, 1), encoding="utf-8")
    (problem,) = validate_file(path)
    assert "over the limit" in problem.message
