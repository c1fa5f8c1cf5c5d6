"""Rendering: the seed's Fachkurzinformation, the goldens of every market and format, Babel
formatting, and refusal instead of an English fallback.

Run ``pytest --update-goldens`` to rewrite the files under ``tests/golden/`` after an intended
change; review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import doctest
import gettext
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from smpc_manager import tooldomain
from smpc_manager.catalogs import load_catalog
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError, UsageError
from smpc_manager.markets import elements, profiles
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio, load_portfolio
from smpc_manager.products.loader import load_product
from smpc_manager.render import EXTENSIONS, Input, Renderer, l10n, translation_problems
from smpc_manager.render.compose import Paragraph, Part
from smpc_manager.render.formats.text import text_block
from smpc_manager.render.inputs import template_dir
from smpc_manager.render.templates import Template

from .conftest import DATA, EXAMPLE, GOLDEN, Goldens

BESPONSA = EXAMPLE / "products" / "besponsa.xml"
GB = DATA / "gb"
#: The day the renderers' clock says it is: an expiry is judged as of it when a rendering
#: names no day.
TODAY = dt.date(2026, 11, 25)


def today() -> dt.date:
    return TODAY


def _load(root: Path) -> tuple[Portfolio, Product]:
    return load_portfolio(root), load_product(root / "products" / "besponsa.xml")


@pytest.fixture(scope="module")
def example() -> tuple[Renderer, Product]:
    portfolio, product = _load(EXAMPLE)
    return Renderer(portfolio, clock=today), product


def _catalog(root: Path) -> Path:
    return root / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"


def _edit_entry(po: Path, msgctxt: str, change: str, nth: int = 1) -> int:
    """Change one entry of a catalog, the ``nth`` of its field ``msgctxt`` (``fuzzy``,
    ``empty`` or a replacement pair ``a=>b``); return the line of the entry's msgctxt."""
    lines = po.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if line == f'msgctxt "{msgctxt}"']
    start = starts[nth - 1]
    if change == "fuzzy":
        lines.insert(start, "#, fuzzy")
    else:
        end = start
        while end < len(lines) and lines[end].strip():
            end += 1
        block = "\n".join(lines[start:end])
        if change == "empty":
            head = block[: block.index("msgstr")]
            block = head + 'msgstr ""'
        else:
            old, new = change.split("=>")
            assert old in block.split("msgstr", 1)[1]
            block = block.split("msgstr", 1)[0] + "msgstr" + \
                block.split("msgstr", 1)[1].replace(old, new)
        lines[start:end] = block.split("\n")
    po.write_text("\n".join(lines), encoding="utf-8")
    return start + 1


# ------------------------------------------------------------------------ the seed


def _normalise(text: str) -> str:
    """The seed's block and ours, compared modulo the seed's line-break artefacts only:
    whitespace runs, a hyphen split at a line end (``CD22-\\npositiver``), a space after a
    slash at a line break (``VOD/ SOS``), and the missing space in ``1mg``."""
    text = re.sub(r"-[ \t]*\n[ \t]*(?=[a-zäöü])", "-", text)  # hyphenation at a line end
    text = " ".join(text.split())
    text = re.sub(r"/ (?=\S)", "/", text)
    return re.sub(r"(\d)mg\b", r"\1 mg", text)


def test_at_reproduces_the_seed(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    ours = renderer.render(product, "AT").content
    seed = (DATA / "seed-at.txt").read_text(encoding="utf-8")
    assert _normalise(ours) == _normalise(seed)
    # and the layout: a title, a blank line, one paragraph per line as in the seed
    lines = ours.splitlines()
    assert lines[:3] == ["Fachkurzinformation", "",
                         "BESPONSA 1 mg Pulver für ein Konzentrat zur Herstellung einer"
                         " Infusionslösung"]
    assert [line.split(":")[0] for line in lines[3:]] == [
        "Qualitative und quantitative Zusammensetzung", "Liste der sonstigen Bestandteile",
        "Anwendungsgebiete", "Gegenanzeigen", "Pharmakotherapeutische Gruppe",
        "Inhaber der Zulassung", "Stand der Information", "Rezeptpflicht/Apothekenpflicht",
    ]


def test_the_normalisation_is_not_blind() -> None:
    seed = (DATA / "seed-at.txt").read_text(encoding="utf-8")
    for wrong in (seed.replace("Februar 2022", "Feber 2022"),
                  seed.replace("Sucrose, Polysorbat 80", "Polysorbat 80, Sucrose"),
                  seed.replace("Rezept- und", "Rezept und"),
                  seed.replace("Belgien.", "Belgien")):
        assert _normalise(wrong) != _normalise(seed)


# ------------------------------------------------------------------------ goldens

CASES = [(EXAMPLE, m) for m in ("AT", "DE", "IE")] + [(GB, "GB")]


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize(("root", "market"), CASES, ids=[m for _, m in CASES])
def test_golden(root: Path, market: str, fmt: str, goldens: Goldens) -> None:
    portfolio, product = _load(root)
    rendering = Renderer(portfolio, clock=today).render(product, market, fmt=fmt)
    goldens.check(f"besponsa-{market}.{EXTENSIONS[fmt]}", rendering.content)
    assert (rendering.market, rendering.product_id, rendering.fmt) == (market, "besponsa", fmt)


def test_acceptance_contents() -> None:
    def golden(name: str) -> str:
        return (GOLDEN / name).read_text(encoding="utf-8")

    de = golden("besponsa-DE.txt")
    for needed in ("Wirkstoff: Inotuzumab Ozogamicin", "Nebenwirkungen:", "Warnhinweise:",
                   "Verschreibungspflichtig.", "Pharmazeutischer Unternehmer:",
                   "Stand: Februar 2022."):
        assert needed in de
    ie = golden("besponsa-IE.txt")
    assert "Indications: BESPONSA is indicated as monotherapy" in ie
    assert "Legal category: S1A." in ie
    assert "Marketing authorisation number: EU/1/17/1200/001." in ie
    assert "HPRA Pharmacovigilance" in ie
    gb = golden("besponsa-GB.txt")
    assert "Legal category: POM." in gb
    assert "Cost excluding VAT: £6,000.00 per pack of 1 vial." in gb
    assert "PLGB 00057/1488" in gb
    assert "Yellow Card" in gb


# ------------------------------------------------------------------------ formatting


def test_january_is_jaenner_in_austria_only(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "<revision-date>2022-02", "<revision-date>2022-01"), encoding="utf-8")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(xml)
    assert "Stand der Information: Jänner 2022." in renderer.render(product, "AT").content
    assert "Stand: Januar 2022." in renderer.render(product, "DE").content
    assert "Date of revision: January 2022." in renderer.render(product, "IE").content
    # a German preview in Austria's profile but Germany's language variant
    assert "Stand der Information: Januar 2022." in \
        renderer.render(product, "AT", locale="de_DE").content


def test_country_named_in_the_locale(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    assert "1050 Brüssel, Belgien." in renderer.render(product, "AT").content
    assert "1050 Brussels, Belgium." in renderer.render(product, "AT", locale="en").content


def test_numbers_in_untranslated_fields_follow_the_locale(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "<strength>1 mg</strength>", "<strength>0.5 mg</strength>"), encoding="utf-8")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(xml)
    assert "BESPONSA 0,5 mg Pulver" in renderer.render(product, "AT").content
    assert "BESPONSA 0.5 mg powder" in renderer.render(product, "IE").content


def test_english_preview_of_the_austrian_profile(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    rendering = renderer.render(product, "AT", locale="en")
    assert rendering.locale == "en"
    lines = rendering.content.splitlines()
    assert lines[0] == "Abbreviated summary of product characteristics"
    assert lines[-1].startswith("Prescription and pharmacy status: Subject to prescription")
    assert "Date of revision of the text: February 2022." in lines
    assert not any(key.startswith("locales/") for key in rendering.inputs)


def test_wirkstoff_only_for_one_substance_not_in_the_name(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    source = xml.read_text(encoding="utf-8")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    assert "Wirkstoff: Inotuzumab Ozogamicin" in \
        renderer.render(load_product(xml), "DE").content
    xml.write_text(source.replace("<name>BESPONSA</name>",
                                  "<name>Inotuzumab Ozogamicin Pfizer</name>"),
                   encoding="utf-8")
    named = renderer.render(load_product(xml), "DE").content
    assert "Wirkstoff:" not in named
    assert named.splitlines()[2].startswith("Inotuzumab Ozogamicin Pfizer 1 mg")
    # and with two active substances it is never printed (the English preview needs no
    # catalog for the new substance)
    xml.write_text(source.replace(
        "<substance>inotuzumab ozogamicin</substance>",
        "<substance>inotuzumab ozogamicin</substance><substance>sucrose</substance>"),
        encoding="utf-8")
    assert "Active substance:" not in renderer.render(load_product(xml), "DE", "en").content
    assert "Active substance: inotuzumab ozogamicin" in \
        renderer.render(load_product(BESPONSA), "DE", "en").content


# ------------------------------------------------------------------------ refusal


def test_every_unusable_message_is_listed(portfolio: Path) -> None:
    po = _catalog(portfolio)
    _edit_entry(po, "indications", "fuzzy")
    _edit_entry(po, "contraindications", "empty", nth=2)
    _edit_entry(po, "composition", "0,25 mg=>0.25 mg", nth=2)
    xml = portfolio / "products" / "besponsa.xml"
    product = load_product(xml)
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    out = portfolio / "out.txt"
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT")
    assert not out.exists()
    lines = caught.value.lines()
    xml_lines = xml.read_text(encoding="utf-8").splitlines()

    def where(fragment: str) -> str:
        number, line = next((i, line) for i, line in enumerate(xml_lines, 1)
                            if fragment in line)
        return f"{xml}:{number}:{line.index('<p>') + 1}"

    assert lines == [
        f"{where('After reconstitution')}: composition: failed in de_AT: the number 0.25"
        " is missing: in de_AT it is written 0,25 [numbers]",
        f"{where('BESPONSA is indicated as monotherapy')}: indications: fuzzy in de_AT:"
        " the English changed or the translation needs review",
        f"{where('Patients who have experienced')}: contraindications: untranslated in"
        " de_AT: not translated yet",
    ]
    # the same list without rendering, for smpc check
    assert [str(p) for p in translation_problems(product, load_portfolio(portfolio),
                                                 "AT")] == lines
    # English needs no catalog: the same product still renders in the source language
    assert renderer.render(product, "IE").content
    assert renderer.render(product, "AT", locale="en").content


def test_no_catalog_for_the_language(portfolio: Path) -> None:
    shutil.rmtree(portfolio / "locales" / "de")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "DE")
    assert caught.value.lines() == [
        f"{product.location}: no de_DE catalog for besponsa: every message would be English"
        " (expected locales/de/LC_MESSAGES/besponsa.po; run smpc init)"
    ]


def test_tool_labels_are_refused_too(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", locale="fr")
    lines = caught.value.lines()
    assert lines[0] == ("smpc_manager/locales/fr/LC_MESSAGES/smpc.po: no catalog of the tool's"
                        " labels and legal phrases for fr: they cannot be printed in that"
                        " language")
    assert lines[1].endswith("no fr catalog for besponsa: every message would be English"
                             " (expected locales/fr/LC_MESSAGES/besponsa.po; run smpc init)")
    assert len(lines) == 2


def test_a_portfolio_label_without_translation_is_refused(portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[profiles.DE]
locale = "de_DE"
title = "Mandatory information"

[profiles.DE.prescription]
Rx = "Prescription only"

[[profiles.DE.element]]
field = "name"
end = ""

[[profiles.DE.element]]
field = "indications"
label = "Area of use"
""", encoding="utf-8")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "DE")
    assert caught.value.lines() == [
        f"{config}:24: DE label of indications 'Area of use' has no usable de_DE"
        " translation: not translated in smpc_manager/locales/de/LC_MESSAGES/smpc.po"
    ]
    # the portfolio may carry its own smpc catalog for its own labels
    own = portfolio / "locales" / "de" / "LC_MESSAGES" / "smpc.po"
    own.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                   'msgid "Area of use"\nmsgstr "Anwendungsbereich"\n', encoding="utf-8")
    rendering = Renderer(load_portfolio(portfolio), clock=today).render(product, "DE")
    assert "Anwendungsbereich: BESPONSA ist indiziert" in rendering.content
    assert "locales/de/LC_MESSAGES/smpc.po" in rendering.inputs
    assert "smpc_manager/locales/de/LC_MESSAGES/smpc.po" in rendering.inputs


def test_missing_market_data_is_refused(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    text = re.sub(r"\s*<posology>.*?</posology>", "", text, flags=re.DOTALL)
    text = text.replace('<prescription-status market="IE">S1A', '<prescription-status'
                        ' market="IE">S9')
    xml.write_text(text, encoding="utf-8")
    product = load_product(xml)
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "IE")
    status_line = next(i for i, line in enumerate(text.splitlines(), 1) if "S9" in line)
    assert caught.value.lines() == [
        f"{product.location}: posology: the IE profile requires the posology section, and"
        " the product has none",
        f"{xml}:{status_line}:3: prescription-status 'S9' is not a code of the IE profile"
        " (known: S1A, S1B, S2)",
    ]
    with pytest.raises(ProblemsError, match="requires a cost for GB"):
        renderer.render(product, "GB", locale="en")


def test_usage_errors(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    with pytest.raises(UsageError, match="unknown market 'XX'"):
        renderer.render(product, "XX")
    with pytest.raises(UsageError, match="unknown locale 'qq'"):
        renderer.render(product, "AT", locale="qq")
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        renderer.render(product, "AT", fmt="pdf")


# ------------------------------------------------------------------------ expired summaries

LATER = dt.date(2030, 1, 1)  # after the example's review-by, 2027-12-31
REVIEW_BY_LINE = BESPONSA.read_text(encoding="utf-8").split("\n").index(
    "  <review-by>2027-12-31</review-by>") + 1
REVIEW_BY_PASSED = (f"{BESPONSA}:{REVIEW_BY_LINE}:3: review-by 2027-12-31 has passed (as of"
                    " 2030-01-01): re-verify against the current SmPC")


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_an_expired_summary_is_refused_as_smpc_render_refuses_it(fmt: str) -> None:
    portfolio, product = _load(EXAMPLE)
    renderer = Renderer(portfolio, clock=today)
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", fmt=fmt, as_of=LATER)
    assert caught.value.lines() == [REVIEW_BY_PASSED]
    assert renderer.problems(product, "AT", as_of=LATER) == list(caught.value.problems)
    # the command line says the same, with the same exit code
    result = CliRunner().invoke(main, ["render", str(BESPONSA), "--market", "AT",
                                       "--format", fmt, "--as-of", "2030-01-01"])
    assert (result.exit_code, result.stdout, result.stderr.splitlines()) == \
        (1, "", [REVIEW_BY_PASSED])
    # and on a day before, the same renderer prints the text
    assert renderer.render(product, "AT", fmt=fmt, as_of=TODAY).content
    assert renderer.problems(product, "AT", as_of=TODAY) == []


def test_without_a_day_the_expiry_is_judged_as_of_today() -> None:
    portfolio, product = _load(EXAMPLE)
    with pytest.raises(ProblemsError) as caught:
        Renderer(portfolio, clock=lambda: LATER).render(product, "DE")
    assert caught.value.lines() == [REVIEW_BY_PASSED]
    assert Renderer(portfolio, clock=lambda: LATER).problems(product, "DE") == \
        list(caught.value.problems)
    assert Renderer(portfolio, clock=today).render(product, "DE").content == \
        (GOLDEN / "besponsa-DE.txt").read_text(encoding="utf-8")


def test_an_expired_summary_is_listed_with_its_other_problems(portfolio: Path) -> None:
    _edit_entry(_catalog(portfolio), "indications", "fuzzy")
    product = load_product(portfolio / "products" / "besponsa.xml")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", as_of=LATER)
    expired, fuzzy = caught.value.lines()
    assert "review-by 2027-12-31 has passed (as of 2030-01-01)" in expired
    assert "indications: fuzzy in de_AT" in fuzzy
    # the translations alone, the summary's dates aside (smpc check judges those itself)
    assert translation_problems(product, load_portfolio(portfolio), "AT", as_of=LATER) == \
        renderer.translation_problems(product, "AT", as_of=LATER) == \
        list(caught.value.problems)[1:]


# ------------------------------------------------------------------------ HTML, JSON, bytes


def test_html_escapes_what_comes_from_the_xml(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "<p>Patients with serious ongoing",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <em>Patients</em> with serious ongoing"),
        encoding="utf-8")
    product = load_product(xml)
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    page = renderer.render(product, "IE", fmt="html").content
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <em>Patients</em> with" in page
    assert "1.8 mg/m<sup>2</sup> per cycle" in page
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en-IE\">")
    assert "<h1>Prescribing information</h1>" in page
    assert "@media print" in page


def test_json_is_the_structured_result(example: tuple[Renderer, Product]) -> None:
    renderer, product = example
    rendering = renderer.render(product, "AT", fmt="json")
    data = json.loads(rendering.content)
    assert (data["product"], data["market"], data["locale"], data["revision-date"]) == \
        ("besponsa", "AT", "de_AT", "2022-02")
    assert data["title"] == "Fachkurzinformation"
    fields = [(e["paragraph"], e["field"], e["label"]) for e in data["elements"]]
    assert fields[:2] == [(1, "name", None),
                          (2, "composition", "Qualitative und quantitative Zusammensetzung")]
    assert (6, "atc-code", "ATC-Code") in fields
    assert data["inputs"] == rendering.inputs
    assert set(rendering.inputs) == {
        "products/besponsa.xml", "locales/de/LC_MESSAGES/besponsa.po",
        "smpc_manager/locales/de/LC_MESSAGES/smpc.po", "smpc_manager/profiles/at.toml",
        "smpc-manager",
        # the German SmPC, which AT's composition, excipients, indications and
        # contraindications are held to word for word
        "sources/besponsa/de.xml",
    }
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in rendering.inputs.values())
    text_inputs = renderer.render(product, "AT").inputs
    assert set(text_inputs) - set(rendering.inputs) == {"smpc_manager/templates/text.txt.j2"}


def test_same_inputs_same_bytes(portfolio: Path) -> None:
    first = Renderer(load_portfolio(EXAMPLE), clock=today)
    copy = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(BESPONSA)
    other = load_product(portfolio / "products" / "besponsa.xml")
    for market in ("AT", "DE", "IE"):
        for fmt in EXTENSIONS:
            a = first.render(product, market, fmt=fmt)
            assert first.render(product, market, fmt=fmt) == a
            assert copy.render(other, market, fmt=fmt).content == a.content


def test_inputs_follow_the_catalog(portfolio: Path) -> None:
    product = load_product(portfolio / "products" / "besponsa.xml")
    before = Renderer(load_portfolio(portfolio), clock=today).render(product, "AT").inputs
    po = _catalog(portfolio)
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = Renderer(load_portfolio(portfolio), clock=today).render(product, "AT").inputs
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"locales/de/LC_MESSAGES/besponsa.po"}


def test_doctests() -> None:
    for module in (l10n, profiles, elements):
        result = doctest.testmod(module)
        assert result.failed == 0
    assert doctest.testmod(l10n).attempted >= 4


# ------------------------------------------------------------------------ the smpc domain

LOCALES = Path(__file__).resolve().parents[1] / "locales"


def test_the_tool_catalogs_are_current() -> None:
    assert tooldomain.refresh(LOCALES, write=False) == []


def test_refresh_is_idempotent_and_notices_a_stale_template(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.po*")}
    assert tooldomain.refresh(copy, write=True) == []
    assert {p: p.read_bytes() for p in copy.rglob("*.po*")} == before
    pot = copy / "smpc.pot"
    pot.write_text(pot.read_text(encoding="utf-8").replace(
        'msgid "ATC code"', 'msgid "ATC"'), encoding="utf-8")
    german = copy / "de" / "LC_MESSAGES" / "smpc.po"
    german.write_text(german.read_text(encoding="utf-8").replace(
        'msgid "Contraindications"\nmsgstr "Gegenanzeigen"',
        'msgid "Contraindications"\nmsgstr ""'), encoding="utf-8")
    assert str(pot) in tooldomain.refresh(copy, write=False)
    # a rewritten template takes the clock's time (SOURCE_DATE_EPOCH for reproducible files)
    stamp = re.search(r"POT-Creation-Date: ([^\\]+)", before[pot].decode()).group(1)
    when = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M%z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
    assert tooldomain.refresh(copy, write=True) == [str(pot)]
    assert pot.read_bytes() == before[pot]
    # a translator's empty entry stays empty: nothing is invented for German
    assert 'msgid "Contraindications"\nmsgstr ""' in german.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_gnu_gettext_agrees(tmp_path: Path) -> None:
    for path in [LOCALES / "smpc.pot", *sorted(LOCALES.glob("*/LC_MESSAGES/smpc.po"))]:
        check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
    for language in ("de", "en"):
        po = LOCALES / language / "LC_MESSAGES" / "smpc.po"
        mo = tmp_path / f"{language}.mo"
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
        with mo.open("rb") as handle:
            gnu = gettext.GNUTranslations(handle)
        ours = load_catalog(po)
        messages = tooldomain.tool_messages()
        assert len(messages) > 40
        for message in messages:
            entry = ours.get(message.msgid)
            assert entry is not None, message.msgid
            assert entry.string
            assert gnu.gettext(message.msgid) == entry.string
    german = load_catalog(LOCALES / "de" / "LC_MESSAGES" / "smpc.po")
    assert german.get("Abbreviated summary of product characteristics").string == \
        "Fachkurzinformation"


# ------------------------------------------------------------------------ a portfolio's templates


def _own_template(root: Path, name: str, text: str) -> Path:
    path = root / "templates" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_portfolio_template_lays_out_its_format(portfolio: Path) -> None:
    _own_template(portfolio, "text.txt.j2",
                  "{{ title|upper }}\n{% for p in paragraphs %}"
                  "{% for part in p.parts %}[{{ part.field }}] {{ part.text }}\n"
                  "{% endfor %}{% endfor %}")
    product = load_product(portfolio / "products" / "besponsa.xml")
    rendering = Renderer(load_portfolio(portfolio), clock=today).render(product, "AT")
    lines = rendering.content.splitlines()
    assert lines[0] == "FACHKURZINFORMATION"
    assert lines[1].startswith("[name] BESPONSA 1 mg Pulver")
    assert "templates/text.txt.j2" in rendering.inputs
    assert "smpc_manager/templates/text.txt.j2" not in rendering.inputs
    # the other formats keep the tool's templates
    page = Renderer(load_portfolio(portfolio), clock=today).render(product, "AT", fmt="html")
    assert "smpc_manager/templates/page.html.j2" in page.inputs


def test_a_portfolio_template_runs_in_the_sandbox(portfolio: Path) -> None:
    path = _own_template(portfolio, "text.txt.j2",
                         "{{ title }}\n{{ gettext.__globals__['__builtins__'] }}\n")
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as caught:
        Renderer(load_portfolio(portfolio), clock=today).render(product, "AT")
    assert caught.value.lines() == [
        f"{path.relative_to(portfolio).as_posix()}:2: the template failed: access to attribute"
        " '__globals__' of 'function' object is unsafe."
    ]


def test_a_broken_portfolio_template_names_its_line(portfolio: Path) -> None:
    _own_template(portfolio, "page.html.j2", "<html>\n<body>\n{% for x in %}\n</body>\n")
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as caught:
        Renderer(load_portfolio(portfolio), clock=today).render(product, "IE", fmt="html")
    assert caught.value.lines() == [
        "templates/page.html.j2:3: the template is not valid: Expected an expression, got"
        " 'end of statement block'"
    ]


def test_a_portfolio_page_is_escaped_and_its_strings_translated(portfolio: Path) -> None:
    _own_template(portfolio, "page.html.j2",
                  '<html lang="{{ lang }}"><body>{% for p in paragraphs %}'
                  "{% for part in p.parts %}<p>{{ part.text }}</p>{% endfor %}{% endfor %}"
                  "<footer>{% trans %}Approved for {{ market }}{% endtrans %}</footer>"
                  "</body></html>\n")
    xml = portfolio / "products" / "besponsa.xml"
    product = load_product(xml)
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    # in German the page's own string needs a translation; the text format does not
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", fmt="html")
    assert caught.value.lines() == [
        "templates/page.html.j2:1: text of page.html.j2 'Approved for %(market)s' has no"
        " usable de_AT translation: not translated in"
        " smpc_manager/locales/de/LC_MESSAGES/smpc.po"
    ]
    assert renderer.render(product, "AT").content.startswith("Fachkurzinformation\n")
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "<p>Patients with serious ongoing", "<p>&lt;script&gt;x()&lt;/script&gt; Patients with"
        " serious ongoing"), encoding="utf-8")
    page = renderer.render(load_product(xml), "IE", fmt="html").content
    assert "&lt;script&gt;x()&lt;/script&gt; Patients" in page
    assert "<script" not in page
    assert "<footer>Approved for IE</footer>" in page


def test_a_line_break_in_a_translation_stays_in_its_paragraph(portfolio: Path) -> None:
    po = _catalog(portfolio)
    _edit_entry(po, "indications", "Monotherapie für=>Monotherapie\\n  für")
    product = load_product(portfolio / "products" / "besponsa.xml")
    text = Renderer(load_portfolio(portfolio), clock=today).render(product, "AT").content
    assert "Anwendungsgebiete: BESPONSA ist indiziert als Monotherapie für die Behandlung" in text
    assert len(text.splitlines()) == 11


def test_a_portfolio_smpc_entry_that_is_fuzzy_or_broken_is_refused(portfolio: Path) -> None:
    own = portfolio / "locales" / "de" / "LC_MESSAGES" / "smpc.po"
    own.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Contraindications"\nmsgstr "Kontraindikationen"\n\n'
        'msgid "%(price)s per %(pack)s"\nmsgstr "%(preis)s je %(pack)s"\n\n'
        'msgid "Last revised"\nmsgstr "Stand der Information"\n', encoding="utf-8")
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "DE")
    assert [line.split(": ", 1)[1] for line in caught.value.lines()] == [
        "DE label of contraindications 'Contraindications' has no usable de_DE translation:"
        " fuzzy in locales/de/LC_MESSAGES/smpc.po:6",
    ]
    assert caught.value.lines()[0].startswith("smpc_manager/profiles/de.toml:")
    # the portfolio's own wording wins where it is usable
    own.write_text(own.read_text(encoding="utf-8").replace("#, fuzzy\n", ""),
                   encoding="utf-8")
    text = Renderer(load_portfolio(portfolio), clock=today).render(product, "DE").content
    assert "Kontraindikationen: " in text
    assert "Stand der Information: Februar 2022." in text


def test_placeholders_must_match_in_a_tool_translation(tmp_path: Path) -> None:
    root = tmp_path / "gb"
    shutil.copytree(GB, root)
    catalog = root / "locales" / "de" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "smpc.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "%(price)s per %(pack)s"\nmsgstr "%(preis)s je %(pack)s"\n', encoding="utf-8")
    product = load_product(root / "products" / "besponsa.xml")
    problems = Renderer(load_portfolio(root), clock=today).problems(product, "GB", "de")
    line = next(n for n, text in enumerate(
        (profiles.PROFILE_DIR / "gb.toml").read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("cost-format ="))
    assert (
        f"smpc_manager/profiles/gb.toml:{line}: GB cost excluding VAT: %(price)s is the amount,"
        " %(pack)s the pack '%(price)s per %(pack)s' has no usable de translation: the"
        " placeholders differ in locales/de/LC_MESSAGES/smpc.po:5 (the English has %(pack)s"
        " %(price)s) [placeholders]"
    ) in [str(p) for p in problems]


def test_a_kept_document_is_composed_again_when_an_input_changes(portfolio: Path) -> None:
    renderer = Renderer(load_portfolio(portfolio), clock=today)
    product = load_product(portfolio / "products" / "besponsa.xml")
    text = renderer.render(product, "AT").content
    assert renderer.render(product, "AT", fmt="html").content != text  # same document
    _edit_entry(_catalog(portfolio), "indications", "fuzzy")
    with pytest.raises(ProblemsError, match="indications: fuzzy in de_AT"):
        renderer.render(product, "AT")
    with pytest.raises(ProblemsError, match="indications: fuzzy in de_AT"):
        renderer.render(product, "AT", fmt="json")
    assert renderer.render(product, "IE").content  # English needs no catalog


def test_a_pass_is_shared_only_by_locales_that_check_alike(
        example: tuple[Renderer, Product]) -> None:
    # Austria's pass of "0,25 mg" is reused for Germany (same symbols), but Switzerland
    # writes 0.25 with a point: rendered right after Austria, the same catalog must fail
    # there, and the failure must name de_CH.
    renderer, product = example
    renderer.render(product, "AT")
    assert renderer.problems(product, "DE") == []
    problems = renderer.problems(product, "DE", locale="de_CH")
    assert any("0.25" in p.message and "de_CH" in p.message for p in problems), problems
    # and Germany still passes after the failure
    assert renderer.problems(product, "DE") == []


# ------------------------------------------------------------------------ the text layout

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_part = st.builds(Part, field=st.sampled_from(["name", "indications", "atc-code"]),
                  label=st.none() | _text, text=_text, html=st.just(""))
_paragraphs = st.lists(st.builds(Paragraph, st.lists(_part, min_size=1, max_size=4)
                                 .map(tuple)), max_size=6)
_SHIPPED_TEXT = template_dir() / "text.txt.j2"


def _through_jinja(title: str, paragraphs: list[Paragraph]) -> str:
    """The shipped text template, laid out by Jinja2."""
    template = Template(Input("smpc_manager/templates/text.txt.j2", str(_SHIPPED_TEXT)),
                        _SHIPPED_TEXT.read_bytes(), shipped=True)
    return template.run(title=title, paragraphs=paragraphs, lang="de-AT", product_id="x",
                        market="AT", source="products/x.xml", gettext=lambda s, **_: s)


@given(title=_text, paragraphs=_paragraphs)
def test_the_text_layout_is_the_shipped_templates(title: str,
                                                  paragraphs: list[Paragraph]) -> None:
    # A build lays text blocks out in Python; the template file stays the reference (and
    # what a portfolio copies to change the layout): both must give the same bytes.
    assert text_block(title, paragraphs) == _through_jinja(title, paragraphs)


@pytest.mark.parametrize("market", ["AT", "DE", "IE"])
def test_the_example_laid_out_both_ways(market: str, portfolio: Path) -> None:
    """A portfolio with a copy of the shipped text template lays its blocks out through
    Jinja2 (in the sandbox): the same bytes as the tool's own layout."""
    product = load_product(BESPONSA)
    ours = Renderer(load_portfolio(EXAMPLE), clock=today).render(product, market)
    (portfolio / "templates").mkdir()
    shutil.copy(_SHIPPED_TEXT, portfolio / "templates" / "text.txt.j2")
    copied = load_product(portfolio / "products" / "besponsa.xml")
    through = Renderer(load_portfolio(portfolio), clock=today).render(copied, market)
    assert "templates/text.txt.j2" in through.inputs
    assert through.content == ours.content
