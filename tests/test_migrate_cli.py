"""``smpc migrate`` on the command line: what it writes and prints, --check and --diff, and
its exit status for bad input (1) and wrong usage (2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main
from smpc_manager.products import load_product
from tests.conftest import DATA
from tests.migration import schema_1_portfolio

#: 2026-11-25 09:30 UTC, the date a template extracted anew gets (tests never read the clock).
EPOCH = "1795599000"
PRODUCT = Path("products") / "besponsa.xml"


def smpc(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args],
                                env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "Traceback" not in result.output + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A schema 1 copy of the example portfolio."""
    target = tmp_path / "portfolio"
    shutil.copytree(schema_1_portfolio("example"), target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def contents(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_portfolio_is_migrated_and_stays_translated(example: Path) -> None:
    result = smpc("migrate", example)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "1 file: 1 migrated, 0 already schema 2; 1 catalog entry carried" \
                            " over\n"
    assert load_product(example / PRODUCT).schema == 2
    stats = smpc("stats", example)
    assert stats.exit_code == 0, stats.stderr
    assert "besponsa de: 20/20 translated, 0 fuzzy, 0 untranslated" in stats.stdout
    for command in ("update", "extract"):
        current = smpc(command, example, "--check")
        assert current.exit_code == 0, current.stdout + current.stderr


def test_verbose_names_each_file_and_catalog(example: Path) -> None:
    result = smpc("--verbose", "migrate", example)
    assert result.exit_code == 0
    assert f"{example / PRODUCT}: migrated to schema 2; catalogs carried over:" \
           f" {example}/locales/de/LC_MESSAGES/besponsa.po (1 entry)\n" in result.stderr


def test_a_file_already_in_schema_2_is_left_as_it_is_and_said_so(example: Path) -> None:
    smpc("migrate", example)
    before = contents(example)
    result = smpc("--verbose", "migrate", example / PRODUCT)
    assert result.exit_code == 0
    assert result.stderr == (f"{example / PRODUCT}: already schema 2, left as it is\n"
                             "1 file: 0 migrated, 1 already schema 2\n")
    assert contents(example) == before


def test_check_lists_what_is_still_schema_1_and_writes_nothing(example: Path) -> None:
    before = contents(example)
    result = smpc("migrate", "--check", example)
    assert result.exit_code == 1
    assert result.stdout == (f"{example / PRODUCT}: would be migrated to schema 2; catalogs"
                             f" would be carried over: {example}/locales/de/LC_MESSAGES/"
                             "besponsa.po (1 entry)\n")
    assert result.stderr == ("1 file: 1 to migrate, 0 already schema 2; 1 catalog entry to"
                             f" carry over (run smpc migrate {example})\n")
    assert contents(example) == before
    smpc("migrate", example)
    assert smpc("migrate", "--check", example).exit_code == 0


def test_diff_prints_what_a_file_would_become(example: Path) -> None:
    before = contents(example)
    result = smpc("migrate", "--diff", example)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"--- {example / PRODUCT} (schema 1)\n"
                                    f"+++ {example / PRODUCT} (schema 2)\n@@ ")
    assert '-<product xmlns="urn:smpc-manager:product:1"' in result.stdout
    assert '+<product xmlns="urn:smpc-manager:product:2"' in result.stdout
    assert "+  <label-warnings>\n" in result.stdout
    assert contents(example) == before


def test_a_file_that_does_not_validate_stops_the_run(example: Path) -> None:
    bad = example / "products" / "bad-atc-code.xml"
    shutil.copyfile(DATA / "invalid" / "bad-atc-code.xml", bad)
    before = contents(example)
    result = smpc("migrate", example)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{bad}:")
    assert "atc-code 'L1XC' is not an ATC code" in line
    assert contents(example) == before


@pytest.mark.parametrize(("args", "message"), [
    ((), "smpc migrate: missing argument 'PATHS...'"),
    (("--frobnicate", "x"), "smpc migrate: no such option '--frobnicate'"),
    (("no/such/folder",), "no/such/folder: no such file or folder"),
])
def test_wrong_usage_exits_2(args: tuple[str, ...], message: str) -> None:
    result = smpc("migrate", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_the_help_teaches_the_command() -> None:
    result = smpc("migrate", "--help")
    assert result.exit_code == 0
    for words in ("presentation p1", "label-warnings", "--check", "--diff",
                  "smpc migrate examples/portfolio"):
        assert words in result.stdout
