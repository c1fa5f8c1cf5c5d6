"""The project's own code checks, so that the one test command runs them too."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check",
         *[d for d in ("src", "tests", "benchmarks", "fuzz", "scripts") if (REPO / d).is_dir()]],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", "/tmp/smpc-mypy"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
