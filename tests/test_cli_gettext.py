"""The gettext workflow on the command line: extract, init, update, compile, stats.

The round trip a regulatory editor and a translator make: the English changes, extract and
update mark exactly that message fuzzy with the old German and the previous English, the
translator (here GNU ``msgattrib``) clears the flag, and the catalog is complete again.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.catalogs.pofile import read_catalog
from smpc_manager.cli import main
from tests.conftest import DATA, EXAMPLE
from tests.reports import read_report

#: 2026-11-25 09:30 UTC, the date new headers get (tests never read the clock).
EPOCH = "1795599000"
DATE = "2026-11-25 09:30+0000"
PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"
POT = Path("locales") / "templates" / "besponsa.pot"
OLD = "Patients with serious ongoing liver disease (e.g. cirrhosis, nodular regenerative" \
      " hyperplasia, active hepatitis)."
NEW = "Patients with serious ongoing liver disease (e.g. cirrhosis, nodular regenerative" \
      " hyperplasia, active hepatitis, hepatic failure)."
needs = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext tools are not installed",
)


def smpc(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


def msgfmt_check(path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def without_locales(portfolio: Path) -> Path:
    shutil.rmtree(portfolio / "locales")
    return portfolio


# ------------------------------------------------------------------------ the round trip


@needs
def test_one_changed_sentence_turns_fuzzy_and_msgattrib_clears_it(
    runner: CliRunner, portfolio: Path,
) -> None:
    before = read_catalog(portfolio / PO)
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    xml.write_text(text.replace(OLD, NEW), encoding="utf-8")

    stale = smpc(runner, "update", portfolio)
    assert re.search(r"besponsa\.pot: warning: older than \S*products/besponsa\.xml; run smpc"
                     r" extract", stale.output)
    assert "changed (fuzzy)" not in stale.output  # nothing merged from an old template
    extracted = smpc(runner, "extract", portfolio)
    assert extracted.exit_code == 0, extracted.output
    assert extracted.stderr == "1 template: 1 written, 0 unchanged\n"  # the summary alone
    updated = smpc(runner, "-v", "update", portfolio)
    assert updated.exit_code == 0, updated.output
    assert "warning" not in updated.output
    assert "besponsa.po: written: 1 changed (fuzzy); header updated" in updated.output

    after = read_catalog(portfolio / PO)
    fuzzy = [m for m in after if m.id and m.fuzzy]
    assert [(m.context, m.id) for m in fuzzy] == [("contraindications", NEW)]
    (changed,) = fuzzy
    old_german = before.get(OLD, context="contraindications")
    assert old_german is not None
    assert changed.string == old_german.string
    assert changed.previous_id == [OLD]
    po_text = (portfolio / PO).read_text(encoding="utf-8")
    assert '#| msgid ""\n#| "Patients with serious ongoing liver disease' in po_text
    for message in before:  # everything else exactly as it was
        if message.id and message.id != OLD:
            now = after.get(message.id, context=message.context)
            assert now is not None
            assert (now.string, now.flags) == (message.string, message.flags)
    assert not after.obsolete
    msgfmt_check(portfolio / PO)

    stats = smpc(runner, "stats", portfolio, "--format", "json")
    (record,) = read_report(stats.stdout, "stats")["items"]
    assert (record["fuzzy"], record["complete"]) == (1, False)

    cleared = portfolio / "cleared.po"
    subprocess.run(["msgattrib", "--clear-fuzzy", "-o", str(cleared), str(portfolio / PO)],
                   check=True)
    shutil.move(cleared, portfolio / PO)
    stats = smpc(runner, "stats", portfolio, "--format", "json")
    (record,) = read_report(stats.stdout, "stats")["items"]
    assert (record["fuzzy"], record["translated"], record["complete"]) == (
        0, record["total"], True)


def test_update_on_unchanged_input_changes_no_byte(runner: CliRunner, portfolio: Path) -> None:
    files = [portfolio / POT, portfolio / PO]
    before = [p.read_bytes() for p in files]
    assert smpc(runner, "extract", portfolio).exit_code == 0
    result = smpc(runner, "-v", "update", portfolio)
    assert result.exit_code == 0
    assert "besponsa.po: unchanged" in result.output
    result = smpc(runner, "update", portfolio)
    assert result.stderr == "1 catalog: 0 written, 1 unchanged\n"
    assert [p.read_bytes() for p in files] == before


def test_from_nothing_to_a_catalog(runner: CliRunner, portfolio: Path) -> None:
    without_locales(portfolio)
    result = smpc(runner, "init", portfolio, "--locale", "de")
    assert result.exit_code == 1
    assert re.search(r"locales/templates/besponsa\.pot: no template for product 'besponsa'"
                     r" \(run `smpc extract .*` first\)", result.output)
    assert smpc(runner, "update", portfolio).exit_code == 2

    assert smpc(runner, "extract", portfolio).exit_code == 0
    result = smpc(runner, "-v", "init", portfolio, "--locale", "de")
    assert result.exit_code == 0
    assert "besponsa.po: created, 20 messages to translate" in result.output
    assert result.output.endswith("\n1 catalog: 1 created, 0 left as they were\n")
    catalog = read_catalog(portfolio / PO)
    assert catalog.header("PO-Revision-Date") == DATE
    assert catalog.header("POT-Creation-Date") == DATE
    assert catalog.header("Language") == "de"
    assert all(not m.string for m in catalog if m.id)
    if shutil.which("msgfmt"):
        msgfmt_check(portfolio / PO)
        msgfmt_check(portfolio / POT)

    again = smpc(runner, "-v", "init", portfolio, "--locale", "de")
    assert again.exit_code == 0
    assert "exists, left as it is" in again.output
    again = smpc(runner, "init", portfolio, "--locale", "de")
    assert again.output == "1 catalog: 0 created, 1 left as they were (use smpc update)\n"
    result = smpc(runner, "update", portfolio, "--locale", "fr")
    assert result.exit_code == 2
    assert "no catalogs for 'fr' yet" in result.output
    for bad in ("../de", "xx"):
        result = smpc(runner, "init", portfolio, "--locale", bad)
        assert result.exit_code == 2
        assert f"'{bad}' is not a locale" in result.output


def test_a_removed_message_becomes_obsolete_and_comes_back(runner: CliRunner,
                                                           portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    original = xml.read_text(encoding="utf-8")
    xml.write_text(original.replace("    <excipient>Trometamol</excipient>\n", ""),
                   encoding="utf-8")
    smpc(runner, "extract", portfolio)
    result = smpc(runner, "update", portfolio)
    assert "1 written, 0 unchanged; 1 obsolete" in result.output
    assert '#~ msgctxt "excipients"\n#~ msgid "Trometamol"\n#~ msgstr "Tromethamin"' in \
        (portfolio / PO).read_text(encoding="utf-8")
    xml.write_text(original, encoding="utf-8")
    smpc(runner, "extract", portfolio)
    result = smpc(runner, "update", portfolio)
    assert "1 written, 0 unchanged; 1 revived" in result.output
    # the same catalog as before, but for the date of the template it was merged from
    assert read_catalog(portfolio / PO).header("POT-Creation-Date") == DATE
    assert without_template_date(portfolio / PO) == without_template_date(EXAMPLE / PO)


def without_template_date(path: Path) -> str:
    return re.sub(r'"POT-Creation-Date: [^"]*"', "", path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ broken catalogs


@pytest.mark.parametrize(("name", "line"), [
    ("syntax-error", 16), ("wrong-charset", 6), ("duplicate-entries", 19), ("not-utf8", 12),
])
@pytest.mark.parametrize("command", ["stats", "update", "compile"])
def test_a_broken_catalog_is_one_line_and_exit_1(runner: CliRunner, portfolio: Path,
                                                 name: str, line: int, command: str) -> None:
    shutil.copy(DATA / "catalogs" / f"{name}.po", portfolio / PO)
    before = (portfolio / PO).read_bytes()
    result = smpc(runner, command, portfolio)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(rf"\S*locales/de/LC_MESSAGES/besponsa\.po:{line}(:\d+)?: .+", lines[0])
    assert (portfolio / PO).read_bytes() == before
    assert not (portfolio / PO).with_suffix(".mo").exists()


def test_a_broken_catalog_in_a_real_process_has_no_traceback(portfolio: Path) -> None:
    shutil.copy(DATA / "catalogs" / "duplicate-entries.po", portfolio / PO)
    # The installed script, as a user starts it: next to this Python, not whatever the
    # PATH holds (the test command runs the venv's Python without activating the venv).
    script = Path(sys.executable).parent / "smpc"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "smpc_manager"]
    result = subprocess.run([*argv, "stats", str(portfolio)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "besponsa.po:19: duplicate entry" in result.stderr


# ------------------------------------------------------------------------ stats and compile


def test_stats_show_the_example_complete_in_german(runner: CliRunner) -> None:
    result = smpc(runner, "stats", EXAMPLE)
    assert result.exit_code == 0
    assert result.stdout == (
        "besponsa de: 20/20 translated, 0 fuzzy, 0 untranslated, 0 failing checks,"
        " 0 obsolete: complete\n"
        "  384 words: 384 translated, 0 fuzzy, 0 untranslated, 0 failing checks; 0 from"
        " translation memory\n"
        "zeposia de: 64/64 translated, 0 fuzzy, 0 untranslated, 0 failing checks,"
        " 0 obsolete: complete\n"
        "  918 words: 918 translated, 0 fuzzy, 0 untranslated, 0 failing checks; 0 from"
        " translation memory\n"
    )
    assert result.stderr == "2 catalogs: 2 complete, 0 incomplete\n"
    (record, _) = read_report(smpc(runner, "stats", EXAMPLE, "--format", "json").stdout,
                              "stats")["items"]
    assert record == {
        "product": "besponsa", "locale": "de",
        "catalog": "locales/de/LC_MESSAGES/besponsa.po", "total": 20, "translated": 20,
        "fuzzy": 0, "untranslated": 0, "failed": 0, "obsolete": 0, "complete": True,
        "gaps": [], "checks": {}, "memory": 0,
        "words": {"total": 384, "translated": 384, "fuzzy": 0, "untranslated": 0, "failed": 0},
    }


def test_stats_name_each_message_that_is_not_usable(runner: CliRunner,
                                                    portfolio: Path) -> None:
    po = portfolio / PO
    po.write_text(po.read_text(encoding="utf-8").replace("0,25 mg", "0.25 mg"),
                  encoding="utf-8")
    result = smpc(runner, "stats", portfolio, "--locale", "de_AT", "--locale", "de")
    assert result.exit_code == 0
    assert "besponsa de_AT: 19/20 translated, 0 fuzzy, 0 untranslated, 1 failing" in \
        result.output  # Austria reads the German catalog
    assert "besponsa de: 19/20 translated, 0 fuzzy, 0 untranslated, 1 failing checks" in \
        result.output
    lines = (portfolio / "products" / "besponsa.xml").read_text(encoding="utf-8").split("\n")
    line, text = next((n, t) for n, t in enumerate(lines, 1) if "After reconstitution" in t)
    assert f"products/besponsa.xml:{line}:{text.index('<p>') + 1}: composition: failed: the" \
        " number 0.25 is missing: in de it is written 0,25" in result.output


def test_compile_writes_mo_files_gettext_can_read(runner: CliRunner, portfolio: Path) -> None:
    result = smpc(runner, "compile", portfolio)
    assert result.exit_code == 0
    assert result.output == "1 catalog compiled: 20 messages, 0 left out\n"
    result = smpc(runner, "-v", "compile", portfolio)
    assert "locales/de/LC_MESSAGES/besponsa.mo: 20 messages" in result.output
    with (portfolio / PO).with_suffix(".mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.pgettext("marketing-authorisation-holder/city", "Brussels") == "Brüssel"


def test_the_commands_are_listed_in_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    for command in ("extract", "init", "update", "compile", "stats"):
        assert re.search(rf"^\s+{command}\s", result.output, re.MULTILINE), command


# ------------------------------------------------------------------------ the example catalog

#: Fields whose German the Austrian Fachkurzinformation prints: it is taken word for word.
FROM_THE_PUBLISHED_TEXT = (
    "pharmaceutical-form", "active-substance", "composition", "excipients", "indications",
    "contraindications", "pharmacotherapeutic-group", "marketing-authorisation-holder/city",
)


def published_text() -> str:
    """The Fachkurzinformation as one line, with its line-break artefacts mended."""
    text = " ".join((DATA / "fachkurzinformation-at.txt").read_text(encoding="utf-8").split())
    for broken, mended in (("CD22- positiver", "CD22-positiver"), ("/ sinusoidalem",
                           "/sinusoidalem"), ("VOD/ SOS", "VOD/SOS"), ("1mg", "1 mg")):
        text = text.replace(broken, mended)
    return text


def test_the_german_follows_the_published_austrian_text() -> None:
    published = published_text()
    catalog = read_catalog(EXAMPLE / PO)
    messages = [(m.context, str(m.id), str(m.string)) for m in catalog if m.id]
    printed = [c for c, _, _ in messages if c in FROM_THE_PUBLISHED_TEXT]
    assert set(printed) == set(FROM_THE_PUBLISHED_TEXT)
    for context, _, german in messages:
        if context in FROM_THE_PUBLISHED_TEXT:
            assert german in published, context

    def german_of(english: str) -> str:
        (german,) = [g for _, e, g in messages if e.startswith(english)]
        return german

    assert german_of("Hypersensitivity to the active substance") == (
        "Überempfindlichkeit gegen den Wirkstoff oder einen der in Abschnitt 6.1 der"
        " Fachinformation genannten sonstigen Bestandteile.")
    assert german_of("Brussels") == "Brüssel"
    assert "1,8 mg/m<sup>2</sup>" in german_of("The recommended total dose")
    assert "≥ 20 %" in german_of("The most common adverse reactions")
    assert all(german for _, _, german in messages)


@pytest.mark.parametrize("command", ["stats", "update", "compile"])
def test_a_folder_that_is_no_locale_is_skipped_with_a_note(runner: CliRunner, portfolio: Path,
                                                          command: str) -> None:
    for name in ("old-2019", "tlh-backup"):
        (portfolio / "locales" / name / "LC_MESSAGES").mkdir(parents=True)
    if command == "update":
        assert runner.invoke(main, ["extract", str(portfolio)]).exit_code == 0
    result = runner.invoke(main, [command, str(portfolio)])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "is not a locale" in line]
    assert [line.split(":")[0] for line in notes] == [
        str(portfolio / "locales" / "old-2019"), str(portfolio / "locales" / "tlh-backup")]
    assert "internal error" not in result.output
