"""docs/cli.md: its reference is the --help of every command as it is now
(``scripts/cli_docs.py`` writes it), and its prose names every command and option."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from types import ModuleType

import pytest

from smpc_manager.cli.app import COMMANDS
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "cli_docs.py"
PAGE = REPO / "docs" / "cli.md"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_current() -> None:
    docs = script()
    current = PAGE.read_text(encoding="utf-8")
    assert docs.page(current) == current, "docs/cli.md is stale: run python scripts/cli_docs.py"


@pytest.mark.parametrize("command", [[], ["check"]], ids=["smpc", "check"])
def test_the_reference_is_what_an_80_column_terminal_shows(command: list[str]) -> None:
    smpc = "from smpc_manager.cli import main; main(prog_name='smpc')"
    shown = subprocess.run([sys.executable, "-c", smpc, *command, "--help"],
                           capture_output=True, text=True, check=True,
                           env={**os.environ, "COLUMNS": "80"})
    title = " ".join(["smpc", *command])
    assert f"### {title}\n\n```text\n{shown.stdout}```" in PAGE.read_text(encoding="utf-8")


def test_the_reference_has_every_command() -> None:
    titles = re.findall(r"^### smpc (\w+)$", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    assert titles == sorted(COMMANDS)


def test_the_script_rewrites_the_reference_and_keeps_the_prose() -> None:
    docs = script()
    current = PAGE.read_text(encoding="utf-8")
    stale = current.replace("Usage: smpc build", "Usage: smpc bild")
    assert docs.page(stale) == current
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "cli.md: up to date\n")


def test_the_prose_names_every_command_and_global_option() -> None:
    prose = PAGE.read_text(encoding="utf-8").partition("## Reference")[0]
    for name in COMMANDS:
        assert re.search(rf"`{name}`", prose), name
    for option in ("--color", "--quiet", "--verbose", "--debug", "NO_COLOR", "TERM",
                   "_SMPC_COMPLETE=bash_source", "_SMPC_COMPLETE=zsh_source",
                   "_SMPC_COMPLETE=fish_source"):
        assert option in prose, option
