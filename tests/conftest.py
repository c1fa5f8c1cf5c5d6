"""Shared fixtures: the bundled example portfolio, copied so a test may change it, and the
golden files under ``tests/golden/``, compared whole or rewritten with ``--update-goldens``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "portfolio"
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite the files under tests/golden/ with what the code gives now "
             "(after an intended change; review their diff before committing it)")


class Goldens:
    """The reviewed golden files: each compared whole with what a test produced, or, under
    ``--update-goldens``, rewritten with it."""

    def __init__(self, *, update: bool) -> None:
        self.update = update

    def check(self, name: str, text: str) -> None:
        """Assert that ``text`` is the content of ``tests/golden/<name>``."""
        path = GOLDEN / name
        if self.update:
            path.write_text(text, encoding="utf-8", newline="\n")
        assert text == path.read_text(encoding="utf-8"), f"differs from tests/golden/{name}"


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """A private copy of examples/portfolio with its first product, BESPONSA, alone
    (without compiled .mo files): the portfolio whose one product, template and catalog the
    tests of commands count and change. tests/test_zeposia.py covers the second."""
    target = tmp_path / "portfolio"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.mo", "zeposia.*"))
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def goldens(request: pytest.FixtureRequest) -> Goldens:
    return Goldens(update=request.config.getoption("--update-goldens"))
