"""The state a clean build leaves: a rebuild with nothing changed trusts it; any change the
full plan would act on makes the full plan decide."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from smpc_manager.build import state
from smpc_manager.build.state import STATE_FILE
from tests.conftest import EXAMPLE, REPO
from tests.test_build import files_under, make_portfolio
from tests.test_cli_build import smpc_build, summary

DE_PO = Path("locales/de/LC_MESSAGES")


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files made a moment ago are trusted: the tests change them right after a build (the
    guard against a change within the file system's tick has tests of its own below)."""
    monkeypatch.setattr(state, "RACY_SECONDS", 0)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_portfolio(tmp_path / "portfolio", ("alpha", "bravo"))


def built(runner: CliRunner, root: Path, out: Path, *args: str) -> tuple[int, ...]:
    result = smpc_build(runner, root, "-o", out, *args)
    assert result.exit_code == 0, result.output
    return summary(result)


def fresh(runner: CliRunner, root: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    """What a build from nothing writes now (the state aside)."""
    out = tmp_path / f"fresh-{time.perf_counter_ns()}"
    built(runner, root, out, *args)
    return outputs_of(out)


def outputs_of(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in files_under(out).items() if k != STATE_FILE}


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ------------------------------------------------------------------------ what changes


def edit_product(root: Path, out: Path) -> None:
    # Same size: only the times and the bytes tell.
    replace_in(root / "products" / "alpha.xml", "<revision-date>2022-02<",
               "<revision-date>2022-03<")


def edit_catalog(root: Path, out: Path) -> None:
    path = root / DE_PO / "alpha.po"
    text = path.read_text(encoding="utf-8")
    start = text.index('msgstr "', text.index('msgctxt "indications"')) + len('msgstr "')
    path.write_text(text[:start] + "Neu: " + text[start:], encoding="utf-8")


def add_a_more_specific_catalog(root: Path, out: Path) -> None:
    folder = root / "locales" / "de_AT" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = (root / DE_PO / "alpha.po").read_text(encoding="utf-8")
    start = text.index('msgstr "', text.index('msgctxt "indications"')) + len('msgstr "')
    (folder / "alpha.po").write_text(text[:start] + "Österreich: " + text[start:],
                                     encoding="utf-8")


def alter_output(root: Path, out: Path) -> None:
    path = out / "IE" / "en_IE" / "alpha.txt"
    data = path.read_bytes()
    path.write_bytes(data[:-2] + b"X\n")  # the same size


def delete_output(root: Path, out: Path) -> None:
    (out / "DE" / "de_DE" / "bravo.txt").unlink()


def delete_manifest(root: Path, out: Path) -> None:
    (out / "manifest.json").unlink()


def garble_state(root: Path, out: Path) -> None:
    (out / STATE_FILE).write_bytes(b'{"state-version": 1, "files": [')


def narrow_the_settings(root: Path, out: Path) -> None:
    replace_in(root / "smpc.toml", 'markets = ["AT", "DE", "IE"]', 'markets = ["AT"]')


def add_a_template(root: Path, out: Path) -> None:
    folder = root / "templates"
    folder.mkdir()
    (folder / "text.txt.j2").write_text("{{ title }}\n{{ product_id }}\n", encoding="utf-8")


def add_a_product(root: Path, out: Path) -> None:
    source = root / "products" / "alpha.xml"
    (root / "products" / "charlie.xml").write_text(
        source.read_text(encoding="utf-8").replace('id="alpha"', 'id="charlie"'),
        encoding="utf-8")
    (root / DE_PO / "charlie.po").write_bytes((root / DE_PO / "alpha.po").read_bytes())


def remove_a_product(root: Path, out: Path) -> None:
    (root / "products" / "bravo.xml").unlink()


CHANGES: dict[str, tuple[Callable[[Path, Path], None], tuple[int, int, int, int]]] = {
    # change: (what it does, the rebuild's built, unchanged, failed, removed)
    "product edited": (edit_product, (3, 3, 0, 0)),
    "catalog edited": (edit_catalog, (2, 4, 0, 0)),
    "a more specific catalog": (add_a_more_specific_catalog, (1, 5, 0, 0)),
    "output altered": (alter_output, (1, 5, 0, 0)),
    "output deleted": (delete_output, (1, 5, 0, 0)),
    "manifest deleted": (delete_manifest, (6, 0, 0, 0)),
    "state garbled": (garble_state, (0, 6, 0, 0)),
    # Every product planned anew under new settings; outputs out of them go uncounted.
    "settings narrowed": (narrow_the_settings, (2, 0, 0, 0)),
    "portfolio template": (add_a_template, (6, 0, 0, 0)),
    "product added": (add_a_product, (3, 6, 0, 0)),
    "product removed": (remove_a_product, (0, 3, 0, 3)),
}


@pytest.mark.parametrize("name", CHANGES)
@pytest.mark.usefixtures("trusting")
def test_a_change_is_never_trusted_away(runner: CliRunner, small: Path, tmp_path: Path,
                                        name: str) -> None:
    out = tmp_path / "out"
    assert built(runner, small, out) == (6, 0, 0, 0)
    assert (out / STATE_FILE).is_file()
    assert built(runner, small, out) == (0, 6, 0, 0)  # from the state

    change, expected = CHANGES[name]
    change(small, out)
    assert built(runner, small, out) == expected
    # The folder holds what a build from nothing makes of the portfolio as it is now.
    assert outputs_of(out) == fresh(runner, small, tmp_path)
    assert (out / STATE_FILE).is_file()
    assert built(runner, small, out) == (0, expected[0] + expected[1], 0, 0)


@pytest.mark.usefixtures("trusting")
def test_a_rewritten_template_is_not_an_input(runner: CliRunner, small: Path,
                                             tmp_path: Path) -> None:
    """``locales/templates/*.pot`` is read by ``smpc update`` only: ``smpc extract``
    rewriting one leaves the state trusted, while a catalog's edit still does not."""
    from smpc_manager.portfolio import load_portfolio

    templates = small / "locales" / "templates"
    templates.mkdir()
    pot = templates / "alpha.pot"
    pot.write_bytes((EXAMPLE / "locales" / "templates" / "besponsa.pot").read_bytes())
    out = tmp_path / "out"
    assert built(runner, small, out, "--as-of", "2026-11-25") == (6, 0, 0, 0)
    key = state.settings_key(small, ("text",), ())
    roots = state.input_roots(small, load_portfolio(small).profiles)
    day = dt.date(2026, 11, 25)
    assert state.unchanged(out, key, roots, day, state.skipped(out, small)) == 6
    pot.write_text(pot.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert state.unchanged(out, key, roots, day, state.skipped(out, small)) == 6
    assert built(runner, small, out, "--as-of", "2026-11-25") == (0, 6, 0, 0)
    edit_catalog(small, out)
    assert state.unchanged(out, key, roots, day, state.skipped(out, small)) is None
    assert built(runner, small, out, "--as-of", "2026-11-25") == (2, 4, 0, 0)


@pytest.mark.usefixtures("trusting")
def test_another_day_or_choice_asks_the_full_plan(runner: CliRunner, small: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(runner, small, out)
    # After the review-by date the products are loaded and refused again.
    late = smpc_build(runner, small, "-o", out, "--as-of", "2028-01-01")
    assert late.exit_code == 1, late.output
    assert "review-by" in late.output
    assert not (out / STATE_FILE).exists()  # a failed build leaves none
    built(runner, small, out)
    assert built(runner, small, out, "--market", "AT") == (0, 2, 0, 0)
    assert built(runner, small, out, "--format", "html") == (6, 0, 0, 0)
    assert built(runner, small, out, "--rehash", "--format", "html") == (0, 6, 0, 0)


@pytest.mark.usefixtures("trusting")
def test_a_failed_build_leaves_no_state(runner: CliRunner, small: Path,
                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(runner, small, out)
    (small / DE_PO / "bravo.po").write_text("msgid \"\nbroken", encoding="utf-8")
    result = smpc_build(runner, small, "-o", out)
    assert result.exit_code == 1
    assert not (out / STATE_FILE).exists()
    again = smpc_build(runner, small, "-o", out)  # the same failure, found again
    assert again.exit_code == 1
    assert summary(again)[2] == 2


def test_files_changed_a_moment_ago_are_not_trusted(runner: CliRunner, small: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(runner, small, out)  # the portfolio was made just now
    assert not (out / STATE_FILE).exists()
    entries, recent = state.snapshot([str(small)])
    assert recent
    assert [str(small)] == entries[0][:1]


def test_a_clean_build_of_settled_files_is_trusted_without_planning(small: Path,
                                                                     tmp_path: Path) -> None:
    """End to end, as a user runs it: the rebuild does not even import the build's code."""
    time.sleep(state.RACY_SECONDS + 0.1)
    out = tmp_path / "out"
    script = ("import sys\nfrom smpc_manager.cli.main import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as done:\n"
              "    print('planned' if 'smpc_manager.build.builder' in sys.modules else 'trusted',"
              " done.code)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def run(*args: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", script, "build", str(small), "-o",
                               str(out), "--as-of", "2026-11-25", *args],
                              capture_output=True, text=True, env=env, check=False)
        return done.stdout.strip(), done.stderr.strip()

    first = run()
    assert first[0] == "planned 0", first
    assert first[1].startswith("6 built, 0 unchanged, 0 failed in "), first
    second = run()
    assert second[0] == "trusted 0", second
    assert second[1].startswith("0 built, 6 unchanged, 0 failed in "), second
    assert run("--rehash")[0] == "planned 0"
    data = json.loads((out / STATE_FILE).read_text())
    assert data["tool"].startswith("smpc-manager ")
    assert sorted(name for name, _ in data["outputs"]) == sorted(
        k for k in outputs_of(out) if k != "manifest.json")
    assert str(EXAMPLE) not in json.dumps(data)


def test_the_state_written_a_piece_at_a_time_is_its_compact_json(
        runner: CliRunner, small: Path, tmp_path: Path, trusting: None) -> None:
    """The state is written entry by entry; the bytes are those of the whole dumped at once,
    with every file read and every output, in order."""
    out = tmp_path / "out"
    built(runner, small, out)
    raw = (out / STATE_FILE).read_bytes()
    data = json.loads(raw)
    assert raw == json.dumps(data, separators=(",", ":")).encode()
    assert list(data)[-2:] == ["files", "outputs"]
    assert [name for name, _ in data["outputs"]] == sorted(
        k for k in outputs_of(out) if k != "manifest.json")
    read = [entry[0] for entry in data["files"]]
    assert {str(small / "products" / f"{name}.xml") for name in ("alpha", "bravo")} <= set(read)
    assert all(state.file_sha256(out / name) == digest for name, digest in data["outputs"])


def test_the_identities_kept_as_text_are_those_of_the_snapshot(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build keeps the files' identities as the state's text, made an entry at a time: the
    same entries as the snapshot, and none at all while a file is too recent to trust."""
    roots = [str(small), str(small / "absent.toml")]
    assert state.snapshot_encoded(roots) is None  # the portfolio was made just now
    monkeypatch.setattr(state, "RACY_SECONDS", 0)
    entries, recent = state.snapshot(roots)
    text = state.snapshot_encoded(roots)
    assert not recent
    assert text is not None
    assert json.loads(b"[" + text + b"]") == entries
    assert text == json.dumps(entries, separators=(",", ":")).encode()[1:-1]
    assert entries[-1] == [str(small / "absent.toml")]
    assert len(entries) > 5


def test_a_large_piece_is_written_whole_between_small_ones(tmp_path: Path) -> None:
    from smpc_manager.files import write_bytes

    large = bytes(range(256)) * 1024  # larger than the 64 KB written at a time
    pieces = [b"head", large, b"middle", *[b"x" * 1000] * 70, large, b"end"]
    target = tmp_path / "pieces.bin"
    write_bytes(target, iter(pieces), fsync=False)
    assert target.read_bytes() == b"".join(pieces)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=8))
def test_an_entry_is_encoded_as_the_json_encoder_encodes_it(entry: list[object]) -> None:
    # Written out by hand for speed: the same text for any path (any language, quotes,
    # control characters) and any numbers.
    from smpc_manager.build.state import _COMPACT, _compact

    assert _compact(entry) == _COMPACT(entry)
    assert json.loads(_compact(entry)) == entry
