"""Zero churn: a catalog that a translator's tool wrote reads and writes back unchanged.

Each tool (GNU ``msgcat``, ``msgmerge --update``, ``msgattrib --clear-fuzzy``, a header
edit as Poedit makes one, polib, translate-toolkit) is run on the German example catalog,
with a fuzzy entry, a previous msgid, a plural and an obsolete entry added; then the file is
read with :func:`read_catalog` and written with :func:`write_catalog`. Where the tool writes
GNU's layout, not one byte changes; and no tool's output loses an entry in our hands.
(``tests/test_cli_update.py`` runs ``smpc update`` after the same tools.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from translate.storage import factory

from smpc_manager.catalogs import PoCatalog, format_po, read_catalog, write_catalog
from tests.conftest import EXAMPLE

GERMAN = EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
TEMPLATE = EXAMPLE / "locales" / "templates" / "besponsa.pot"
GNU = {tool: shutil.which(tool) for tool in ("msgcat", "msgmerge", "msgattrib", "msgfmt")}
needs_gnu = pytest.mark.skipif(None in GNU.values(), reason="GNU gettext is not installed")

#: Entries a translator's catalog has beside the example's: fuzzy with the English it was
#: made for, a plural, an obsolete entry with its previous msgid, a long translator note.
EXTRA = (
    "\n# Checked against the 2024 SmPC by the medical team; the wording of the warning"
    " section follows the authority's template.\n"
    '#, fuzzy\n#| msgid "Store in a refrigerator."\nmsgctxt "storage"\n'
    'msgid "Store in a refrigerator (2 °C – 8 °C)."\nmsgstr "Im Kühlschrank lagern."\n\n'
    'msgctxt "pack-size"\nmsgid "%d vial"\nmsgid_plural "%d vials"\n'
    'msgstr[0] "%d Durchstechflasche"\nmsgstr[1] "%d Durchstechflaschen"\n\n'
    '#, fuzzy\n#~| msgid "Do not freeze"\n#~ msgctxt "storage-old"\n'
    '#~ msgid "Do not freeze."\n#~ msgstr "Nicht einfrieren."\n'
)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The rich German catalog, in our layout."""
    path = tmp_path / "de.po"
    path.write_text(GERMAN.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    write_catalog(path, read_catalog(path))
    return path


def entries(catalog: PoCatalog) -> set[tuple[object, ...]]:
    """Every live and obsolete entry: context, English, translation, fuzzy."""
    live = {(m.context, str(m.id), str(m.string), m.fuzzy) for m in catalog if m.id}
    gone = {("obsolete", m.context, str(m.id), str(m.string))
            for m in catalog.obsolete.values()}
    return live | gone


def rewritten(path: Path) -> bytes:
    """The file after our reader and writer: unchanged when written in our layout."""
    write_catalog(path, read_catalog(path))
    return path.read_bytes()


def run(tool: str, *args: str | Path) -> None:
    command = GNU[tool]
    assert command is not None
    subprocess.run([command, *map(str, args)], check=True, capture_output=True)


@needs_gnu
def test_the_rich_catalog_passes_msgfmt_check(catalog: Path) -> None:
    run("msgfmt", "--check", "-o", "/dev/null", catalog)


@needs_gnu
def test_after_msgcat_nothing_changes(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "msgcat.po"
    run("msgcat", "-o", out, catalog)
    before = out.read_bytes()
    assert rewritten(out) == before
    assert before == catalog.read_bytes()  # and msgcat changed nothing of ours either


@needs_gnu
def test_after_msgmerge_update_nothing_changes(catalog: Path) -> None:
    run("msgmerge", "--quiet", "--update", "--backup=off", "--previous", catalog, TEMPLATE)
    before = catalog.read_bytes()
    merged = read_catalog(catalog)
    assert rewritten(catalog) == before
    assert entries(read_catalog(catalog)) == entries(merged)


@needs_gnu
def test_after_msgattrib_clear_fuzzy_nothing_changes(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "cleared.po"
    run("msgattrib", "--clear-fuzzy", "-o", out, catalog)
    before = out.read_bytes()
    assert b"#, fuzzy\n#| msgid" not in before
    assert rewritten(out) == before


def test_after_a_header_edit_as_poedit_makes_one_nothing_changes(catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8")
    text = re.sub(r'"PO-Revision-Date: [^"]*"', '"PO-Revision-Date: 2026-12-01 14:05+0100\\\\n"',
                  text)
    text = re.sub(r'"Last-Translator: [^"]*"',
                  '"Last-Translator: Erika Mustermann <erika@example.org>\\\\n"', text)
    text = text.replace('"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n',
                        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
                        '"X-Generator: Poedit 3.4.2\\n"\n')
    catalog.write_text(text, encoding="utf-8")
    before = catalog.read_bytes()
    assert rewritten(catalog) == before
    assert read_catalog(catalog).header("X-Generator") == "Poedit 3.4.2"


def test_after_translate_toolkit_nothing_changes(catalog: Path) -> None:
    store = factory.getobject(str(catalog))
    catalog.write_bytes(bytes(store))
    before = catalog.read_bytes()
    assert rewritten(catalog) == before


@needs_gnu
def test_after_polib_no_entry_is_lost(catalog: Path, tmp_path: Path) -> None:
    """polib wraps at its own width (not GNU's): the file is rewrapped as msgcat would,
    and holds every entry polib wrote."""
    polib.pofile(str(catalog)).save()
    saved = read_catalog(catalog)
    out = tmp_path / "msgcat.po"
    run("msgcat", "-o", out, catalog)
    assert format_po(saved).encode("utf-8") == out.read_bytes()
    assert entries(read_catalog(out)) == entries(saved)
    assert entries(saved) == entries(read_catalog(GERMAN)) | entries(
        read_catalog_text(GERMAN.read_text(encoding="utf-8") + EXTRA, tmp_path))


def read_catalog_text(text: str, folder: Path) -> PoCatalog:
    path = folder / "text.po"
    path.write_text(text, encoding="utf-8")
    return read_catalog(path)
