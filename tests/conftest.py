"""Shared fixtures: the bundled example portfolio, copied so a test may change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "portfolio"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """A private copy of examples/portfolio (without compiled .mo files)."""
    target = tmp_path / "portfolio"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
