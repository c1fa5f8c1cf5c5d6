"""Portfolio: finding the root, reading smpc.toml, expanding command-line paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError, UsageError
from smpc_manager.portfolio import (
    MAX_CONFIG_BYTES,
    Policy,
    Portfolio,
    expand,
    find_root,
    load_portfolio,
    portfolio_for,
)
from smpc_manager.render import relative_name
from tests.conftest import EXAMPLE


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load_portfolio(root)
    return caught.value.lines()


def test_example_settings() -> None:
    portfolio = load_portfolio(EXAMPLE)
    assert portfolio.root == EXAMPLE
    assert portfolio.source_locale == "en"
    assert portfolio.markets == ("AT", "DE", "IE", "GB")
    assert portfolio.policy.warn_days == 90
    assert [p.name for p in portfolio.product_files()] == ["besponsa.xml", "zeposia.xml"]
    assert portfolio.catalog_path("de", "besponsa") == (
        EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")


def test_the_product_files_are_the_xml_files_of_the_folder(tmp_path: Path) -> None:
    products = tmp_path / "products"
    products.mkdir()
    for name in ("b.xml", "a.xml", ".hidden.xml", ".xml", "notes.txt", "c.xml.bak", "D.XML"):
        (products / name).write_text("<product/>")
    (products / "folder.xml").mkdir()
    (products / "link.xml").symlink_to(products / "a.xml")
    found = load_portfolio(tmp_path).product_files()
    # What products/*.xml names, plain files and links to them, sorted by name.
    assert found == sorted((p for p in products.glob("*.xml") if p.is_file()),
                           key=lambda p: p.name)
    assert [p.name for p in found] == [".hidden.xml", ".xml", "a.xml", "b.xml", "link.xml"]
    assert all(p.parent == products for p in found)
    # A link to nothing is no product file to pass over: tests/test_hostile_inputs.py.


def test_find_root_walks_up_like_git(portfolio: Path, tmp_path: Path) -> None:
    deep = portfolio / "products" / "sub" / "deeper"
    deep.mkdir(parents=True)
    assert find_root(portfolio / "products" / "besponsa.xml") == portfolio.resolve()
    assert find_root(deep) == portfolio.resolve()
    bare = tmp_path / "bare"
    (bare / "products").mkdir(parents=True)
    assert find_root(bare / "products") == bare.resolve()


def test_no_settings_means_defaults(tmp_path: Path) -> None:
    assert load_portfolio(tmp_path) == load_portfolio(tmp_path)
    portfolio = load_portfolio(tmp_path)
    assert (portfolio.source_locale, portfolio.markets, portfolio.policy) == ("en", (), Policy())


def test_bad_toml_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "smpc.toml").write_text('source-locale = "en"\nmarkets = [\n  "AT",,\n]\n')
    [line] = problems_of(tmp_path)
    assert line.startswith(f"{tmp_path / 'smpc.toml'}:3:8: is not valid TOML: ")
    assert "(at line" not in line


def test_unknown_keys_and_bad_values_each_on_their_line(tmp_path: Path) -> None:
    (tmp_path / "smpc.toml").write_text(
        'source-locale = "../x"\n'
        'markets = ["AT", "Austria"]\n'
        "colour = true\n"
        "\n"
        "[policy]\n"
        "warn-days = -3\n"
        "max-prescribing-information-age-months = 0\n"
        "hurry = 1\n"
    )
    config = tmp_path / "smpc.toml"
    assert problems_of(tmp_path) == [
        f"{config}:1: source-locale must be a locale such as 'en', found '../x'",
        f"{config}:2: markets: 'Austria' is not a market code (two letters such as AT)",
        f"{config}:3: unknown setting 'colour' (known: atc-alterations, inputs, markets,"
        " policy, profiles, source-locale, translation)",
        f"{config}:6: policy.warn-days must be a whole number of days from 0 to 3660,"
        " found -3",
        f"{config}:7: policy.max-prescribing-information-age-months must be a whole number"
        " from 1 to 1200, found 0",
        f"{config}:8: unknown setting 'policy.hurry' (known: atc-code-changed,"
        " max-prescribing-information-age-months, warn-days)",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("markets = \"AT\"\n", "markets must be a list of market codes"),
        ("policy = 3\n", "[policy] must be a table"),
        ("profiles = [1]\n", "[profiles] must be a table of market codes"),
        ("[policy]\nwarn-days = true\n", "policy.warn-days must be a whole number"),
        ("[policy]\nwarn-days = 99999999999\n", "policy.warn-days must be a whole number"),
        ("source-locale = 1\n", "source-locale must be a locale"),
        ("translation = 1\n", "[translation] must be a table"),
        ("[translation]\nmemory-exact = true\n", "translation.memory-exact must be one of"
         " fuzzy, translated, found True"),
        ("[translation]\nuntranslatable = \"Pfizer\"\n", "translation.untranslatable must be"
         " a list of terms"),
        ("[translation]\nuntranslatable = [\" \"]\n", "translation.untranslatable must be"
         " a list of terms"),
        ("[translation]\nmemory = 1\n", "unknown setting 'translation.memory' (known:"
         " memory-exact, untranslatable)"),
    ],
)
def test_wrong_types(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "smpc.toml").write_text(text)
    [line] = problems_of(tmp_path)
    assert words in line


def test_translation_settings(tmp_path: Path) -> None:
    (tmp_path / "smpc.toml").write_text(
        '[translation]\nmemory-exact = "translated"\nuntranslatable = ["Pfizer", " ATC "]\n')
    settings = load_portfolio(tmp_path).translation
    assert (settings.memory_exact, settings.untranslatable) == ("translated", ("Pfizer", "ATC"))
    assert Portfolio(tmp_path).translation.memory_exact == "fuzzy"


def test_settings_that_are_not_text(tmp_path: Path) -> None:
    (tmp_path / "smpc.toml").write_bytes(b'source-locale = "\xff"\n')
    assert problems_of(tmp_path) == [f"{tmp_path / 'smpc.toml'}: is not valid UTF-8 (byte 17)"]


def test_oversized_settings_are_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "smpc.toml").open("wb") as handle:
        handle.truncate(MAX_CONFIG_BYTES + 1)
    [line] = problems_of(tmp_path)
    assert "a settings file is a few lines" in line


def test_expand_files_and_folders(portfolio: Path, tmp_path: Path) -> None:
    product = portfolio / "products" / "besponsa.xml"
    [target] = expand([portfolio])
    assert (target.path.name, target.portfolio.root) == ("besponsa.xml", portfolio.resolve())
    [target] = expand([product])
    assert target.portfolio.markets == ("AT", "DE", "IE", "GB")
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "a.xml").write_text("<x/>")
    assert [t.path.name for t in expand([loose])] == ["a.xml"]
    assert portfolio_for(loose / "a.xml").root == loose.resolve()


def test_expand_refuses_what_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no such file or folder"):
        expand([tmp_path / "typo"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match=r"no product files"):
        expand([empty])
    assert UsageError.exit_code == 2


def test_validate_reports_bad_settings(runner: CliRunner, portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + "\n[surprise]\n")
    result = runner.invoke(main, ["validate", str(portfolio)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{config.resolve()}:{len(config.read_text().splitlines())}: unknown setting"
        " 'surprise' (known: atc-alterations, inputs, markets, policy, profiles,"
        " source-locale, translation)"
    ]


# ------------------------------------------------------------------------ names of inputs


def test_an_input_is_named_alike_from_a_relative_path(portfolio: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A portfolio named relative to the working folder (as users name it) gives its files
    the names an absolute one gives; a symlinked file is named by where it leads, and a
    change of working folder is followed."""
    catalog = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    shared = portfolio / "shared"
    shared.mkdir()
    (shared / "besponsa.po").write_bytes(catalog.read_bytes())
    linked = portfolio / "locales" / "de" / "LC_MESSAGES" / "linked.po"
    linked.symlink_to(shared / "besponsa.po")
    expected = {
        portfolio / "products" / "besponsa.xml": "products/besponsa.xml",
        catalog: "locales/de/LC_MESSAGES/besponsa.po",
        linked: "shared/besponsa.po",
    }
    for path, name in expected.items():
        assert relative_name(str(path), portfolio) == name
    monkeypatch.chdir(tmp_path)
    relative_root = Path(portfolio.name)
    for path, name in expected.items():
        assert relative_name(str(path.relative_to(tmp_path)), relative_root) == name
    assert relative_name(str(portfolio.resolve()), relative_root) == "."
    monkeypatch.chdir(portfolio / "products")
    assert relative_name("besponsa.xml", Path("..")) == "products/besponsa.xml"
    assert relative_name("../locales/de/LC_MESSAGES/linked.po", Path("..")) == \
        "shared/besponsa.po"
