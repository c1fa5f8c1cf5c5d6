"""Incremental builds: the manifest's hashes and stamps decide what is built again, and no
change to what an output is made from is ever trusted away."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.builder import MANIFEST_FILE, Manifest, manifest
from tests.conftest import EXAMPLE
from tests.test_build import files_under, make_portfolio
from tests.test_cli_build import smpc_build, summary

DE_PO = Path("locales/de/LC_MESSAGES")


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files made a moment ago are trusted by their stamps: the tests change them right
    after a build (the guard against a change within the file system's tick has a test of
    its own below)."""
    monkeypatch.setattr(manifest, "RACY_SECONDS", 0)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_portfolio(tmp_path / "portfolio", ("alpha", "bravo"))


def built(runner: CliRunner, root: Path, out: Path, *args: str) -> tuple[int, ...]:
    result = smpc_build(runner, root, "-o", out, *args)
    assert result.exit_code == 0, result.output
    return summary(result)


def fresh(runner: CliRunner, root: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    """What a build from nothing writes now (the manifest aside)."""
    out = tmp_path / f"fresh-{time.perf_counter_ns()}"
    built(runner, root, out, *args)
    return outputs_of(out)


def outputs_of(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in files_under(out).items() if k != MANIFEST_FILE}


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


def garble_manifest(root: Path, out: Path) -> None:
    (out / "manifest.json").write_bytes(b'{"manifest-version": 2, "files": [')


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
    "manifest garbled": (garble_manifest, (6, 0, 0, 0)),
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
    assert Manifest.read(out / MANIFEST_FILE).files  # the inputs were stamped
    assert built(runner, small, out) == (0, 6, 0, 0)  # trusted by their stamps

    change, expected = CHANGES[name]
    change(small, out)
    assert built(runner, small, out) == expected
    # The folder holds what a build from nothing makes of the portfolio as it is now.
    assert outputs_of(out) == fresh(runner, small, tmp_path)
    assert built(runner, small, out) == (0, expected[0] + expected[1], 0, 0)


@pytest.mark.usefixtures("trusting")
def test_a_rewritten_template_is_not_an_input(runner: CliRunner, small: Path,
                                             tmp_path: Path) -> None:
    """``locales/templates/*.pot`` is read by ``smpc update`` only: ``smpc extract``
    rewriting one changes no output, while a catalog's edit does."""
    templates = small / "locales" / "templates"
    templates.mkdir()
    pot = templates / "alpha.pot"
    pot.write_bytes((EXAMPLE / "locales" / "templates" / "besponsa.pot").read_bytes())
    out = tmp_path / "out"
    assert built(runner, small, out) == (6, 0, 0, 0)
    pot.write_text(pot.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert built(runner, small, out) == (0, 6, 0, 0)
    edit_catalog(small, out)
    assert built(runner, small, out) == (2, 4, 0, 0)


@pytest.mark.usefixtures("trusting")
def test_another_day_or_choice_asks_anew(runner: CliRunner, small: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    built(runner, small, out)
    # After the review-by date the products are loaded and refused again.
    late = smpc_build(runner, small, "-o", out, "--as-of", "2028-01-01")
    assert late.exit_code == 1, late.output
    assert "review-by" in late.output
    built(runner, small, out)
    assert built(runner, small, out, "--market", "AT") == (0, 2, 0, 0)
    assert built(runner, small, out, "--format", "html") == (6, 0, 0, 0)
    assert built(runner, small, out, "--rehash", "--format", "html") == (0, 6, 0, 0)


@pytest.mark.usefixtures("trusting")
def test_a_stamp_that_lies_is_caught_by_rehash(runner: CliRunner, small: Path,
                                               tmp_path: Path) -> None:
    """A file changed while keeping its stamp (a clock set back, a tool that restores
    times) is trusted by its stamp, as SCons and git trust theirs: --rehash finds it."""
    out = tmp_path / "out"
    built(runner, small, out)
    record = Manifest.read(out / MANIFEST_FILE)
    catalog = small / DE_PO / "alpha.po"
    assert "locales/de/LC_MESSAGES/alpha.po" in record.files
    assert built(runner, small, out, "--rehash") == (0, 6, 0, 0)
    edit_catalog(small, out)
    assert built(runner, small, out, "--rehash") == (2, 4, 0, 0)
    assert catalog.is_file()


def test_files_changed_a_moment_ago_get_no_stamp(runner: CliRunner, small: Path,
                                                 tmp_path: Path) -> None:
    """A file changed within the file system's tick before the build read it is hashed
    again next time: its stamp may not show a change made in the same tick."""
    out = tmp_path / "out"
    built(runner, small, out)  # the portfolio was made just now
    files = Manifest.read(out / MANIFEST_FILE).files
    assert not any(name.startswith(("products/", "locales/")) for name in files)
    # The tool's own files were installed long before: trusted by their stamps.
    assert any(name.startswith("smpc_manager/") for name in files)
    assert built(runner, small, out) == (0, 6, 0, 0)
