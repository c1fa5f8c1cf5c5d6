"""``scripts/tool_domain.py``, the maintainer's command that refreshes the ``smpc`` domain:
it writes the checkout's ``locales/`` and nothing else, reports stale catalogs for CI, and
refuses to run where it cannot tell which catalogs are meant."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import smpc_manager

from .conftest import REPO

SCRIPT = REPO / "scripts" / "tool_domain.py"
LOCALES = REPO / "locales"
EDITABLE = Path(smpc_manager.__file__).resolve().parent == REPO / "src" / "smpc_manager"


def _run(*args: str, script: Path = SCRIPT, cwd: Path = REPO,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def _copy_script(root: Path) -> Path:
    script = root / "scripts" / "tool_domain.py"
    script.parent.mkdir(parents=True)
    shutil.copy(SCRIPT, script)
    return script


def test_help_is_click_style() -> None:
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: tool_domain.py [OPTIONS]")
    assert "--check" in result.stdout
    assert "--locales DIRECTORY" in result.stdout
    assert _run("-h").stdout == result.stdout


@pytest.mark.skipif(not EDITABLE, reason="smpc_manager is not imported from this checkout")
def test_the_default_is_the_checkouts_own_locales() -> None:
    result = _run("--check", cwd=REPO / "docs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"{LOCALES}: the smpc catalogs are current"


@pytest.mark.skipif(EDITABLE, reason="smpc_manager is imported from this checkout")
def test_an_installed_package_is_not_taken_for_the_checkouts() -> None:
    result = _run("--check")
    assert result.returncode == 2
    assert "is imported from" in result.stderr
    assert "pip install -e" in result.stderr


def test_outside_a_checkout_it_refuses(tmp_path: Path) -> None:
    script = _copy_script(tmp_path)
    result = _run("--check", script=script, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{tmp_path} is not a checkout of smpc-manager" in result.stderr
    assert list(tmp_path.rglob("*.po*")) == []


def test_a_checkout_of_another_copy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "smpc-manager"\n',
                                             encoding="utf-8")
    (tmp_path / "src" / "smpc_manager").mkdir(parents=True)
    (tmp_path / "locales").mkdir()
    script = _copy_script(tmp_path)
    result = _run(script=script, cwd=tmp_path)
    assert result.returncode == 2
    assert f"not from this checkout's {tmp_path / 'src'}" in result.stderr
    assert list((tmp_path / "locales").iterdir()) == []


def test_check_reports_stale_catalogs_and_a_refresh_restores_them(tmp_path: Path) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.po*")}
    assert _run("--check", "--locales", str(copy)).returncode == 0

    pot = copy / "smpc.pot"
    pot.write_text(pot.read_text(encoding="utf-8").replace(
        'msgid "ATC code"', 'msgid "ATC"'), encoding="utf-8")
    stale = _run("--check", "--locales", str(copy), cwd=tmp_path)
    assert stale.returncode == 1
    assert "locales/smpc.pot: not current\n" in stale.stdout
    assert stale.stderr.strip().endswith("not current: run scripts/tool_domain.py and commit"
                                         " the result")
    assert pot.read_bytes() != before[pot]  # --check changes nothing

    stamp = re.search(r"POT-Creation-Date: ([^\\]+)", before[pot].decode()).group(1)
    when = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M%z")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(when.timestamp()))}
    written = _run("--locales", str(copy), cwd=tmp_path, env=env)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "locales/smpc.pot: written\n"
    assert written.stderr == "1 file written\n"
    assert {p: p.read_bytes() for p in copy.rglob("*.po*")} == before


def test_an_unreadable_catalog_is_one_line_and_exit_1(tmp_path: Path) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    german = copy / "de" / "LC_MESSAGES" / "smpc.po"
    german.write_text('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', encoding="utf-8")
    result = _run("--check", "--locales", str(copy))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "smpc.po:" in result.stderr
    assert "Traceback" not in result.stderr
