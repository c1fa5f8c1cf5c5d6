"""Catalog files: the strict reader, the stable writer, merging, .mo files, statistics.

GNU gettext is the referee wherever it is installed: every catalog we write must pass
``msgfmt --check``, and what ``msgfmt`` compiles must look up, through the standard
library's ``gettext``, to what our own reader gives.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smpc_manager.catalogs import (
    PoCatalog,
    catalog_statistics,
    clock_now,
    compile_catalog,
    format_po,
    load_catalog,
    merge,
    new_catalog,
    parse_po,
    read_catalog,
    statistics,
    write_catalog,
)
from smpc_manager.errors import ProblemsError, SourceLocation
from smpc_manager.model import Text
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products.loader import load_product
from smpc_manager.rules.translation import translate
from tests.conftest import DATA, EXAMPLE

BROKEN = DATA / "catalogs"
GERMAN = EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU msgfmt is not installed")


def msgfmt_check(path: Path) -> None:
    """``msgfmt --check`` must accept the file; a .po must not even draw a warning."""
    assert MSGFMT is not None
    result = subprocess.run([MSGFMT, "--check", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if path.suffix == ".po":
        assert result.stderr == "", result.stderr


def template(*entries: tuple[str, str]) -> PoCatalog:
    """A template holding (context, English) messages, in order."""
    catalog = PoCatalog(fuzzy=True)
    catalog.header_fields = [("Project-Id-Version", "demo"),
                             ("POT-Creation-Date", "2026-11-01 10:00+0000"),
                             ("Content-Type", "text/plain; charset=UTF-8")]
    for context, source in entries:
        catalog[source] = Message(source, "", context=context,
                                  locations=[("products/demo.xml", 1)])
    return catalog


def german(*entries: tuple[str, str, str]) -> PoCatalog:
    """A German catalog of (context, English, German) messages."""
    catalog = new_catalog(template(*[(c, s) for c, s, _ in entries]), "de", "Demo", NOW)
    for context, source, translation in entries:
        message = catalog.get(source, context=context)
        assert message is not None
        message.string = translation
    return catalog


def entry(catalog: Catalog, source: str, context: str) -> Message:
    message = catalog.get(source, context=context)
    assert message is not None, (context, source)
    return message


# ------------------------------------------------------------------------ broken catalogs


@pytest.mark.parametrize(("name", "line", "words"), [
    ("syntax-error", 16, r"syntax error: expected a string in double quotes, found '\"Polysorbat"),
    ("wrong-charset", 6, r"must declare charset=UTF-8 .*found charset=ISO-8859-1"),
    ("duplicate-entries", 19, r"duplicate entry: msgctxt 'excipients/1' msgid 'Sucrose' is"
                              r" already defined on line 11"),
    ("not-utf8", 12, r"is not valid UTF-8: byte 0xFC"),
    ("msgid-without-msgstr", 11, r"this msgid has no msgstr"),
])
def test_a_broken_catalog_is_one_problem_at_its_line(name: str, line: int, words: str) -> None:
    path = BROKEN / f"{name}.po"
    with pytest.raises(ProblemsError) as caught:
        read_catalog(path)
    (problem,) = caught.value.problems
    assert problem.location.line == line
    assert problem.location.path.endswith(f"tests/data/catalogs/{name}.po")
    assert re.search(words, problem.message), problem.message


@needs_msgfmt
@pytest.mark.parametrize("name", ["syntax-error", "duplicate-entries", "not-utf8",
                                  "msgid-without-msgstr"])
def test_gnu_msgfmt_rejects_the_broken_catalogs_too(name: str) -> None:
    result = subprocess.run([MSGFMT, "--check", "-o", "/dev/null",
                             str(BROKEN / f"{name}.po")],
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_a_catalog_without_header_is_refused() -> None:
    with pytest.raises(ProblemsError, match="no header entry"):
        parse_po('msgid "a"\nmsgstr "b"\n', "x.po")


# ------------------------------------------------------------------------ reading and writing


def test_the_example_catalog_reads_and_writes_back_byte_for_byte() -> None:
    catalog = read_catalog(GERMAN)
    assert format_po(catalog) == GERMAN.read_text(encoding="utf-8")
    assert catalog.locale is not None
    assert str(catalog.locale) == "de"


def test_previous_msgids_and_obsolete_entries_survive_a_round_trip() -> None:
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '# checked by the medical team\n#. a note\n#: products/x.xml:3\n#, fuzzy\n'
        '#| msgid "Old English"\nmsgctxt "indications"\nmsgid "New English"\n'
        'msgstr "Altes Deutsch"\n\n'
        '#, fuzzy\n#~| msgid "older"\n#~ msgctxt "warnings"\n#~ msgid "Gone"\n'
        '#~ msgstr "Weg"\n'
    )
    catalog = parse_po(text, "x.po")
    message = entry(catalog, "New English", "indications")
    assert message.previous_id == ["Old English"]
    assert message.fuzzy
    assert message.user_comments == ["checked by the medical team"]
    (gone,) = catalog.obsolete.values()
    assert (gone.id, gone.context, gone.string, gone.previous_id) == (
        "Gone", "warnings", "Weg", ["older"])
    assert format_po(catalog) == text


def test_long_strings_are_wrapped_at_79_columns_and_read_back() -> None:
    long = "word " * 40 + "end\nsecond line"
    catalog = german(("indications", long, long.upper()))
    text = format_po(catalog)
    assert max(len(line) for line in text.splitlines()) <= 79
    again = parse_po(text)
    assert entry(again, long, "indications").string == long.upper()


def test_a_percent_sign_does_not_become_a_python_format_flag() -> None:
    catalog = german(("undesirable-effects", "in 5% of patients", "bei 5 % der Patienten"))
    assert "python-format" not in format_po(catalog)


_TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from(["\n", "\t", '"', "\\", " ", "<sup>2</sup>", "&amp;", "word "]),
    max_size=40,
).map("".join)
_CONTEXT = st.from_regex(r"[a-z][a-z-]{0,20}(/[1-9])?", fullmatch=True)
#: A field's context as extract writes it: its name, one message per field here (fields of
#: several paragraphs are tried in tests/test_merge_scenarios.py).
_FIELD = st.from_regex(r"[a-z][a-z-]{0,20}", fullmatch=True)


@st.composite
def catalogs(draw: st.DrawFn) -> PoCatalog:
    rows = draw(st.lists(st.tuples(_CONTEXT, _TEXT.filter(bool), _TEXT, st.booleans()),
                         max_size=8, unique_by=lambda r: (r[0], r[1])))
    # GNU requires a translation to begin and end with a line break where the English does.
    rows = [(c, s, _same_edges(s, t), f) for c, s, t, f in rows]
    catalog = german(*[(c, s, t) for c, s, t, _ in rows])
    for context, source, translation, fuzzy in rows:
        if fuzzy and translation:  # GNU keeps no fuzzy flag on an untranslated entry
            entry(catalog, source, context).flags.add("fuzzy")
            entry(catalog, source, context).previous_id = [source[::-1] or "x"]
    gone = draw(st.lists(st.tuples(_CONTEXT, _TEXT.filter(bool), _TEXT.filter(bool)),
                         max_size=3, unique_by=lambda r: (r[0], r[1])))
    for context, source, translation in gone:
        if catalog.get(source, context=context) is None:
            catalog.obsolete[(source, context)] = Message(source, translation, context=context)
    return catalog


def _same_edges(source: str, translation: str) -> str:
    if not translation:
        return translation
    core = translation.strip("\n") or "x"
    return ("\n" if source.startswith("\n") else "") + core + \
        ("\n" if source.endswith("\n") else "")


def _content(catalog: Catalog) -> list[tuple[object, ...]]:
    rows = [(m.context, m.id, m.string, sorted(m.flags), list(m.previous_id),
             list(m.locations), list(m.auto_comments), list(m.user_comments))
            for m in catalog if m.id]
    rows += [("obsolete", m.context, m.id, m.string) for m in catalog.obsolete.values()]
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_write_then_read_gives_the_same_catalog(catalog: PoCatalog) -> None:
    text = format_po(catalog)
    again = parse_po(text)
    assert _content(again) == _content(catalog)
    assert again.header_fields == catalog.header_fields
    assert format_po(again) == text


@needs_msgfmt
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_gnu_msgfmt_accepts_every_catalog_we_write(catalog: PoCatalog) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "de.po"
        write_catalog(path, catalog)
        msgfmt_check(path)


# ------------------------------------------------------------------------ merging

_ENGLISH = st.sampled_from(["Sucrose", "Polysorbate 80", "Hypersensitivity.", "1.8 mg",
                            "Brussels", "Patients with liver disease.", "Each vial."])


@st.composite
def histories(draw: st.DrawFn) -> tuple[PoCatalog, PoCatalog]:
    """A German catalog and a later template: some messages kept, edited (a few words more,
    as similar as msgmerge requires to offer the old translation), removed, added."""
    contexts = draw(st.lists(_FIELD, min_size=1, max_size=6, unique=True))
    old_rows = [(c, draw(_ENGLISH), draw(st.sampled_from(["", "Deutsch", "Anders"])))
                for c in contexts]
    catalog = german(*old_rows)
    for c, s, _ in old_rows:
        if draw(st.booleans()) and draw(st.booleans()):
            entry(catalog, s, c).flags.add("fuzzy")
    new_rows = []
    for context, source, _ in old_rows:
        fate = draw(st.sampled_from(["keep", "edit", "remove"]))
        if fate == "keep":
            new_rows.append((context, source))
        elif fate == "edit":
            new_rows.append((context, source + " (new)"))
    for context in draw(st.lists(_FIELD, max_size=2, unique=True)):
        if context not in contexts:
            new_rows.append((context, draw(_ENGLISH)))
    return catalog, template(*new_rows)


def _usable(catalog: Catalog) -> dict[str | None, str]:
    return {m.context: str(m.string) for m in catalog if m.id and m.string}


@settings(max_examples=80, deadline=None)
@given(histories())
def test_update_twice_changes_nothing(history: tuple[PoCatalog, PoCatalog]) -> None:
    old, new_template = history
    once, _ = merge(old, new_template)
    twice, counts = merge(once, new_template)
    assert format_po(twice) == format_po(once)
    assert (counts.added, counts.changed, counts.revived, counts.obsolete) == (0, 0, 0, 0)


@settings(max_examples=80, deadline=None)
@given(histories())
def test_update_never_loses_a_translation_of_a_kept_or_edited_message(
    history: tuple[PoCatalog, PoCatalog],
) -> None:
    old, new_template = history
    merged, _ = merge(old, new_template)
    before = _usable(old)
    after = _usable(merged)
    contexts = {m.context for m in new_template if m.id}
    for context, translation in before.items():
        if context in contexts:
            assert after.get(context) == translation  # kept, or offered as fuzzy
    carried = [c for c in before if c in contexts]
    assert sum(1 for c in carried if c in after) == len(carried)  # the count never drops
    # and nothing is ever deleted: what left the template is obsolete
    kept = {(m.context, m.string) for m in merged if m.id and m.string}
    kept |= {(m.context, m.string) for m in merged.obsolete.values()}
    assert {(c, t) for c, t in before.items()} <= kept


def test_changed_english_turns_fuzzy_with_the_previous_msgid() -> None:
    old = german(("indications", "Old sentence.", "Alter Satz."),
                 ("warnings", "Same.", "Gleich."))
    merged, counts = merge(old, template(("indications", "New sentence."),
                                         ("warnings", "Same.")))
    changed = entry(merged, "New sentence.", "indications")
    assert changed.fuzzy
    assert changed.string == "Alter Satz."
    assert changed.previous_id == ["Old sentence."]
    assert not entry(merged, "Same.", "warnings").fuzzy
    assert (counts.added, counts.changed, counts.obsolete, counts.kept) == (0, 1, 0, 1)
    assert not merged.obsolete  # the old entry lives on as the fuzzy one


def test_fuzzy_matching_never_crosses_contexts() -> None:
    old = german(("contraindications/2", "Patients with liver disease.", "Patienten mit"
                  " Lebererkrankung."))
    merged, counts = merge(old, template(("indications", "Patients with liver disease.")))
    fresh = entry(merged, "Patients with liver disease.", "indications")
    assert fresh.string == ""
    assert not fresh.fuzzy
    assert (counts.added, counts.changed, counts.obsolete) == (1, 0, 1)
    (gone,) = merged.obsolete.values()
    assert (gone.context, gone.string) == ("contraindications/2", "Patienten mit Lebererkrankung.")


def test_a_removed_message_is_obsolete_and_revived_when_it_returns() -> None:
    old = german(("excipients/1", "Sucrose", "Sucrose"), ("excipients/2", "Water", "Wasser"))
    removed, counts = merge(old, template(("excipients/1", "Sucrose")))
    assert counts.obsolete == 1
    assert "#~ msgid \"Water\"" in format_po(removed)
    back, counts = merge(removed, template(("excipients/1", "Sucrose"),
                                           ("excipients/2", "Water")))
    assert counts.revived == 1
    revived = entry(back, "Water", "excipients/2")
    assert (revived.string, revived.fuzzy) == ("Wasser", False)
    assert not back.obsolete
    assert format_po(back) == format_po(old)


def test_a_second_edit_keeps_the_english_the_translation_was_made_for() -> None:
    old = german(("indications", "Given once a week.", "Einmal wöchentlich."))
    once, _ = merge(old, template(("indications", "Given twice a week.")))
    twice, _ = merge(once, template(("indications", "Given thrice a week.")))
    third = entry(twice, "Given thrice a week.", "indications")
    assert third.previous_id == ["Given once a week."]
    assert third.string == "Einmal wöchentlich."


def test_clearing_fuzzy_drops_the_previous_msgid_on_the_next_update() -> None:
    old = german(("indications", "The old sentence.", "Der alte Satz."))
    merged, _ = merge(old, template(("indications", "The new sentence.")))
    assert entry(merged, "The new sentence.", "indications").previous_id
    entry(merged, "The new sentence.", "indications").flags.discard("fuzzy")
    again, _ = merge(merged, template(("indications", "The new sentence.")))
    assert entry(again, "The new sentence.", "indications").previous_id == []


def test_merge_takes_the_template_creation_date_and_keeps_the_revision_date() -> None:
    old = german(("indications", "Old.", "Alt."))
    later = template(("indications", "Old."))
    later.set_header("POT-Creation-Date", "2027-01-02 03:04+0000")
    merged, _ = merge(old, later)
    assert merged.header("POT-Creation-Date") == "2027-01-02 03:04+0000"
    assert merged.header("PO-Revision-Date") == old.header("PO-Revision-Date")


# ------------------------------------------------------------------------ lookups and caching


def test_load_catalog_parses_once_and_again_after_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "de.po"
    shutil.copy(GERMAN, path)
    first = load_catalog(path)
    assert load_catalog(path) is first
    text = path.read_text(encoding="utf-8").replace('msgstr "Brüssel"', 'msgstr "Bruxelles"')
    path.write_text(text, encoding="utf-8")
    second = load_catalog(path)
    assert second is not first
    assert entry(second, "Brussels", "marketing-authorisation-holder/city").string == \
        "Bruxelles"


def test_the_catalog_falls_back_from_region_to_language(portfolio: Path) -> None:
    loaded = load_portfolio(portfolio)
    german_po = str(portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")
    assert loaded.catalog_file("besponsa", "de_AT") == german_po
    assert loaded.catalog_file("besponsa", "de-AT") == german_po
    assert loaded.catalog_file("besponsa", "fr_BE") is None
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES" / "besponsa.po"
    austrian.parent.mkdir(parents=True)
    shutil.copy(german_po, austrian)
    assert loaded.catalog_file("besponsa", "de_AT") == str(austrian)
    assert loaded.catalog_file("besponsa", "de_DE") == german_po


# ------------------------------------------------------------------------ GNU cross-checks


@needs_msgfmt
def test_the_example_catalogs_pass_msgfmt_check() -> None:
    msgfmt_check(GERMAN)
    msgfmt_check(EXAMPLE / "locales" / "templates" / "besponsa.pot")


@needs_msgfmt
def test_gnu_msgfmt_and_stdlib_gettext_give_what_our_loader_gives(tmp_path: Path) -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    mo = tmp_path / "besponsa.mo"
    subprocess.run([MSGFMT, "-o", str(mo), str(GERMAN)], check=True)
    with mo.open("rb") as handle:
        gnu = gettext.GNUTranslations(handle)
    ours = load_catalog(GERMAN)
    texts = list(product.messages())
    assert texts
    for text in texts:
        mine = translate(text, ours, "de", product.name.value)
        assert mine.ok, mine
        assert gnu.pgettext(text.context, text.source) == mine.translation


def test_our_mo_file_looks_up_like_the_po_through_stdlib_gettext(portfolio: Path) -> None:
    product = load_product(portfolio / "products" / "besponsa.xml")
    po = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    text = po.read_text(encoding="utf-8")
    # one fuzzy and one failing entry, which must stay out of the .mo
    sucrose = f"#: products/besponsa.xml:{product.excipients[0].location.line}\n"
    text = text.replace(sucrose, f"{sucrose}#, fuzzy\n")
    text = text.replace('msgstr "Brüssel"', 'msgstr ""')
    text = text.replace("0,25 mg", "0.25 mg")
    po.write_text(text, encoding="utf-8")
    done = compile_catalog(product, "de", po)
    assert (done.fuzzy, done.untranslated, done.failed) == (1, 1, 1)
    with done.path.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    catalog = read_catalog(po)
    for message in product.messages():
        result = translate(message, catalog, "de", product.name.value)
        expected = result.translation if result.ok else message.source
        assert mo.pgettext(message.context, message.source) == expected
    assert mo.info()["language"] == "de"
    assert done.compiled == result_count(catalog) - 3
    again = compile_catalog(product, "de", po)
    assert not again.written  # same catalog, same bytes


def result_count(catalog: Catalog) -> int:
    return sum(1 for m in catalog if m.id)


@needs_msgfmt
def test_gnu_msgunfmt_reads_our_mo_file(portfolio: Path) -> None:
    msgunfmt = shutil.which("msgunfmt")
    if msgunfmt is None:
        pytest.skip("msgunfmt is not installed")
    product = load_product(portfolio / "products" / "besponsa.xml")
    po = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    done = compile_catalog(product, "de", po)
    result = subprocess.run([msgunfmt, str(done.path)], capture_output=True, text=True,
                            check=True)
    back = parse_po(result.stdout)

    def translations(catalog: Catalog) -> dict[tuple[str | None, str], str]:
        return {(m.context, str(m.id)): str(m.string) for m in catalog if m.id and m.string}

    assert translations(back) == translations(read_catalog(po))


# ------------------------------------------------------------------------ statistics


def test_the_example_is_complete_in_german() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    (stat,) = statistics(load_portfolio(EXAMPLE), [product])
    assert stat.locale == "de"
    assert stat.complete
    assert stat.total == len(list(product.messages())) == stat.translated
    assert (stat.fuzzy, stat.untranslated, stat.failed, stat.obsolete) == (0, 0, 0, 0)


def test_statistics_count_fuzzy_untranslated_failed_and_obsolete(portfolio: Path) -> None:
    product = load_product(portfolio / "products" / "besponsa.xml")
    po = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    catalog = read_catalog(po)
    entry(catalog, "Sucrose", "excipients").flags.add("fuzzy")
    entry(catalog, "Brussels", "marketing-authorisation-holder/city").string = ""
    entry(catalog, "Trometamol", "excipients").string = "   "
    catalog.obsolete[("Water", "excipients")] = Message("Water", "Wasser",
                                                        context="excipients")
    write_catalog(po, catalog)
    stat = catalog_statistics(product, "de", po)
    assert (stat.fuzzy, stat.untranslated, stat.failed, stat.obsolete) == (1, 1, 1, 1)
    assert stat.translated == stat.total - 3
    assert not stat.complete
    data = stat.as_dict(portfolio)
    assert data["catalog"] == "locales/de/LC_MESSAGES/besponsa.po"
    assert [g["context"] for g in data["gaps"]] == [  # type: ignore[union-attr]
        "excipients", "excipients", "marketing-authorisation-holder/city"]


def test_a_language_without_a_catalog_for_the_product_is_untranslated() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    stat = catalog_statistics(product, "fr", None)
    assert stat.untranslated == stat.total > 0
    assert not stat.complete


def test_text_from_a_catalog_made_by_hand_is_found_by_context() -> None:
    catalog = german(("indications", "Same words.", "Anwendung."),
                     ("warnings", "Same words.", "Warnung."))
    indications = translate(Text("indications", "Same words.", _nowhere()), catalog, "de", "X")
    warnings = translate(Text("warnings", "Same words.", _nowhere()), catalog, "de", "X")
    assert (indications.translation, warnings.translation) == ("Anwendung.", "Warnung.")


def _nowhere() -> SourceLocation:
    return SourceLocation("products/x.xml", 1)


@needs_msgfmt
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_gnu_msgfmt_accepts_every_merged_catalog(history: tuple[PoCatalog, PoCatalog]) -> None:
    merged, _ = merge(*history)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "de.po"
        write_catalog(path, merged)
        msgfmt_check(path)


@needs_msgfmt
@pytest.mark.parametrize("locale", ["de", "de_AT", "pl", "ja", "ga"])
def test_a_new_catalog_has_the_plural_forms_of_its_language(tmp_path: Path,
                                                             locale: str) -> None:
    catalog = new_catalog(template(("indications", "Text.")), locale, "Demo", NOW)
    assert catalog.header("Language") == locale
    assert catalog.header("PO-Revision-Date") == "2026-11-25 09:30+0000"
    path = tmp_path / f"{locale}.po"
    write_catalog(path, catalog)
    msgfmt_check(path)
    assert read_catalog(path).num_plurals == catalog.num_plurals


@pytest.mark.parametrize("string", ["Plural-Forms: nplurals=x\\n", "Language: fr\\n", "Text"])
def test_an_empty_msgid_with_a_context_is_refused_not_taken_for_the_header(string: str) -> None:
    # Babel keeps any empty msgid as the header: this entry would have replaced the real
    # header's fields (or crashed on a Plural-Forms it cannot read).
    text = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n'
            f'\nmsgctxt "c"\nmsgid ""\nmsgstr "{string}"\n')
    with pytest.raises(ProblemsError) as caught:
        parse_po(text, "x.po")
    assert [str(p) for p in caught.value.problems] == [
        "x.po:7: msgctxt 'c' has an empty msgid: an empty msgid is the header's alone"
        " (a message needs its source text)"]


def test_a_reference_line_number_in_other_digits_is_kept_as_text() -> None:
    # str.isdigit() holds for '¹8' and '٣', which int() cannot read.
    text = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '#: products/x.xml:¹8 products/y.xml:٣ products/z.xml:12\nmsgid "a"\nmsgstr "b"\n')
    (message,) = [m for m in parse_po(text, "x.po") if m.id]
    assert message.locations == [("products/x.xml:¹8", None), ("products/y.xml:٣", None),
                                 ("products/z.xml", 12)]


@pytest.mark.parametrize("epoch", ["99999999999999999999", "¹²³", "-5", "soon"])
def test_an_unreadable_source_date_epoch_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                                     epoch: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    assert before <= clock_now() <= dt.datetime.now(dt.UTC)


def test_a_readable_source_date_epoch_is_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock_now() == dt.datetime(2023, 11, 14, 22, 13, tzinfo=dt.UTC)
