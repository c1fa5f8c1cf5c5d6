"""``.pre-commit-hooks.yaml``: the hooks a portfolio's repository can run, each a real
``smpc`` command that passes on the example portfolio."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smpc_manager.cli import main
from tests.conftest import REPO

HOOKS = REPO / ".pre-commit-hooks.yaml"


def scalar(text: str) -> Any:
    """A value of the YAML subset the file is written in: a flow list, a boolean, a plain
    string."""
    if text.startswith("[") and text.endswith("]"):
        return [item.strip() for item in text[1:-1].split(",") if item.strip()]
    return {"true": True, "false": False}.get(text, text)


def read_hooks(text: str) -> list[dict[str, Any]]:
    """The hooks of the file, read without a YAML library: a list of mappings of
    scalars, one ``key: value`` a line."""
    hooks: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )(\w+): (.+)", line)
        assert match is not None, f"not in the subset the hooks are written in: {line!r}"
        if match.group(1) == "- ":
            hooks.append({})
        hooks[-1][match.group(2)] = scalar(match.group(3))
    return hooks


def hooks() -> list[dict[str, Any]]:
    return read_hooks(HOOKS.read_text(encoding="utf-8"))


def test_the_file_is_what_a_yaml_reader_reads() -> None:
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(HOOKS.read_text(encoding="utf-8")) == hooks()


def test_the_hooks_offered() -> None:
    assert [h["id"] for h in hooks()] == ["smpc-validate", "smpc-check",
                                          "smpc-extract-check", "smpc-update-check"]


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_each_hook_runs_an_smpc_command_once_on_the_portfolio(hook: dict[str, Any]) -> None:
    assert set(hook) == {"id", "name", "description", "entry", "args", "language",
                         "pass_filenames", "files"}
    assert (hook["language"], hook["pass_filenames"], hook["args"]) == ("python", False, ["."])
    program, *command = shlex.split(hook["entry"])
    assert program == "smpc"
    assert hook["name"] == hook["entry"]
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    for option in (word for word in command if word.startswith("--")):
        assert re.search(rf"^\s+{option}\b", result.output, re.MULTILINE), option


@pytest.mark.parametrize(("path", "hook_ids"), [
    ("products/besponsa.xml", {"smpc-validate", "smpc-check", "smpc-extract-check",
                               "smpc-update-check"}),
    ("smpc.toml", {"smpc-validate", "smpc-check", "smpc-extract-check", "smpc-update-check"}),
    ("locales/de/LC_MESSAGES/besponsa.po", {"smpc-check", "smpc-update-check"}),
    ("locales/templates/besponsa.pot", {"smpc-extract-check", "smpc-update-check"}),
    ("templates/page.html.j2", {"smpc-check"}),
    ("README.md", set()),
    ("locales/de/LC_MESSAGES/besponsa.mo", set()),
])
def test_each_hook_runs_when_its_inputs_change(path: str, hook_ids: set[str]) -> None:
    assert {h["id"] for h in hooks() if re.search(h["files"], path)} == hook_ids


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_each_hook_passes_on_the_example_portfolio(hook: dict[str, Any], portfolio: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(portfolio)
    _program, *command = shlex.split(hook["entry"])
    result = CliRunner().invoke(main, [*command, *hook["args"]])
    assert result.exit_code == 0, result.output
