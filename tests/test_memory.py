"""The translation memory: a new or changed message takes the translation of the same English
in the same field approved in another catalog of its language, or in a compendium."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from click.testing import CliRunner, Result

from smpc_manager.catalogs import (
    MEMORY_NOTE,
    PoCatalog,
    TranslationMemory,
    format_po,
    merge,
    parse_po,
    read_catalog,
    write_catalog,
)
from smpc_manager.cli import main
from tests.reports import read_report

BESPONSA_PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"
OTHER_PO = Path("locales") / "de" / "LC_MESSAGES" / "other.po"
NOTE = f"{MEMORY_NOTE}locales/de/LC_MESSAGES/besponsa.po"
OLD_SENTENCE = "Each vial contains 1 mg inotuzumab ozogamicin."
NEW_SENTENCE = "Each vial contains 2 mg of a new antibody."


def smpc(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def two_products(portfolio: Path, runner: CliRunner) -> Path:
    """The example with a second product of the same text, but one sentence; its template
    extracted, no German catalog yet."""
    xml = (portfolio / "products" / "besponsa.xml").read_text(encoding="utf-8")
    assert xml.count(OLD_SENTENCE) == 1
    (portfolio / "products" / "other.xml").write_text(
        xml.replace('id="besponsa"', 'id="other"').replace(OLD_SENTENCE, NEW_SENTENCE),
        encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0
    return portfolio


def test_a_new_catalog_is_filled_from_the_other_catalogs_of_its_language(
    runner: CliRunner, two_products: Path,
) -> None:
    result = smpc(runner, "-v", "update", two_products)
    assert result.exit_code == 0, result.output
    assert "other.po: created, 1 messages to translate, 19 from memory" in result.output
    catalog = read_catalog(two_products / OTHER_PO)
    german = read_catalog(two_products / BESPONSA_PO)
    for message in catalog:
        if not message.id:
            continue
        if message.id == NEW_SENTENCE:  # nothing like it was approved: no guess
            assert (message.string, message.fuzzy) == ("", False)
            assert not any(c.startswith(MEMORY_NOTE) for c in message.auto_comments)
            continue
        source = german.get(message.id, context=message.context)
        assert source is not None
        assert (message.string, message.fuzzy) == (source.string, True)
        assert message.auto_comments[-1] == NOTE
    stats = smpc(runner, "stats", two_products, "--format", "json")
    records = {r["product"]: r for r in read_report(stats.stdout, "stats")["items"]}
    assert records["other"]["memory"] == 19
    assert records["other"]["fuzzy"] == 19
    # a second update finds nothing to do
    again = smpc(runner, "-v", "update", two_products)
    assert "other.po: unchanged" in again.output


def test_a_translator_who_confirms_a_fill_removes_its_note(
    runner: CliRunner, two_products: Path,
) -> None:
    assert smpc(runner, "update", two_products).exit_code == 0
    path = two_products / OTHER_PO
    catalog = read_catalog(path)
    confirmed = catalog.get("Sucrose", context="excipients")
    assert confirmed is not None
    confirmed.flags.discard("fuzzy")
    edited = catalog.get("Trometamol", context="excipients")
    assert edited is not None
    edited.string = "Trometamol (Tris)"  # edited, still to be confirmed
    write_catalog(path, catalog)
    result = smpc(runner, "-v", "update", two_products)
    assert "other.po: written: 1 comments updated" in result.output
    after = read_catalog(path)
    sucrose = after.get("Sucrose", context="excipients")
    assert sucrose is not None
    # the note is the field's alone again, as the template gives it
    template = read_catalog(two_products / "locales" / "templates" / "other.pot")
    field_note = template.get("Sucrose", context="excipients").auto_comments
    assert (sucrose.fuzzy, sucrose.auto_comments) == (False, field_note)
    trometamol = after.get("Trometamol", context="excipients")
    assert trometamol is not None
    assert trometamol.auto_comments[-1] == NOTE  # not confirmed yet
    assert "other.po: unchanged" in smpc(runner, "-v", "update", two_products).output


def test_memory_exact_translated_fills_exact_matches_as_translated(
    runner: CliRunner, two_products: Path,
) -> None:
    config = two_products / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[translation]\nmemory-exact = "translated"\n', encoding="utf-8")
    assert smpc(runner, "update", two_products).exit_code == 0
    catalog = read_catalog(two_products / OTHER_PO)
    filled = [m for m in catalog if m.id and m.string]
    assert len(filled) == 19
    assert not any(m.fuzzy for m in filled)
    assert all(m.auto_comments[-1] == NOTE for m in filled)
    # the note stays while the translation is the memory's: the next update changes nothing
    before = (two_products / OTHER_PO).read_bytes()
    result = smpc(runner, "-v", "update", two_products)
    assert "other.po: unchanged" in result.output
    assert (two_products / OTHER_PO).read_bytes() == before


def test_a_compendium_serves_the_catalogs_of_its_language(
    runner: CliRunner, portfolio: Path, tmp_path: Path,
) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE),
                   encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0
    compendium = tmp_path / "team-de.po"
    glossary = PoCatalog()
    glossary.header_fields = [("Language", "de"),
                              ("Content-Type", "text/plain; charset=UTF-8")]
    glossary[NEW_SENTENCE] = Message(NEW_SENTENCE, "Jede Durchstechflasche enthält 2 mg.",
                                     context="composition")
    write_catalog(compendium, glossary)
    result = smpc(runner, "-v", "update", portfolio, "--compendium", compendium)
    assert result.exit_code == 0, result.output
    assert "besponsa.po: written: 1 from memory" in result.output
    message = read_catalog(portfolio / BESPONSA_PO).get(NEW_SENTENCE, context="composition")
    assert message is not None
    assert (message.string, message.fuzzy) == ("Jede Durchstechflasche enthält 2 mg.", True)
    assert message.auto_comments[-1] == f"{MEMORY_NOTE}team-de.po"
    # the same English's approved translation comes before a similar sentence's
    assert message.previous_id == []
    gone = read_catalog(portfolio / BESPONSA_PO).obsolete[(OLD_SENTENCE, "composition")]
    assert "1 mg Inotuzumab" in str(gone.string)


def test_a_compendium_of_another_language_or_none_is_not_used(
    runner: CliRunner, portfolio: Path, tmp_path: Path,
) -> None:
    french = tmp_path / "fr.po"
    french.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n'
                      '"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    result = smpc(runner, "-v", "update", portfolio, "-C", french)
    assert result.exit_code == 0, result.output
    assert "besponsa.po: unchanged" in result.output
    nameless = tmp_path / "nameless.po"
    nameless.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
                        encoding="utf-8")
    result = smpc(runner, "update", portfolio, "-C", nameless)
    assert result.exit_code == 2
    assert "nameless.po: a compendium names its language in its header" in result.output


# ------------------------------------------------------------------------ the memory itself


def _catalog(*rows: tuple[str | None, str, str, bool]) -> PoCatalog:
    """A catalog of (context, English, translation, fuzzy) rows."""
    catalog = PoCatalog()
    catalog.header_fields = [("Content-Type", "text/plain; charset=UTF-8")]
    for context, english, string, fuzzy in rows:
        catalog[english] = Message(english, string, context=context,
                                   flags=["fuzzy"] if fuzzy else [])
    return parse_po(format_po(catalog))


def test_the_memory_recalls_the_same_english_in_the_same_field_only() -> None:
    memory = TranslationMemory()
    memory.add(_catalog(("contraindications", "Pregnancy.", "Schwangerschaft.", False),
                        ("warnings#2", "Monitor.", "Überwachen.", False),
                        ("warnings", "Fuzzy.", "Unsicher.", True)), "a.po")
    memory.add(_catalog(("contraindications", "Pregnancy.", "Die Schwangerschaft.", False)),
               "b.po")
    recalled = memory.recall("Pregnancy.", "contraindications")
    assert recalled is not None
    assert (recalled.string, recalled.source, recalled.translated) == (
        "Schwangerschaft.", "a.po", False)  # the first catalog added wins
    assert memory.recall("Pregnancy.", "warnings") is None  # another field's German
    assert memory.recall("Pregnancy. ", "contraindications") is None  # other English
    assert memory.recall("Monitor.", "warnings") is not None  # any occurrence in a field
    assert memory.recall("Fuzzy.", "warnings") is None  # not approved


def test_an_entry_remembered_without_its_field_is_offered_fuzzy() -> None:
    memory = TranslationMemory(exact_translated=True)
    memory.add(_catalog((None, "Sucrose", "Saccharose", False),
                        ("excipients", "Trometamol", "Tromethamin", False)), "c.po")
    sucrose = memory.recall("Sucrose", "excipients")
    assert sucrose is not None
    assert (sucrose.string, sucrose.translated) == ("Saccharose", False)
    trometamol = memory.recall("Trometamol", "excipients")
    assert trometamol is not None
    assert trometamol.translated


def test_a_merge_with_memory_twice_changes_nothing() -> None:
    memory = TranslationMemory()
    memory.add(_catalog(("warnings", "Monitor the liver.", "Leber überwachen.", False)),
               "x.po")
    old = _catalog(("warnings", "Old.", "Alt.", False))
    template = _catalog(("warnings", "Monitor the liver.", "", False),
                        ("warnings", "Monitor the kidneys.", "", False))
    once, counts = merge(old, template, memory=memory)
    assert (counts.memory, counts.added, counts.obsolete) == (1, 1, 1)
    twice, counts = merge(once, template, memory=memory)
    assert format_po(twice) == format_po(once)
    assert (counts.memory, counts.added, counts.kept) == (0, 0, 2)


def test_a_sentence_repeated_in_its_field_is_filled_from_its_first_occurrence(
    runner: CliRunner, portfolio: Path,
) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    paragraph = f"<p>{OLD_SENTENCE}</p>"
    assert text.count(paragraph) == 1
    xml.write_text(text.replace(paragraph, f"{paragraph}\n    {paragraph}"), encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0
    result = smpc(runner, "-v", "update", portfolio)
    assert "besponsa.po: written: 1 from memory" in result.output
    catalog = read_catalog(portfolio / BESPONSA_PO)
    first = catalog.get(OLD_SENTENCE, context="composition")
    second = catalog.get(OLD_SENTENCE, context="composition#2")
    assert first is not None
    assert second is not None
    assert (first.fuzzy, second.fuzzy) == (False, True)
    assert second.string == first.string
    assert second.auto_comments[-1] == NOTE
