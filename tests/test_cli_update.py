"""`smpc extract` and `smpc update` as CI and translators meet them: --check, --width and
--no-wrap, the summary that says why a file was written, the first update of a catalog an
earlier release wrote, an XLIFF round trip, and GNU's tools between two updates."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.catalogs import read_catalog
from smpc_manager.cli import main
from tests.conftest import DATA
from tests.migration import SCHEMA_1

PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"
POT = Path("locales") / "templates" / "besponsa.pot"
#: The example's German catalog as release 0.2 wrote it: positional contexts
#: (composition/2), wrapped at 76 columns.
RELEASED = DATA / "besponsa-0.2.po"
QUARTER = "After reconstitution, 1 mL of solution contains 0.25 mg inotuzumab ozogamicin."
TENTH = "After dilution, 1 mL of solution contains 0.1 mg inotuzumab ozogamicin."
RENAL = "Patients with severe renal impairment."


@pytest.fixture
def example_1(tmp_path: Path) -> Path:
    """The example as it was in schema 1, the product release 0.2's catalog was made for,
    with no two messages of the same English (an XLIFF round trip keeps such messages apart
    by their places, as msgctxt)."""
    target = tmp_path / "schema-1"
    shutil.copytree(SCHEMA_1 / "example", target)
    return target


def smpc(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


def tool(name: str) -> str:
    """A command-line tool, from PATH or beside the running Python (a virtualenv's)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def files(portfolio: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((portfolio / "locales").rglob("*.po*"))}


def new_smpc(portfolio: Path) -> None:
    """The product's English as a newer SmPC has it: a 0.1 mg sentence inserted before the
    0.25 mg one, a contraindication inserted first; every later paragraph moves down."""
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    assert text.count(f"<p>{QUARTER}</p>") == 1
    text = text.replace(f"<p>{QUARTER}</p>", f"<p>{TENTH}</p>\n    <p>{QUARTER}</p>")
    first = re.search(r"<contraindications>\s*<p>", text)
    assert first is not None
    text = text.replace(first.group(0), f"{first.group(0)}{RENAL}</p>\n    <p>", 1)
    xml.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------ --check


def test_check_exits_0_when_current_and_1_when_behind_and_writes_nothing(
    runner: CliRunner, portfolio: Path,
) -> None:
    for command in ("extract", "update"):
        result = smpc(runner, command, portfolio, "--check")
        assert (result.exit_code, result.stdout) == (0, ""), result.output
    new_smpc(portfolio)
    before = files(portfolio)
    stale = smpc(runner, "extract", portfolio, "--check")
    assert stale.exit_code == 1
    assert re.fullmatch(r"\S*locales/templates/besponsa\.pot: out of date: not what"
                        r" \S*products/besponsa\.xml gives now\n", stale.stdout)
    assert stale.stderr.endswith(f"1 template: 1 out of date, 0 unchanged (run smpc extract"
                                 f" {portfolio})\n")
    lagging = smpc(runner, "update", portfolio, "--check")
    assert lagging.exit_code == 1
    assert "besponsa.pot: warning: older than" in lagging.stdout
    assert files(portfolio) == before
    # the template brought up to date, the catalog still lags behind it
    assert smpc(runner, "extract", portfolio).exit_code == 0
    before = files(portfolio)
    lagging = smpc(runner, "update", portfolio, "--check")
    assert lagging.exit_code == 1
    assert re.search(r"besponsa\.po: out of date: 2 added, \d+ comments updated; header"
                     r" updated\n", lagging.stdout), lagging.stdout
    assert lagging.stderr.endswith(f"(run smpc extract {portfolio} && smpc update"
                                   f" {portfolio})\n")
    assert files(portfolio) == before
    assert smpc(runner, "update", portfolio).exit_code == 0
    assert smpc(runner, "update", portfolio, "--check").exit_code == 0


# ------------------------------------------------------------------------ layout


def test_width_and_no_wrap_lay_the_catalog_out_and_the_default_restores_it(
    runner: CliRunner, portfolio: Path,
) -> None:
    before = (portfolio / PO).read_bytes()
    narrow = smpc(runner, "-v", "update", portfolio, "--width", "40")
    assert "besponsa.po: written: layout rewritten" in narrow.output
    lines = (portfolio / PO).read_text(encoding="utf-8").splitlines()
    strings = [line for line in lines if line.startswith('"') and ": " not in line]
    assert max(len(line) for line in strings) <= 40
    wide = smpc(runner, "-v", "update", portfolio, "--no-wrap")
    assert "besponsa.po: written: layout rewritten" in wide.output
    text = (portfolio / PO).read_text(encoding="utf-8")
    assert f'msgid "{QUARTER}"\n' in text
    assert read_catalog(portfolio / PO).get(QUARTER, context="composition") is not None
    # a template laid out otherwise is out of date for the default width
    assert smpc(runner, "extract", portfolio, "--no-wrap").exit_code == 0
    assert smpc(runner, "extract", portfolio, "--check").exit_code == 1
    assert smpc(runner, "extract", portfolio, "--check", "--no-wrap").exit_code == 0
    assert smpc(runner, "extract", portfolio).exit_code == 0
    assert smpc(runner, "update", portfolio).exit_code == 0
    assert (portfolio / PO).read_bytes() == before
    refused = smpc(runner, "update", portfolio, "--width", "5")
    assert refused.exit_code == 2


# ------------------------------------------------------------------------ a new SmPC


def test_the_first_update_converts_a_released_catalog_losing_nothing(
    runner: CliRunner, example_1: Path,
) -> None:
    portfolio = example_1
    shutil.copy(RELEASED, portfolio / PO)
    released = read_catalog(RELEASED)
    assert any(m.context == "contraindications/2" for m in released)
    result = smpc(runner, "-v", "update", portfolio)
    assert result.exit_code == 0, result.output
    assert re.search(r"besponsa\.po: written: 13 renamed(, \d+ comments updated)?; header"
                     r" updated; layout rewritten", result.output), result.output
    converted = read_catalog(portfolio / PO)
    assert [m for m in converted if m.id and m.fuzzy] == []
    assert not converted.obsolete
    assert {(m.id, m.string) for m in converted if m.id} == \
        {(m.id, m.string) for m in released if m.id}
    # the schema 1 example's catalog is this conversion, made by the tool itself
    assert (portfolio / PO).read_bytes() == (SCHEMA_1 / "example" / PO).read_bytes()


def test_render_before_the_first_update_says_how_to_convert_the_catalog(
    runner: CliRunner, portfolio: Path,
) -> None:
    shutil.copy(RELEASED, portfolio / PO)
    product = portfolio / "products" / "besponsa.xml"
    refused = smpc(runner, "render", product, "--market", "AT", "--as-of", "2026-12-06")
    assert refused.exit_code == 1
    lines = [line for line in refused.output.splitlines() if "contraindications:" in line]
    assert len(lines) == 3, refused.output
    assert all("'contraindications/" in line and "run smpc update once to convert the"
               " catalog; no translation is lost" in line for line in lines), lines
    assert smpc(runner, "update", portfolio).exit_code == 0
    rendered = smpc(runner, "render", product, "--market", "AT", "--as-of", "2026-12-06")
    assert rendered.exit_code == 0, rendered.output
    assert "Gegenanzeigen:" in rendered.output


def test_a_new_smpc_keeps_every_unchanged_sentence_translated(
    runner: CliRunner, example_1: Path, tmp_path: Path,
) -> None:
    """The issue's case: a catalog an earlier release wrote, a newer SmPC with a paragraph
    inserted before others in two fields; the 0.1 mg sentence beside the 0.25 mg one."""
    portfolio = example_1
    shutil.copy(RELEASED, portfolio / PO)
    new_smpc(portfolio)
    assert smpc(runner, "extract", portfolio).exit_code == 0
    result = smpc(runner, "-v", "update", portfolio)
    assert result.exit_code == 0, result.output
    assert re.search(r"besponsa\.po: written: 2 added, 13 renamed", result.output)
    merged = read_catalog(portfolio / PO)
    released = {m.id: m.string for m in read_catalog(RELEASED) if m.id}
    for message in merged:
        if message.id in released:
            assert (message.string, message.fuzzy) == (released[message.id], False)
        elif message.id:
            assert message.id in (TENTH, RENAL)
            assert (message.string, message.fuzzy) == ("", False)  # no other German offered
    assert not merged.obsolete
    # GNU msgmerge on the same files: every shifted sentence only as a fuzzy suggestion,
    # and the 0.25 mg German offered for the 0.1 mg sentence
    gnu = tmp_path / "gnu.po"
    subprocess.run([tool("msgmerge"), "--quiet", "--previous", "-o", str(gnu), str(RELEASED),
                    str(portfolio / POT)], check=True)
    theirs = read_catalog(gnu)
    translated = [m for m in theirs if m.id and m.string and not m.fuzzy]
    ours = [m for m in merged if m.id and m.string and not m.fuzzy]
    assert len(ours) == len(released) > len(translated)
    tenth = theirs.get(TENTH, context="composition")
    assert tenth is not None
    assert "0,25 mg" in str(tenth.string)


# ------------------------------------------------------------------------ other tools


def test_an_xliff_round_trip_loses_no_translation(runner: CliRunner, example_1: Path,
                                                  tmp_path: Path) -> None:
    """translate-toolkit's po2xliff and xliff2po drop msgctxt; update recovers each entry by
    its English, fuzzy because the field it was made for is unknown."""
    portfolio = example_1
    xliff = tmp_path / "besponsa.xlf"
    subprocess.run([tool("po2xliff"), "--progress=none", str(portfolio / PO), str(xliff)],
                   check=True, capture_output=True)
    subprocess.run([tool("xliff2po"), "--progress=none", str(xliff), str(portfolio / PO)],
                   check=True, capture_output=True)
    lost = read_catalog(portfolio / PO)
    assert {m.context for m in lost if m.id} == {None}
    before = {m.id: m.string for m in read_catalog(SCHEMA_1 / "example" / PO) if m.id}
    result = smpc(runner, "-v", "update", portfolio)
    assert result.exit_code == 0, result.output
    assert "besponsa.po: written: 19 recovered (fuzzy)" in result.output
    back = read_catalog(portfolio / PO)
    recovered = {m.id: m.string for m in back if m.id and m.string}
    assert recovered == before  # 19 of 19
    assert all(m.fuzzy for m in back if m.id)
    assert not back.obsolete


def test_an_xliff_round_trip_of_the_same_english_in_two_fields(runner: CliRunner,
                                                                portfolio: Path,
                                                                tmp_path: Path) -> None:
    """Where two entries share their English (precautions and label-warnings),
    translate-toolkit gives each its place in the file as msgctxt: recovered all the same."""
    before = {m.id: m.string for m in read_catalog(portfolio / PO) if m.id}
    xliff = tmp_path / "besponsa.xlf"
    subprocess.run([tool("po2xliff"), "--progress=none", str(portfolio / PO), str(xliff)],
                   check=True, capture_output=True)
    subprocess.run([tool("xliff2po"), "--progress=none", str(xliff), str(portfolio / PO)],
                   check=True, capture_output=True)
    places = {m.context for m in read_catalog(portfolio / PO) if m.id} - {None}
    assert places
    assert all(re.fullmatch(r"products/besponsa\.xml:\d+", c) for c in places)
    result = smpc(runner, "update", portfolio)
    assert result.exit_code == 0, result.output
    back = read_catalog(portfolio / PO)
    assert {m.id: m.string for m in back if m.id} == before  # every one translated again
    assert all(m.fuzzy for m in back if m.id)
    assert all(m.string == before[m.id] for m in back.obsolete.values())


@pytest.mark.parametrize("how", ["msgcat", "msgmerge --update", "msgattrib --clear-fuzzy"])
def test_gnu_tools_then_update_change_no_byte(runner: CliRunner, portfolio: Path,
                                              how: str) -> None:
    po = portfolio / PO
    if how == "msgcat":
        subprocess.run([tool("msgcat"), "-o", str(po), str(po)], check=True)
    elif how == "msgmerge --update":
        subprocess.run([tool("msgmerge"), "--quiet", "--update", "--backup=off", str(po),
                        str(portfolio / POT)], check=True)
    else:
        cleared = portfolio / "cleared.po"
        subprocess.run([tool("msgattrib"), "--clear-fuzzy", "-o", str(cleared), str(po)],
                       check=True)
        shutil.move(cleared, po)
    theirs = po.read_bytes()
    result = smpc(runner, "-v", "update", portfolio)
    assert result.exit_code == 0, result.output
    assert "besponsa.po: unchanged" in result.output
    assert po.read_bytes() == theirs
