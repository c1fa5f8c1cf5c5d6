"""Hostile catalogs and catalog runs: a translator's save made while `smpc update` runs, the
flags translators and their tools write, and characters that change how a translation reads.

One test (or generator) per case, named for its defect; docs/safety.md lists them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smpc_manager.catalogs import read_catalog
from smpc_manager.cli import main
from smpc_manager.products import RESERVED_IDS, validate_file
from smpc_manager.rules import check_translation
from tests.conftest import DATA, EXAMPLE, REPO
from tests.reports import read_report

PO = Path("locales/de/LC_MESSAGES/besponsa.po")
EPOCH = "1764064860"  # 2025-11-25 10:01 UTC, so that no header date depends on the clock
AS_OF = "2026-11-25"
INVALID = DATA / "invalid"
SCHEMA = REPO / "schemas" / "product.xsd"


def smpc(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


def with_flags(text: str, context: str, flags: str, msgid: str = "") -> str:
    """The catalog text with a ``#,`` line written above the entry of ``context`` (and
    ``msgid``, where the field has several)."""
    marker = f'msgctxt "{context}"\nmsgid "{msgid}' if msgid else f'msgctxt "{context}"\n'
    assert text.count(marker) == 1, context
    return text.replace(marker, f"#, {flags}\n{marker}")


# ------------------------------------------------------------------------ translators' flags


#: The second entry of composition as GNU tools write it when it is flagged no-wrap: each string
#: on one line, however long.
NO_WRAP_ENTRY = (
    "#, no-wrap\n"
    'msgctxt "composition"\n'
    'msgid "After reconstitution, 1 mL of solution contains 0.25 mg inotuzumab ozogamicin."\n'
    'msgstr "Nach der Rekonstitution enthält 1 ml Lösung 0,25 mg Inotuzumab Ozogamicin."\n'
)


def flagged_catalog(portfolio: Path) -> bytes:
    """The German catalog with flags set by translators and their tools: python-format on a
    text without a format (Babel would drop it), no-wrap, and fuzzy with c-format, in the
    order GNU tools write flags."""
    po = portfolio / PO
    text = po.read_text(encoding="utf-8")
    text = with_flags(text, "excipients", "python-format", "Sucrose")
    text = with_flags(text, "excipients", "fuzzy, c-format", "Polysorbate 80")
    text = with_flags(text, "active-substance", "no-c-format, python-format")
    wrapped = re.search(r'msgctxt "composition"\nmsgid ""\n"After.*?\n\n', text, re.DOTALL)
    assert wrapped is not None
    text = text.replace(wrapped.group(0), NO_WRAP_ENTRY + "\n")
    po.write_text(text, encoding="utf-8")
    return po.read_bytes()


def test_update_keeps_python_format_no_wrap_and_c_format_fuzzy_as_written(
    runner: CliRunner, portfolio: Path,
) -> None:
    before = flagged_catalog(portfolio)
    result = smpc(runner, "update", portfolio, "--locale", "de")
    assert result.exit_code == 0, result.output
    assert "0 written, 1 unchanged" in result.output
    assert (portfolio / PO).read_bytes() == before
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(portfolio / PO)],
                       check=True)


def test_update_of_changed_english_keeps_the_flags_of_the_old_entry(
    runner: CliRunner, portfolio: Path,
) -> None:
    flagged_catalog(portfolio)
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    assert text.count("Sucrose<") == 1
    xml.write_text(text.replace("Sucrose<", "Sucrose (sugar)<"), encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0
    result = smpc(runner, "update", portfolio, "--locale", "de")
    assert result.exit_code == 0, result.output
    text = (portfolio / PO).read_text(encoding="utf-8")
    # fuzzy is ours to add (first, where msgmerge puts it); the translator's flag stays
    assert ('#, fuzzy, python-format\n#| msgctxt "excipients"\n#| msgid "Sucrose"\n'
            'msgctxt "excipients"\nmsgid "Sucrose (sugar)"\n') in text
    assert '#, fuzzy, c-format\nmsgctxt "excipients"\nmsgid "Polysorbate 80"\n' in text
    assert '#, no-c-format, python-format\nmsgctxt "active-substance"\n' in text
    assert NO_WRAP_ENTRY in text


def test_update_keeps_the_flags_of_an_entry_it_makes_obsolete(
    runner: CliRunner, portfolio: Path,
) -> None:
    po = portfolio / PO
    po.write_text(with_flags(po.read_text(encoding="utf-8"), "excipients",
                             "fuzzy, c-format, range: 1..4", "Trometamol"), encoding="utf-8")
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    excipient = re.search(r"\n *<excipient>Trometamol</excipient>", text)
    assert excipient is not None
    xml.write_text(text.replace(excipient.group(0), ""), encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0
    assert smpc(runner, "update", portfolio, "--locale", "de").exit_code == 0
    text = po.read_text(encoding="utf-8")
    # as msgmerge keeps them: fuzzy and the format flags (GNU writes no range on an
    # obsolete entry)
    assert '#, fuzzy, c-format\n#~ msgctxt "excipients"\n' in text


def test_a_header_flagged_fuzzy_and_no_wrap_keeps_both(runner: CliRunner,
                                                      portfolio: Path) -> None:
    po = portfolio / PO
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid ""\nmsgstr ""\n"Project-Id',
                               '#, fuzzy, no-wrap\nmsgid ""\nmsgstr ""\n"Project-Id', 1),
                  encoding="utf-8")
    before = po.read_bytes()
    assert smpc(runner, "update", portfolio, "--locale", "de").exit_code == 0
    assert po.read_bytes() == before
    assert read_catalog(po).fuzzy


# ------------------------------------------------------------------------ concurrent update


#: Runs `smpc update` (or the library's update_catalog) in a process in which the
#: translator saves the catalog at the moment the tool starts writing its new version: an
#: audit hook sees the tool open its temporary file, and saves the translator's bytes then.
TRANSLATOR_SAVES_MEANWHILE = textwrap.dedent("""
    import datetime as dt
    import os
    import sys
    from pathlib import Path

    catalog, saved, how, portfolio = (Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(),
                                      sys.argv[3], sys.argv[4])
    done = []

    def translator(event, args):
        name = args[0] if event == "open" and args and isinstance(args[0], str) else ""
        base = os.path.basename(name)
        if not done and base.startswith("." + catalog.name + ".") and base.endswith(".tmp"):
            done.append(name)
            catalog.write_bytes(saved)

    sys.addaudithook(translator)
    if how == "cli":
        from smpc_manager.cli import main
        main(["update", portfolio, "--locale", "de"])
    else:
        from smpc_manager import load_portfolio, load_product
        from smpc_manager.catalogs import update_catalog
        from smpc_manager.errors import ProblemsError
        product = load_product(Path(portfolio) / "products" / "besponsa.xml")
        try:
            update_catalog(load_portfolio(portfolio), product, "de",
                           dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
        except ProblemsError as err:
            print("\\n".join(err.lines()))
            sys.exit(1)
""")


def changed_english(portfolio: Path, runner: CliRunner) -> None:
    """A changed English sentence, extracted: `update` has something to write."""
    xml = portfolio / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8")
    xml.write_text(text.replace("Sucrose<", "Sucrose (sugar)<"), encoding="utf-8")
    assert smpc(runner, "extract", portfolio).exit_code == 0


@pytest.mark.parametrize("how", ["cli", "library"])
def test_update_never_overwrites_a_translators_save_made_while_it_ran(
    runner: CliRunner, portfolio: Path, tmp_path: Path, how: str,
) -> None:
    changed_english(portfolio, runner)
    po = portfolio / PO
    saved = po.read_text(encoding="utf-8").replace(
        'msgstr "Polysorbat 80"', 'msgstr "Polysorbat 80 (E 433)"')
    translators = tmp_path / "translators.po"
    translators.write_text(saved, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", TRANSLATOR_SAVES_MEANWHILE, str(po), str(translators), how,
         str(portfolio)],
        capture_output=True, text=True, timeout=120, check=False, cwd=portfolio,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    assert "internal error" not in out
    lines = [line for line in out.splitlines() if "besponsa.po" in line]
    assert len(lines) == 1, out
    assert re.fullmatch(r"locales/de/LC_MESSAGES/besponsa\.po: .*changed by someone else"
                        r".*run the command again.*", lines[0]), out
    assert po.read_text(encoding="utf-8") == saved  # the translator's save is kept
    assert not list(po.parent.glob(".*.tmp"))
    # run again: the change is merged into the translator's version
    result = smpc(runner, "update", portfolio, "--locale", "de")
    assert result.exit_code == 0, result.output
    merged = po.read_text(encoding="utf-8")
    assert 'msgstr "Polysorbat 80 (E 433)"' in merged
    assert '#| msgid "Sucrose"' in merged


def test_init_never_overwrites_a_catalog_made_while_it_ran(runner: CliRunner,
                                                         portfolio: Path,
                                                         tmp_path: Path) -> None:
    po = portfolio / PO
    saved = po.read_bytes()
    po.unlink()
    translators = tmp_path / "translators.po"
    translators.write_bytes(saved)
    script = TRANSLATOR_SAVES_MEANWHILE.replace('main(["update"', 'main(["init"')
    done = subprocess.run(
        [sys.executable, "-c", script, str(po), str(translators), "cli", str(portfolio)],
        capture_output=True, text=True, timeout=120, check=False, cwd=portfolio,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert re.search(r"^locales/de/LC_MESSAGES/besponsa\.po: .*changed by someone else", out,
                     re.MULTILINE), out
    assert po.read_bytes() == saved


# ------------------------------------------------------------------------ unsafe characters


#: One case per kind of character a translation must not carry: the character, and how
#: the message names it.
UNSAFE = {
    "bidi-override": ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "bidi-embedding": ("\u202b", "U+202B RIGHT-TO-LEFT EMBEDDING"),
    "bidi-isolate": ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    "bidi-mark": ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    "arabic-letter-mark": ("\u061c", "U+061C ARABIC LETTER MARK"),
    "zero-width-space": ("\u200b", "U+200B ZERO WIDTH SPACE"),
    "zero-width-joiner": ("\u200d", "U+200D ZERO WIDTH JOINER"),
    "word-joiner": ("\u2060", "U+2060 WORD JOINER"),
    "byte-order-mark-inside-text": ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    "c1-control-csi": ("\x9b", "U+009B (a C1 control character)"),
    "c1-control-nel": ("\x85", "U+0085 (a C1 control character)"),
    "c0-control-escape": ("\x1b", "U+001B (a C0 control character)"),
    "c0-control-bell": ("\x07", "U+0007 (a C0 control character)"),
    "delete": ("\x7f", "U+007F (DELETE, a control character)"),
}


def with_translation_of_composition_2(portfolio: Path, replace: str, by: str) -> Path:
    po = portfolio / PO
    text = po.read_text(encoding="utf-8")
    assert text.count(replace) == 1
    po.write_text(text.replace(replace, by), encoding="utf-8")
    return po


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_an_unsafe_character_in_a_translation_fails_its_check(
    runner: CliRunner, portfolio: Path, case: str,
) -> None:
    char, named = UNSAFE[case]
    with_translation_of_composition_2(portfolio, "0,25 mg", f"0,25{char} mg")
    reason = rf"composition: .*{re.escape(named)} at character \d+.*\[unsafe-characters\]"

    stats = smpc(runner, "stats", portfolio, "--locale", "de")
    assert stats.exit_code == 0, stats.output
    assert "19/20 translated, 0 fuzzy, 0 untranslated, 1 failing" in stats.output
    assert re.search(reason, stats.output), stats.output
    (record,) = read_report(smpc(runner, "stats", portfolio, "--locale", "de", "--format",
                                 "json").stdout, "stats")["items"]
    assert (record["failed"], record["complete"]) == (1, False)

    compiled = smpc(runner, "compile", portfolio)
    assert compiled.exit_code == 0, compiled.output
    assert "19 messages, 1 left out" in compiled.output

    rendered = smpc(runner, "render", portfolio / "products" / "besponsa.xml", "--market",
                    "AT", "--as-of", AS_OF)
    assert rendered.exit_code == 1, rendered.output
    assert re.search(rf"^\S*products/besponsa\.xml:\d+:\d+: {reason}", rendered.output,
                     re.MULTILINE), rendered.output
    for result in (stats, compiled, rendered):
        assert char not in result.output  # shown by its code point, never as itself


def test_the_same_character_in_the_english_is_allowed_in_the_translation() -> None:
    english = "Each vial\u200b contains 0.25 mg."
    assert check_translation(english, "Jede\u200b enthält 0,25 mg.", "de", "") == []
    assert check_translation(english.replace("\u200b", ""), "Jede\u200b enthält 0,25 mg.",
                             "de", "")


def test_tabs_and_line_breaks_in_a_translation_print_as_one_space(
    runner: CliRunner, portfolio: Path,
) -> None:
    with_translation_of_composition_2(portfolio, "0,25 mg", "0,25\\t\\nmg")
    rendered = smpc(runner, "render", portfolio / "products" / "besponsa.xml", "--market",
                    "AT", "--as-of", AS_OF)
    assert rendered.exit_code == 0, rendered.output
    assert "0,25 mg Inotuzumab" in rendered.stdout


# ------------------------------------------------------------------------ reserved product ids


RESERVED_SMPC = INVALID / "reserved-id-smpc.xml"


def test_product_id_smpc_is_refused_as_the_tools_own_domain(runner: CliRunner) -> None:
    result = smpc(runner, "validate", RESERVED_SMPC)
    assert result.exit_code == 1
    assert result.stdout == (f"{RESERVED_SMPC}:2:45: product id 'smpc' is reserved (it is the"
                             " name of the tool's own gettext domain); choose another id\n")


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint is not installed")
def test_xmllint_refuses_the_reserved_id_smpc_as_smpc_validate_does() -> None:
    done = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(SCHEMA),
                           str(RESERVED_SMPC)], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "attribute 'id'" in done.stderr
    assert "The value 'smpc' is not accepted by the pattern" in done.stderr


def product_with_id(folder: Path, product_id: str) -> Path:
    text = (EXAMPLE / "products" / "besponsa.xml").read_text(encoding="utf-8")
    path = folder / f"{product_id}.xml"
    path.write_text(text.replace('id="besponsa"', f'id="{product_id}"', 1), encoding="utf-8")
    return path


def test_product_id_templates_is_refused_as_the_templates_folder(tmp_path: Path) -> None:
    (problem,) = validate_file(product_with_id(tmp_path, "templates"))
    assert problem.message == ("product id 'templates' is reserved (it is the name of the"
                               " folder of the catalog templates, locales/templates/);"
                               " choose another id")


#: Ids that differ from a reserved one by a character, or are a prefix or an extension of it.
NEAR_RESERVED = st.sampled_from(sorted(RESERVED_IDS)).flatmap(lambda word: st.one_of(
    st.integers(1, len(word) - 1).map(lambda n: word[:n]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=3).map(
        lambda more: word + more),
    st.tuples(st.integers(1, len(word) - 1), st.sampled_from("aesz09-")).map(
        lambda change: word[:change[0]] + change[1] + word[change[0] + 1:]),
    st.just(word),
))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product_id=NEAR_RESERVED)
def test_the_schema_refuses_exactly_the_reserved_ids(product_id: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        problems = validate_file(product_with_id(Path(folder), product_id))
    if product_id in RESERVED_IDS:
        assert [p.message for p in problems] == [
            f"product id '{product_id}' is reserved ({RESERVED_IDS[product_id]});"
            " choose another id"]
    else:
        assert problems == [], problems
