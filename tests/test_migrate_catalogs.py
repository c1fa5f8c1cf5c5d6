"""The catalogs of a migrated product (``catalogs.migrate``): every entry under its schema 2
context with its translation, flags and comments; the template extracted anew and merged;
nothing fuzzy or untranslated that was not; nothing written when any file is refused."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from smpc_manager.catalogs import (
    PoCatalog,
    carry_over,
    format_po,
    is_current,
    migrate_portfolio,
    migrated_contexts,
    parse_po,
    read_catalog,
)
from smpc_manager.errors import ProblemsError, Severity
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from tests.conftest import DATA
from tests.migration import schema_1_portfolio

NOW = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC)

CATALOG = r'''# German translation of EXAMPLEX.
msgid ""
msgstr ""
"Project-Id-Version: examplex\n"
"Language: de\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgctxt "composition"
msgid "Each tablet contains 10 mg examplex."
msgstr "Jede Tablette enthält 10 mg Examplex."

# Checked against the label, 2026-11.
#. Special warnings and precautions for use (SmPC section 4.4).
#: products/examplex.xml:30
#, fuzzy
msgctxt "warnings"
msgid "Contains lactose."
msgstr "Enthält Lactose."

#: products/examplex.xml:31
msgctxt "warnings#2"
msgid "Contains lactose."
msgstr "Enthält Lactose (2)."

msgctxt "warnings/3"
msgid "Do not freeze."
msgstr "Nicht einfrieren."

msgctxt "cost/GB"
msgid "28 tablets"
msgstr "28 Tabletten"

msgctxt "cost/IE"
msgid "28 tablets"
msgstr "28 Filmtabletten"

msgctxt "precautions"
msgid "Keep out of reach of children."
msgstr "Für Kinder unzugänglich aufbewahren."

msgctxt "warnings"
msgid "Keep out of reach of children."
msgstr "Außer Reichweite von Kindern aufbewahren."

#~ msgctxt "warnings"
#~ msgid "Protect from light."
#~ msgstr "Vor Licht schützen."
'''


def entries(catalog: PoCatalog) -> dict[tuple[str | None, str], tuple[str, list[str]]]:
    return {(m.context, m.id): (m.string, sorted(m.flags)) for m in catalog if m.id}


@pytest.mark.parametrize(("context", "contexts"), [
    ("warnings", ("precautions", "label-warnings")),
    ("warnings#2", ("precautions#2", "label-warnings#2")),
    ("warnings/3", ("precautions/3", "label-warnings/3")),
    ("cost/GB", ("pack",)),
    ("composition#2", ("composition#2",)),
    ("marketing-authorisation-holder/city", ("marketing-authorisation-holder/city",)),
    (None, (None,)),
])
def test_contexts_in_schema_2(context: str | None, contexts: tuple[str | None, ...]) -> None:
    assert migrated_contexts(context) == contexts


def test_entries_move_to_their_schema_2_contexts_with_all_they_hold() -> None:
    catalog = parse_po(CATALOG, "de.po")
    moved, warnings = carry_over(catalog, "de.po")
    assert moved == 7  # the obsolete entry too
    assert entries(catalog) == {
        ("composition", "Each tablet contains 10 mg examplex."):
            ("Jede Tablette enthält 10 mg Examplex.", []),
        ("precautions", "Contains lactose."): ("Enthält Lactose.", ["fuzzy"]),
        ("label-warnings", "Contains lactose."): ("Enthält Lactose.", ["fuzzy"]),
        ("precautions#2", "Contains lactose."): ("Enthält Lactose (2).", []),
        ("label-warnings#2", "Contains lactose."): ("Enthält Lactose (2).", []),
        ("precautions/3", "Do not freeze."): ("Nicht einfrieren.", []),
        ("label-warnings/3", "Do not freeze."): ("Nicht einfrieren.", []),
        ("pack", "28 tablets"): ("28 Tabletten", []),
        ("precautions", "Keep out of reach of children."):
            ("Für Kinder unzugänglich aufbewahren.", []),
        ("label-warnings", "Keep out of reach of children."):
            ("Außer Reichweite von Kindern aufbewahren.", []),
    }
    moved_entry = catalog.get("Contains lactose.", context="label-warnings")
    assert moved_entry.user_comments == ["Checked against the label, 2026-11."]
    assert moved_entry.auto_comments == [
        "Special warnings and precautions for use (SmPC section 4.4)."]
    assert moved_entry.locations == [("products/examplex.xml", 30)]
    assert [(m.context, m.id, m.string) for m in catalog.obsolete.values()] == [
        ("precautions", "Protect from light.", "Vor Licht schützen."),
        ("label-warnings", "Protect from light.", "Vor Licht schützen."),
    ]
    # The catalog keeps its header, and its order: each entry where the old one stood.
    assert catalog.header("Project-Id-Version") == "examplex"
    assert [m.context for m in catalog if m.id][:3] == [
        "composition", "precautions", "label-warnings"]
    # Two translations cannot share one context: the one kept there, and why, is said at
    # the msgid of the one left out.
    assert [(w.severity, w.location.line) for w in warnings] == [
        (Severity.WARNING, 37), (Severity.WARNING, 45)]
    assert "msgctxt 'cost/IE' is left out: in schema 2 the message is msgctxt 'pack'," \
        " which keeps the translation of line 33" in warnings[0].message
    assert "msgctxt 'warnings' is left out" in warnings[1].message


def test_a_catalog_without_schema_1_contexts_is_left_alone() -> None:
    catalog = parse_po(CATALOG.partition("# Checked")[0], "de.po")
    before = format_po(catalog)
    assert carry_over(catalog) == (0, [])
    assert format_po(catalog) == before


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_a_carried_catalog_passes_msgfmt_check(tmp_path: Path) -> None:
    catalog = parse_po(CATALOG, "de.po")
    carry_over(catalog)
    path = tmp_path / "de.po"
    path.write_text(format_po(catalog), encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "de.mo"), str(path)], check=True)


# ------------------------------------------------------------------------ a portfolio

def copied(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(schema_1_portfolio(name), target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def translations(catalog: PoCatalog) -> dict[tuple[str | None, str], tuple[str, list[str],
                                                                         list[str]]]:
    """What a translator wrote, by message: translation, flags, own comments."""
    return {(m.context, m.id): (m.string, sorted(m.flags), m.user_comments)
            for m in catalog if m.id}


def test_the_example_s_catalogs_stay_translated(tmp_path: Path) -> None:
    root = copied("example", tmp_path)
    po = root / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    before = translations(read_catalog(po))
    (done,) = migrate_portfolio([root], now=NOW)
    assert done.changed
    assert [(c.locale, c.moved) for c in done.catalogs] == [("de", 1)]
    after = translations(read_catalog(po))
    assert after == {(new, msgid): value for (old, msgid), value in before.items()
                     for new in migrated_contexts(old)}
    assert all(string and "fuzzy" not in flags for string, flags, _ in after.values())
    # The template is the migrated product's, and the catalog has nothing to merge.
    product = load_product(root / "products" / "besponsa.xml")
    template = root / "locales" / "templates" / "besponsa.pot"
    assert is_current(product, template)
    assert {(m.context, m.id) for m in read_catalog(template) if m.id} == set(after)
    assert migrate_portfolio([root], now=NOW, dry_run=True)[0].changed is False


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = copied("example", tmp_path)
    files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    (planned,) = migrate_portfolio([root], now=NOW, dry_run=True)
    assert planned.changed
    assert planned.migration.text.startswith("<?xml")
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files


def test_one_bad_file_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    root = copied("example", tmp_path)
    shutil.copyfile(DATA / "invalid" / "bad-atc-code.xml", root / "products" / "bad-atc-code.xml")
    files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(ProblemsError) as caught:
        migrate_portfolio([root], now=NOW)
    assert [p.location.path for p in caught.value.problems] == [
        str(root / "products" / "bad-atc-code.xml")]
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files


def test_a_run_cut_short_after_the_product_file_is_finished_by_the_next(tmp_path: Path
                                                                         ) -> None:
    """The product is schema 2 already, its catalogs still schema 1's: the next run carries
    them over."""
    root = copied("example", tmp_path)
    po = root / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    old_catalog = po.read_bytes()
    migrate_portfolio([root], now=NOW)
    po.write_bytes(old_catalog)
    (done,) = migrate_portfolio([root], now=NOW)
    assert not done.migration.changed
    assert [c.moved for c in done.catalogs] == [1]
    assert is_current(load_product(root / "products" / "besponsa.xml"),
                      root / "locales" / "templates" / "besponsa.pot")
    assert all(m.string and not m.fuzzy for m in read_catalog(po) if m.id)


def test_a_portfolio_without_catalogs_migrates_its_files_alone(tmp_path: Path) -> None:
    root = copied("gb", tmp_path)
    (done,) = migrate_portfolio([root], now=NOW)
    assert done.changed
    assert done.catalogs == ()
    assert done.template is None
    assert not (root / "locales").exists()
    assert load_portfolio(root).product_files() == [root / "products" / "besponsa.xml"]
    assert load_product(root / "products" / "besponsa.xml").schema == 2
