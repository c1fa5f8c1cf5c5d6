"""The library API (docs/api.md): what the smpc command does, with the same refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import smpc_manager
from smpc_manager import (
    BuildOptions,
    ProblemsError,
    Renderer,
    build,
    check,
    load_portfolio,
    load_product,
    read_catalog,
    validate_file,
    write_catalog,
)
from tests.conftest import REPO

DAY = dt.date(2026, 12, 6)


def test_the_docstring_example_renders_the_austrian_block(portfolio: Path) -> None:
    settings = load_portfolio(portfolio)
    product = load_product(portfolio / "products" / "besponsa.xml")
    text = Renderer(settings).render(product, "AT", as_of=DAY).content
    assert text == (REPO / "tests" / "golden" / "besponsa-AT.txt").read_text(encoding="utf-8")


def test_an_expired_summary_is_refused_by_the_library_too(portfolio: Path) -> None:
    settings = load_portfolio(portfolio)
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as refused:
        Renderer(settings).render(product, "AT", as_of=dt.date(2030, 1, 1))
    assert any("review-by" in line for line in refused.value.lines())


def test_an_incomplete_catalog_is_refused(portfolio: Path) -> None:
    (portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po").unlink()
    product = load_product(portfolio / "products" / "besponsa.xml")
    with pytest.raises(ProblemsError) as refused:
        Renderer(load_portfolio(portfolio)).render(product, "DE", as_of=DAY)
    assert any("no de_DE catalog for besponsa" in line for line in refused.value.lines())


def test_build_and_check_a_portfolio(portfolio: Path, tmp_path: Path) -> None:
    result = build(load_portfolio(portfolio), BuildOptions(tmp_path / "out", DAY))
    assert (result.built, result.failed, result.ok) == (3, 0, True)
    assert (tmp_path / "out" / "AT" / "de_AT" / "besponsa.txt").is_file()
    report = check([portfolio], as_of=DAY)
    # its one warning: the ATC code of its SmPC, which the ATC index changed in 2022
    assert (report.errors, report.warnings, len(report.files)) == (0, 1, 1)
    late = check([portfolio], as_of=dt.date(2028, 1, 1))
    assert late.errors > 0


def test_validate_a_file_and_round_trip_a_catalog(portfolio: Path, tmp_path: Path) -> None:
    assert validate_file(portfolio / "products" / "besponsa.xml") == []
    path = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    catalog = read_catalog(path)
    copy = tmp_path / "copy.po"
    write_catalog(copy, catalog)
    assert copy.read_bytes() == path.read_bytes()


def test_the_version_is_the_package_metadata() -> None:
    assert smpc_manager.__version__ == smpc_manager.version.__version__
    assert "build" in dir(smpc_manager)
