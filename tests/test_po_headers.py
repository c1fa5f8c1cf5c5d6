"""Headers and locale names as GNU gettext writes and names them.

A template's header has the fields ``xgettext`` writes (so ``msgfmt --check`` finds no field
missing); a new catalog's ``Plural-Forms`` is what ``msginit`` writes for its language; a
GNU locale name with a modifier (``sr@latin``) names a catalog folder and a locale to init.
The GNU tools themselves are the reference, where they are installed.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smpc_manager.catalogs import (
    checked_locale,
    format_mo,
    init_catalog,
    new_catalog,
    new_template,
    read_catalog,
    write_catalog,
)
from smpc_manager.catalogs.plurals import MSGINIT_PLURAL_FORMS, msginit_plural_forms
from smpc_manager.locales import cldr_name, language, locale_chain, normalize_locale
from smpc_manager.portfolio import is_locale_folder, load_portfolio
from smpc_manager.products.loader import load_product

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
MSGINIT, XGETTEXT, MSGFMT = (shutil.which(tool) for tool in ("msginit", "xgettext", "msgfmt"))
needs = {tool: pytest.mark.skipif(path is None, reason=f"GNU {tool} is not installed")
         for tool, path in (("msginit", MSGINIT), ("xgettext", XGETTEXT), ("msgfmt", MSGFMT))}


def _fields(text: str) -> list[str]:
    return re.findall(r'^"([A-Za-z-]+):', text, re.MULTILINE)


@needs["xgettext"]
def test_a_template_has_the_header_fields_xgettext_writes(tmp_path: Path) -> None:
    assert XGETTEXT is not None
    source = tmp_path / "a.c"
    source.write_text('int main(void) { return _("hello"); }\n', encoding="utf-8")
    theirs = subprocess.run([XGETTEXT, "--keyword=_", "-o", "-", str(source)],
                            capture_output=True, text=True, check=True).stdout
    template = new_template("demo", ["Messages of the demo."], "2026-11-25 09:30+0000")
    template.add("hello", context="field")
    path = tmp_path / "demo.pot"
    write_catalog(path, template)
    ours = path.read_text(encoding="utf-8")
    assert _fields(ours) == _fields(theirs)
    assert '"Language: \\n"' in ours
    assert read_catalog(path).header_fuzzy


@needs["msgfmt"]
def test_msgfmt_check_misses_no_header_field_in_a_template(tmp_path: Path) -> None:
    assert MSGFMT is not None
    path = tmp_path / "demo.pot"
    template = new_template("demo", [], "2026-11-25 09:30+0000")
    template.add("hello", context="field")
    write_catalog(path, template)
    checked = subprocess.run([MSGFMT, "--check", "-o", "/dev/null", str(path)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "missing" not in checked.stderr


@needs["msginit"]
@pytest.mark.parametrize("locale", ["fr", "fr_BE", "de", "de_AT", "pl", "ru", "cs", "ar",
                                    "ja", "sr", "sr@latin", "pt_BR", "pt", "sl", "lt", "ro",
                                    "ga", "lv", "hi", "zh_CN", "ko", "uk", "sk"])
def test_init_writes_the_plural_forms_msginit_writes(tmp_path: Path, locale: str) -> None:
    assert MSGINIT is not None
    empty = tmp_path / "empty.pot"
    empty.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
                     encoding="utf-8")
    out = tmp_path / "theirs.po"
    subprocess.run([MSGINIT, "--no-translator", "-l", locale, "-i", str(empty), "-o",
                    str(out)], capture_output=True, check=True)
    theirs = read_catalog(out).header("Plural-Forms")
    template = new_template("demo", [], "2026-11-25 09:30+0000")
    catalog = new_catalog(template, locale, "Demo", NOW)
    assert catalog.header("Plural-Forms") == theirs
    assert catalog.header("Language") == locale
    assert msginit_plural_forms(locale) == theirs


def test_the_table_holds_every_language_msginit_knows() -> None:
    assert len(MSGINIT_PLURAL_FORMS) == 38  # plural-table.c of GNU gettext 0.21


def test_gnu_locale_names_with_a_modifier() -> None:
    assert normalize_locale("sr-rs@Latin") == "sr_RS@latin"
    assert locale_chain("sr_RS@latin") == ["sr_RS@latin", "sr@latin", "sr_RS", "sr"]
    assert cldr_name("sr@latin") == "sr_Latn"
    assert cldr_name("ca@valencia") == "ca"
    assert language("sr@latin") == "sr"
    assert checked_locale("sr@latin") == "sr@latin"
    assert is_locale_folder("sr@latin")
    assert not is_locale_folder("sr@../x")


def test_init_makes_a_serbian_latin_catalog(portfolio: Path) -> None:
    loaded = load_portfolio(portfolio)
    product = load_product(portfolio / "products" / "besponsa.xml")
    done = init_catalog(loaded, product, "sr@latin", NOW)
    assert done.path == portfolio / "locales" / "sr@latin" / "LC_MESSAGES" / "besponsa.po"
    catalog = read_catalog(done.path)
    assert catalog.header("Language") == "sr@latin"
    assert catalog.header("Plural-Forms") == MSGINIT_PLURAL_FORMS["sr"]
    assert "sr@latin" in loaded.catalog_locales()


@needs["msgfmt"]
def test_a_compiled_catalog_keeps_its_header_as_written_as_msgfmt_does(tmp_path: Path) -> None:
    """A header line that is no ``Name: value`` field (a note, a continued value) is kept
    in the .mo file; the file is byte for byte ``msgfmt --no-hash``'s."""
    assert MSGFMT is not None
    path = tmp_path / "de.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n"a line without a colon\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\nmsgid "b"\nmsgstr "B"\n\n'
        'msgctxt "c"\nmsgid "a"\nmsgstr "A"\n\nmsgid "one"\nmsgid_plural "many"\n'
        'msgstr[0] "eins"\nmsgstr[1] "viele"\n\n#, fuzzy\nmsgid "f"\nmsgstr "F"\n\n'
        'msgid "u"\nmsgstr ""\n', encoding="utf-8")
    subprocess.run([MSGFMT, "--no-hash", "-o", str(tmp_path / "gnu.mo"), str(path)],
                   check=True)
    assert format_mo(read_catalog(path)) == (tmp_path / "gnu.mo").read_bytes()
