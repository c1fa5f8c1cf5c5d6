"""Shell completion: the commands and options click completes, and what ours add: --market
completes the markets (shipped, and the portfolio's own), --locale the languages with
catalogs in the portfolio, --format the formats; through click's completion API and through
the environment variable a shell's completion script sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from smpc_manager.cli import main
from tests.conftest import EXAMPLE

SHIPPED = ["AT", "DE", "GB", "IE"]


def complete(args: list[str], incomplete: str = "") -> list[str]:
    """What completing ``smpc ARGS INCOMPLETE`` offers."""
    completer = ShellComplete(main, {}, "smpc", "_SMPC_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


@pytest.fixture
def own_market(portfolio: Path) -> Path:
    """The example portfolio with a market of its own, CH, and a French catalog folder."""
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[profiles]\nCH = "ch.toml"\n',
                      encoding="utf-8")
    (portfolio / "locales" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    return portfolio


def test_the_commands_complete() -> None:
    assert complete([], "") == ["build", "check", "compile", "extract", "impact", "import",
                                "init", "migrate", "render", "stats", "update", "validate"]
    assert complete([], "c") == ["check", "compile"]
    assert "--color" in complete([], "--c")


@pytest.mark.parametrize("command", [
    ["render", str(EXAMPLE / "products" / "besponsa.xml"), "--market"],
    ["render", str(EXAMPLE / "products" / "besponsa.xml"), "-m"],
    ["build", str(EXAMPLE), "-o", "out", "--market"],
    ["check", str(EXAMPLE), "--market"],
])
def test_market_completes_the_shipped_markets(command: list[str]) -> None:
    assert complete(command) == SHIPPED
    assert complete(command, "g") == ["GB"]  # typed in either case


def test_market_completes_the_portfolios_own_markets(own_market: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    product = own_market / "products" / "besponsa.xml"
    assert complete(["render", str(product), "--market"]) == ["AT", "CH", "DE", "GB", "IE"]
    assert complete(["build", str(own_market), "--market"], "C") == ["CH"]
    # Before the portfolio is named, the current folder's is taken.
    monkeypatch.chdir(own_market)
    assert complete(["check", "--market"], "c") == ["CH"]


def test_a_broken_smpc_toml_still_completes_the_shipped_markets(portfolio: Path) -> None:
    (portfolio / "smpc.toml").write_text("markets = [", encoding="utf-8")
    assert complete(["check", str(portfolio), "--market"]) == SHIPPED


def test_locale_completes_the_languages_with_catalogs(own_market: Path) -> None:
    assert complete(["stats", str(own_market), "--locale"]) == ["de", "fr"]
    assert complete(["update", str(own_market), "-l"], "f") == ["fr"]
    assert complete(["init", str(own_market), "--locale"]) == ["de", "fr"]
    product = own_market / "products" / "besponsa.xml"
    assert complete(["render", str(product), "-m", "AT", "--locale"]) == ["de", "fr"]


@pytest.mark.parametrize(("command", "formats"), [
    (["render", "x.xml", "--format"], ["text", "html", "json"]),
    (["build", ".", "--format"], ["text", "html", "json"]),
    (["check", ".", "--format"], ["text", "json"]),
    (["validate", ".", "--format"], ["text", "json"]),
    (["--color"], ["auto", "always", "never"]),
])
def test_format_and_color_complete_their_choices(command: list[str],
                                                  formats: list[str]) -> None:
    assert complete(command) == formats


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_its_script(runner: CliRunner, shell: str) -> None:
    result = runner.invoke(main, [], prog_name="smpc",
                           env={"_SMPC_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_SMPC_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout


def test_the_shell_asks_through_the_environment(runner: CliRunner) -> None:
    product = EXAMPLE / "products" / "besponsa.xml"
    result = runner.invoke(main, [], prog_name="smpc", env={
        "_SMPC_COMPLETE": "bash_complete", "COMP_WORDS": f"smpc render {product} --market ",
        "COMP_CWORD": "4"})
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"plain,{m}" for m in SHIPPED]
