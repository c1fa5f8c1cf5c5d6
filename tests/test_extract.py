"""Extraction: the example product's template, compared whole with a reviewed golden file.

Run ``pytest --update-goldens`` to rewrite the golden template after an intended change,
then review its diff.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smpc_manager.catalogs.extract import extract, relative_location, template_for
from smpc_manager.catalogs.pofile import format_po, read_catalog
from smpc_manager.products.loader import load_product
from tests.conftest import EXAMPLE, Goldens

GOLDEN = Path(__file__).resolve().parent / "golden" / "besponsa.pot"
DATE = "2026-11-25 09:30+0000"
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def test_the_template_matches_the_golden_file(goldens: Goldens) -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    goldens.check(GOLDEN.name, format_po(template_for(product, EXAMPLE, DATE)))


def test_one_message_per_field_with_context_location_and_note() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    catalog = template_for(product, EXAMPLE, DATE)
    messages = [m for m in catalog if m.id]
    assert [m.context for m in messages] == [t.context for t in product.messages()]
    lines = (EXAMPLE / "products" / "besponsa.xml").read_text(encoding="utf-8").splitlines()
    for message in messages:
        ((path, line),) = message.locations
        assert path == "products/besponsa.xml"
        element = message.context.split("/")[0] if message.context else ""
        tag = {"composition": "<p>", "indications": "<p>", "posology": "<p>",
               "contraindications": "<p>", "precautions": "<p>", "label-warnings": "<p>",
               "undesirable-effects": "<p>", "excipients": "<excipient>",
               "active-substance": "<substance>",
               "marketing-authorisation-holder": "<city>"}.get(element, f"<{element}>")
        assert tag in lines[line - 1], (message.context, lines[line - 1])
        assert message.auto_comments, message.context
        assert message.string == ""
        assert not message.flags
    notes = {m.context: " ".join(m.auto_comments) for m in messages}
    assert "4.1" in notes["indications"]


def test_what_is_not_translatable_is_never_extracted() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    catalog = template_for(product, EXAMPLE, DATE)
    ids = {str(m.id) for m in catalog if m.id}
    never = [product.name.value, product.strength.value, product.atc_code.value,
             "EU/1/17/1200/001", "2017-06-29", "2022-02", "NR", "Rx", "S1A", "BE", "1050",
             "Pfizer Europe MA EEIG", "Boulevard de la Plaine 17"]
    assert ids.isdisjoint(never)
    assert "<sup>2</sup>" in next(i for i in ids if i.startswith("The recommended total"))


def test_extract_writes_once_and_then_leaves_the_file_alone(tmp_path: Path) -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    target = tmp_path / "locales" / "templates" / "besponsa.pot"
    first = extract(product, target, EXAMPLE, NOW)
    assert first.written
    assert first.messages == len(list(product.messages()))
    before = target.read_bytes()
    stamp = target.stat().st_mtime_ns
    again = extract(product, target, EXAMPLE, LATER)
    assert not again.written
    assert target.read_bytes() == before
    assert target.stat().st_mtime_ns == stamp
    assert read_catalog(target).header("POT-Creation-Date") == DATE


def test_a_changed_product_gets_a_new_creation_date(portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    target = portfolio / "locales" / "templates" / "besponsa.pot"
    extract(load_product(xml), target, portfolio, NOW)
    xml.write_text(xml.read_text(encoding="utf-8").replace("Trometamol", "Tromethamine"),
                   encoding="utf-8")
    done = extract(load_product(xml), target, portfolio, LATER)
    assert done.written
    catalog = read_catalog(target)
    assert catalog.header("POT-Creation-Date") == "2026-12-01 08:00+0000"
    assert catalog.get("Tromethamine", context="excipients") is not None


def test_a_broken_template_is_simply_made_again(tmp_path: Path) -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    target = tmp_path / "besponsa.pot"
    target.write_text('msgid "unclosed\n', encoding="utf-8")
    assert extract(product, target, EXAMPLE, NOW).written
    assert len(read_catalog(target)) == len(list(product.messages()))


def test_locations_are_relative_to_the_portfolio_root(tmp_path: Path) -> None:
    assert relative_location(str(EXAMPLE / "products" / "besponsa.xml"), EXAMPLE) == \
        "products/besponsa.xml"
    assert relative_location("elsewhere/x.xml", tmp_path) == "elsewhere/x.xml"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt is not installed")
def test_gnu_msgfmt_accepts_the_template() -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(GOLDEN)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # a template keeps xgettext's placeholders; anything else would be a real warning
    others = [line for line in result.stderr.splitlines()
              if not re.search(r"initial default value|'Language' missing", line)]
    assert others == []
