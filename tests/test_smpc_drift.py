"""Issue 24's acceptance: drift is caught, and the approved wording prefills the catalogs.

**Drift.** Every real ePI of the corpus (``../shared/corpus/epi-aemps`` beside the
repository, or the folder ``SMPC_EPI_CORPUS`` names; third-party text, read where it lies)
is imported into a portfolio of its own whose one market, ES, prints composition,
excipients, indications and contraindications word for word from the Spanish SmPC. As
imported, ``check`` finds nothing about the SmPC, and ``impact`` of the file against itself
no change. Then one word is changed in each section the market prints (a word of the
printed text that the section holds once): ``check`` finds every changed section, naming its
code, and so does ``impact``.

**Prefill.** The German BESPONSA catalog ``smpc import`` prefills from the example's German
SmPC equals the hand-made catalog on every field the Austrian profile prints word for word.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from smpc_manager.audit import check
from smpc_manager.catalogs import read_catalog
from smpc_manager.consistency import SourceFinding
from smpc_manager.impact import impact
from smpc_manager.markets import SMPC_SECTION_OF, load_profile
from smpc_manager.portfolio import Portfolio, load_portfolio
from smpc_manager.products import load_product
from smpc_manager.render import Renderer
from smpc_manager.sources import (
    Document,
    Section,
    import_smpc,
    read_epi,
    section,
    section_text,
)
from tests.conftest import EXAMPLE, REPO

FOLDER = Path(os.environ.get("SMPC_EPI_CORPUS") or REPO.parent / "shared" / "corpus" /
              "epi-aemps")
FILES = sorted(p for p in FOLDER.glob("*") if p.suffix in (".xml", ".json")) \
    if FOLDER.is_dir() else []
FHIR = "{http://hl7.org/fhir}"
NS = {"f": "http://hl7.org/fhir"}
NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
DAY = NOW.date()
#: A portfolio in Spanish whose market prints four sections of the SmPC word for word.
SETTINGS = """source-locale = "es"
markets = ["ES"]

[profiles.ES]
locale = "es_ES"
title = "Summary of product characteristics"

[profiles.ES.prescription]
Rx = "Medicinal product subject to medical prescription"

[[profiles.ES.element]]
field = "composition"
smpc = "verbatim"

[[profiles.ES.element]]
field = "excipients"
smpc = "verbatim"

[[profiles.ES.element]]
field = "indications"
smpc = "verbatim"

[[profiles.ES.element]]
field = "contraindications"
smpc = "verbatim"

[[profiles.ES.element]]
field = "prescription-status"
"""
LABELS = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: es\\n"

msgid "Summary of product characteristics"
msgstr "Ficha técnica"

msgid "Medicinal product subject to medical prescription"
msgstr "Medicamento sujeto a prescripción médica"

msgid "Rendered from %(source)s for market %(market)s."
msgstr "Generado a partir de %(source)s para el mercado %(market)s."
"""
#: What the import writes where it could not fill a field (``sources/draft.py``).
TO_FILL = "[to be completed]"
#: A word to change: letters only, long enough to be a word of the text.
WORD = re.compile(r"[^\W\d_]{5,}")


def portfolio_of(path: Path, root: Path) -> Path:
    """A portfolio made by ``smpc import`` of the SmPC ``path``, its product served in ES:
    the product file it drafted, with a prescription status for ES added."""
    (root / "locales" / "es" / "LC_MESSAGES").mkdir(parents=True)
    (root / "smpc.toml").write_text(SETTINGS, encoding="utf-8")
    (root / "locales" / "es" / "LC_MESSAGES" / "smpc.po").write_text(LABELS, encoding="utf-8")
    try:
        imported = import_smpc([path], load_portfolio(root), product_id="p", now=NOW)
    except Exception as err:  # the corpus test says why each one is refused
        pytest.skip(f"{path.name} does not import: {err}")
    product = imported.product
    xml = product.read_text(encoding="utf-8")
    if 'markets="ES"' not in xml and 'markets="EU"' not in xml:
        pytest.skip(f"{path.name}: its authorisation is not for Spain")
    end = xml.rindex("</marketing-authorisation>") + len("</marketing-authorisation>")
    product.write_text(xml[:end] + '\n  <prescription-status market="ES">Rx'
                       "</prescription-status>" + xml[end:], encoding="utf-8")
    return root


def smpc_findings(root: Path) -> list[tuple[str, str | None, str | None]]:
    """The findings of ``check`` about the SmPC, (rule, section, section code), but those
    about a text the import left to fill: a group of excipients §6.1 gives under no heading
    among groups that have one, headed ``[to be completed]`` and reported so by the import,
    which no SmPC holds until a person has filled it."""
    report = check([root / "products" / "p.xml"], as_of=DAY)
    return [(f.rule, f.section, f.section_code) for f in report.findings
            if isinstance(f, SourceFinding) and not (f.diff or "").endswith(f"{{+{TO_FILL}+}}")]


# ------------------------------------------------------------------------ mutating a word


def _elements(document: Document, root: etree._Element) -> dict[int, etree._Element]:
    """Each section of ``document`` with the FHIR ``section`` element it was read from: the
    sections of the Composition whose section titles are the document's, walked alike."""
    def titles(element: etree._Element) -> list[str]:
        return [" ".join(str(s.xpath("string(f:title/@value)", namespaces=NS)).split())
                for s in element.iterfind(f"{FHIR}section")]

    def walk(sections: tuple[Section, ...], element: etree._Element) -> None:
        for part, child in zip(sections, element.iterfind(f"{FHIR}section"), strict=True):
            found[id(part)] = child
            walk(part.subsections, child)

    wanted = [" ".join(s.title.split()) for s in document.sections]
    for composition in root.iter(f"{FHIR}Composition"):
        if titles(composition) == wanted:
            found: dict[int, etree._Element] = {}
            walk(document.sections, composition)
            return found
    pytest.skip("the SmPC's Composition is not found in the file")


def _own_divs(section: Section, elements: dict[int, etree._Element]) -> list[etree._Element]:
    """The narratives of ``section`` and of its sub-sections that are not sections of the
    template: where its own text is."""
    divs = list(elements[id(section)].iterfind(f"{FHIR}text/{{*}}div"))
    for sub in section.subsections:
        if sub.key is None:
            divs.extend(_own_divs(sub, elements))
    return divs


def _change_once(divs: list[etree._Element], word: str) -> bool:
    """Change the first ``word`` in the text of ``divs`` (``wordzq``); whether it was there."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    for div in divs:
        for node in div.iter():
            for attribute in ("text", "tail"):
                if node is div and attribute == "tail":
                    continue
                text = getattr(node, attribute)
                if text and pattern.search(text):
                    setattr(node, attribute, pattern.sub(word + "zq", text, count=1))
                    return True
    return False


def mutate(kept: Path, target: Path, root: Path) -> tuple[dict[str, str], set[str]]:
    """Write to ``target`` the SmPC ``kept`` with one word changed in each section the ES
    market prints word for word, a word of its printed text the section holds once;
    return the sections changed, each with its word, and the sections printed."""
    document = read_epi(kept).smpc
    assert document is not None
    tree = etree.parse(str(kept), etree.XMLParser(resolve_entities=False, no_network=True,
                                                  huge_tree=True))
    elements = _elements(document, tree.getroot())
    portfolio = load_portfolio(root)
    product = load_product(root / "products" / "p.xml")
    fields = load_profile("ES", portfolio).verbatim_fields()
    printed = Renderer(portfolio).printed(product, "ES", fields)
    changed: dict[str, str] = {}
    shown = {SMPC_SECTION_OF[f] for f in fields if printed[f]}
    for field in fields:
        key = SMPC_SECTION_OF[field]
        found = document.section(key)
        text = section_text(document, key) or ""
        if found is None or key in changed:
            continue
        host = found if found.found_by != "merged" else document.section(found.merged_into
                                                                        or "")
        if host is None or id(host) not in elements:
            continue
        divs = _own_divs(host, elements)
        words = [w for _, message in printed[field] for w in WORD.findall(message)]
        for word in dict.fromkeys(words):
            once = len(re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", text)) == 1
            if once and _change_once(divs, word):
                changed[key] = word
                break
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return changed, shown


# ------------------------------------------------------------------------ the tests


@pytest.mark.skipif(not FILES, reason=f"no ePI corpus at {FOLDER}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_word_changed_in_a_printed_section_is_found(path: Path, tmp_path: Path) -> None:
    if path.suffix != ".xml":
        pytest.skip("words are changed in the XML form")
    root = portfolio_of(path, tmp_path / "portfolio")
    kept = root / "sources" / "p" / "es.xml"
    portfolio = load_portfolio(root)
    # As imported: nothing about the SmPC, and no change against itself.
    assert smpc_findings(root) == []
    assert impact(kept, kept, portfolio).sections == ()
    mutated = tmp_path / "new.xml"
    changed, shown = mutate(kept, mutated, root)
    assert set(changed) == shown, f"a word changed in each section printed: {changed}"
    # impact: every section changed, named by its code, and printed in ES.
    found = impact(kept, mutated, portfolio)
    sections = {s.change.key: s for s in found.sections}
    assert set(changed) <= set(sections), (changed, list(sections))
    for key in changed:
        assert sections[key].change.code == section(key).code
        assert any(p.market == "ES" for p in sections[key].printed), key
        assert changed[key] + "zq" in sections[key].change.diff
    assert found.affected
    # check: the new version in the portfolio's place, every change found by its code.
    kept.write_bytes(mutated.read_bytes())
    findings = smpc_findings(root)
    assert {(s, c) for rule, s, c in findings if rule == "smpc-verbatim"} >= {
        (key, section(key).code) for key in changed}, (changed, findings)


def test_the_prefilled_german_catalog_is_the_hand_made_one(tmp_path: Path) -> None:
    root = tmp_path / "portfolio"
    root.mkdir()
    sources = EXAMPLE / "sources" / "besponsa"
    imported = import_smpc([sources / "en.xml", sources / "de.xml"], Portfolio(root=root),
                           product_id="besponsa", now=NOW)
    (catalog,) = imported.catalogs
    prefilled = read_catalog(catalog.path)
    made = read_catalog(EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")
    fields = load_profile("AT").verbatim_fields()

    def entries(found: object) -> dict[tuple[str | None, str], tuple[str, bool]]:
        return {(m.context, m.id): (m.string, m.fuzzy) for m in found  # type: ignore[attr-defined]
                if m.id and (m.context or "").split("#")[0] in fields}

    by_hand, by_import = entries(made), entries(prefilled)
    assert by_hand
    for key, translated in by_hand.items():
        assert by_import.get(key) == translated, key
    # and nothing more, but the cross-reference to §6.1 the SmPC's §2 ends with, which the
    # example does not print
    assert set(by_import) - set(by_hand) == {
        ("composition", "For the full list of excipients, see section 6.1.")}
