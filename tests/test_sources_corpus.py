"""Real ePIs: the Spanish agency's, beside the repository (``../shared/corpus/epi-aemps``), or
any folder of ePI files ``SMPC_EPI_CORPUS`` names. Third-party text, read where it lies.

Every file imports, or fails with a named reason in one line; never a traceback. In each,
sections 1, 2, 3, 4.1, 4.3, 6.1, 7, 8, 9 and 10 are found (their text every character of
the source's XHTML, whitespace aside) or reported missing or merged by name; the
excipients come out one per list item; every template placeholder is reported.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from smpc_manager.errors import ProblemsError
from smpc_manager.portfolio import Portfolio
from smpc_manager.products import load_product
from smpc_manager.sources import Epi, import_smpc, read_epi
from tests.conftest import REPO

FOLDER = Path(os.environ.get("SMPC_EPI_CORPUS") or REPO.parent / "shared" / "corpus" /
              "epi-aemps")
FILES = sorted(p for p in FOLDER.glob("*") if p.suffix in (".xml", ".json")) \
    if FOLDER.is_dir() else []
KEYS = ("1", "2", "3", "4.1", "4.3", "6.1", "7", "8", "9", "10")
FHIR = "{http://hl7.org/fhir}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SPOR_CODES = {"1": "200000029792", "2": "200000029793", "3": "200000029797",
              "4.1": "200000029799", "4.3": "200000029805", "6.1": "200000029837",
              "7": "200000029844", "8": "200000029845", "9": "200000029846",
              "10": "200000029847"}

pytestmark = pytest.mark.skipif(not FILES, reason=f"no ePI corpus at {FOLDER}")


def _read(path: Path) -> Epi:
    try:
        return read_epi(path)
    except ProblemsError as err:
        pytest.skip(f"refused with a named reason: {err.lines()[0]}")


def _chars(text: str) -> str:
    return "".join(text.split())


def _source_divs(path: Path) -> dict[str, str]:
    """The text of each coded SmPC section's narrative, read here with lxml's own walk."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    found: dict[str, str] = {}
    for section in root.iter(f"{FHIR}section"):
        code = section.find(f"{FHIR}code/{FHIR}coding/{FHIR}code")
        div = section.find(f"{FHIR}text/{XHTML}div")
        if code is not None and div is not None:
            found.setdefault(code.get("value") or "", "".join(div.itertext()))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_section_is_found_whole_or_reported(path: Path) -> None:
    epi = _read(path)
    smpc = epi.smpc
    assert smpc is not None, f"{path.name}: no SmPC"
    reported = {f.message.partition(" ")[0] for f in epi.findings
                if f.field in ("missing", "merged")}
    divs = _source_divs(path) if path.suffix == ".xml" else {}
    for key in KEYS:
        section = smpc.section(key)
        if section is None or section.found_by == "merged":
            assert f"§{key}" in reported, f"{path.name}: §{key} neither found nor reported"
            continue
        if section.found_by == "code" and SPOR_CODES[key] in divs:
            # Only the section's own narrative: what smpc makes of it is every character.
            assert _chars(section.text) == _chars(divs[SPOR_CODES[key]]), f"§{key}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_placeholders_are_reported(path: Path) -> None:
    epi = _read(path)
    raw = path.read_text(encoding="utf-8")
    expected = set(re.findall(r"\{[A-Za-z/ ]{2,12}\}|&lt;(?:tomar|usar)&gt;", raw))
    found = {f.message.rpartition("'")[0].rpartition("'")[2] for f in epi.findings
             if f.field == "placeholder"}
    for placeholder in expected:
        assert placeholder.replace("&lt;", "<").replace("&gt;", ">") in found, placeholder


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_imports_into_a_valid_product(path: Path, tmp_path: Path) -> None:
    try:
        imported = import_smpc([path], Portfolio(root=tmp_path), product_id="imported",
                               now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    except ProblemsError as err:
        lines = err.lines()
        if len(lines) != 1:
            pytest.fail(f"refused in {len(lines)} lines rather than one: {lines}")
        pytest.skip(f"refused with a named reason: {lines[0]}")
    product = load_product(imported.product)
    epi = read_epi(path)
    excipients = epi.smpc.section("6.1")
    if excipients is not None and excipients.found_by != "merged":
        items = list(excipients.all_blocks())
        written = [e for g in product.excipient_groups for e in g.excipients]
        texts = {b.markup for b in items}
        headings = [g.heading for g in product.excipient_groups
                    if g.heading is not None and g.heading.source in texts]
        # one excipient per list item: every item is an excipient, a group's heading, or
        # names the presentation the groups after it are of
        assert len(written) + len(headings) <= len(items)
        assert len(items) - len(written) - len(headings) <= len(product.presentations)
    for note in imported.notes:
        assert str(note).startswith(f"{path}:"), note
