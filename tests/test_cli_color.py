"""Colour follows --color, NO_COLOR, TERM=dumb and whether each stream is a terminal: in
process (CliRunner stands for a terminal with ``color=True``) and in a real process on a
pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main
from smpc_manager.cli.console import color_setting
from tests.conftest import EXAMPLE, REPO
from tests.terminal import read_terminal

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _near() -> str:
    """A day 20 days before the example's review-by: one warning, exit 0, in both streams."""
    text = (EXAMPLE / "products" / "besponsa.xml").read_text(encoding="utf-8")
    found = re.search(r"<review-by>([\d-]+)</review-by>", text)
    assert found is not None
    return str(dt.date.fromisoformat(found.group(1)) - dt.timedelta(days=20))


CHECK = ["check", str(EXAMPLE), "--as-of", _near()]


def invoke(runner: CliRunner, *argv: str, terminal: bool, env: dict[str, str] | None = None,
           ) -> Result:
    result = runner.invoke(main, list(argv), color=terminal, env=env,
                           obj={"today": lambda: dt.date(2026, 11, 25)})
    assert result.exit_code == 0, result.output
    return result


def coloured(result: Result) -> tuple[bool, bool]:
    """Whether standard output and standard error hold colour codes."""
    return bool(ANSI.search(result.stdout)), bool(ANSI.search(result.stderr))


@pytest.mark.parametrize(("argv", "terminal", "env", "expected"), [
    ([], True, {}, True),  # auto on a terminal
    ([], False, {}, False),  # auto, piped
    (["--color", "always"], False, {}, True),
    (["--color", "never"], True, {}, False),
    ([], True, {"NO_COLOR": "1"}, False),
    ([], True, {"NO_COLOR": ""}, True),  # only a value that is not empty counts
    ([], True, {"TERM": "dumb"}, False),
    (["--color", "always"], False, {"NO_COLOR": "1", "TERM": "dumb"}, True),
], ids=["auto terminal", "auto piped", "always", "never", "NO_COLOR", "NO_COLOR empty",
        "TERM=dumb", "always beats NO_COLOR"])
def test_colour_follows_the_option_the_environment_and_the_terminal(
        runner: CliRunner, argv: list[str], terminal: bool, env: dict[str, str],
        expected: bool) -> None:
    env = {"NO_COLOR": "", "TERM": "xterm", **env}
    result = invoke(runner, *argv, *CHECK, terminal=terminal, env=env)
    assert coloured(result) == (expected, expected)
    plain = invoke(runner, "--color", "never", *CHECK, terminal=True)
    assert (ANSI.sub("", result.stdout), ANSI.sub("", result.stderr)) == (plain.stdout,
                                                                          plain.stderr)


def test_what_is_coloured(runner: CliRunner) -> None:
    result = invoke(runner, "--color", "always", *CHECK, terminal=False)
    path = f"{EXAMPLE}/products/besponsa.xml"
    assert result.stdout.startswith(f"\x1b[1m{path}:")  # the place in bold
    assert "\x1b[33mwarning\x1b[0m" in result.stdout  # the marker in yellow
    assert result.stderr.startswith("\x1b[33mchecked 2 files")  # the summary by its verdict


def test_an_invalid_choice_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--color", "sometimes", "stats", str(EXAMPLE)])
    assert result.exit_code == 2
    assert result.stderr.startswith("smpc: invalid value for '--color': 'sometimes'")


@pytest.mark.parametrize(("choice", "env", "expected"), [
    ("always", {"NO_COLOR": "1"}, True),
    ("never", {}, False),
    ("auto", {}, None),
    ("auto", {"NO_COLOR": "x"}, False),
    ("auto", {"NO_COLOR": ""}, None),
    ("auto", {"TERM": "dumb"}, False),
])
def test_color_setting(choice: str, env: dict[str, str], expected: bool | None) -> None:
    assert color_setting(choice, env) is expected


# ------------------------------------------------------------------------ a real terminal


def on_a_terminal(argv: list[str], env: dict[str, str], *,
                  stdout_piped: bool = False) -> tuple[str, str]:
    """Run smpc with standard error (and standard output, unless piped) on a
    pseudo-terminal: what the terminal showed, and what the pipe got."""
    primary, secondary = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update({"COLUMNS": "100", "TERM": "xterm", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "smpc_manager", *argv], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout_piped else secondary, stderr=secondary, cwd=REPO,
        env=environ)
    os.close(secondary)
    shown_bytes = read_terminal(primary)
    piped, _ = process.communicate(timeout=30)  # what went to the pipe, if any
    os.close(primary)
    assert process.returncode == 0, shown_bytes
    return shown_bytes.decode("utf-8", "replace"), (piped or b"").decode("utf-8")


needs_a_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@needs_a_pty
@pytest.mark.parametrize(("argv", "env", "expected"), [
    ([], {}, True),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"TERM": "dumb"}, False),
    (["--color", "never"], {}, False),
], ids=["auto", "NO_COLOR", "TERM=dumb", "never"])
def test_colour_on_a_pseudo_terminal(argv: list[str], env: dict[str, str],
                                     expected: bool) -> None:
    shown, _ = on_a_terminal([*argv, *CHECK], env)
    assert "checked 2 files as of" in shown
    assert bool(ANSI.search(shown)) is expected


@needs_a_pty
def test_each_stream_is_coloured_only_where_it_is_a_terminal() -> None:
    shown, piped = on_a_terminal(CHECK, {}, stdout_piped=True)
    assert "warning" in piped  # the findings, piped: plain
    assert not ANSI.search(piped)
    assert "checked 2 files" in shown  # the summary, on the terminal: coloured
    assert ANSI.search(shown)
    _, forced = on_a_terminal(["--color", "always", *CHECK], {}, stdout_piped=True)
    assert ANSI.search(forced)

