"""``smpc stats`` counts words as translate-toolkit's pocount does, and the messages a
translation memory filled."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from smpc_manager.catalogs import MEMORY_NOTE, count_words, read_catalog, words, write_catalog
from smpc_manager.cli import main
from tests.conftest import EXAMPLE
from tests.reports import read_report

PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"


def stats(runner: CliRunner, portfolio: Path) -> dict[str, Any]:
    result = runner.invoke(main, ["stats", str(portfolio), "--format", "json"])
    assert result.exit_code == 0, result.output
    (record,) = read_report(result.stdout, "stats")["items"]
    assert isinstance(record, dict)
    return record


def test_the_doctests_hold() -> None:
    assert doctest.testmod(words).failed == 0


@pytest.mark.parametrize(("text", "count"), [
    ("", 0),
    ("Each vial contains 1 mg inotuzumab ozogamicin.", 7),
    ("1.8 mg/m<sup>2</sup> per cycle", 5),  # 1.8, mg, m2, per, cycle: a tag is no word
    ("(≥ 20%) thrombocytopenia (51%)", 3),
    ("CD22-positive B cell precursor", 5),
    ("don't stop, 1,000.5 units", 4),
    ("e.g. cirrhosis", 1),  # pocount drops every letter-dot-letter run
    ("VOD/SOS", 2),
])
def test_words_are_counted_as_pocount_counts_them(text: str, count: int) -> None:
    assert count_words(text) == count


@given(st.lists(st.sampled_from([*"abZé19_.,;:'’-/()% \n\u0301\u00ad\u202f²中ア·", "<sup>",
                                 "</sup>", "<br/>", "e.g.", "1.5"]), max_size=30))
def test_words_agree_with_pocount_on_any_text(parts: list[str]) -> None:
    pocount = pytest.importorskip("translate.tools.pocount")
    text = "".join(parts)
    assert count_words(text) == pocount.wordcount(text)


def test_stats_counts_the_examples_words_as_pocount_does(runner: CliRunner) -> None:
    record = stats(runner, EXAMPLE / "products" / "besponsa.xml")
    assert record["words"] == {"total": 384, "translated": 384, "fuzzy": 0, "untranslated": 0,
                               "failed": 0}
    pocount = pytest.importorskip("translate.tools.pocount")
    counted = pocount.calcstats(str(EXAMPLE / PO))
    assert (counted["translatedsourcewords"], counted["fuzzysourcewords"],
            counted["untranslatedsourcewords"]) == (384, 0, 0)


def test_words_follow_the_messages_state(runner: CliRunner, portfolio: Path) -> None:
    path = portfolio / PO
    catalog = read_catalog(path)
    fuzzy = next(m for m in catalog if m.id and str(m.id).startswith("BESPONSA is indicated"))
    fuzzy.flags.add("fuzzy")
    empty = next(m for m in catalog if m.id == "Sodium chloride")
    empty.string = ""
    failing = next(m for m in catalog if m.id and "0.25 mg" in str(m.id))
    failing.string = str(failing.string).replace("0,25", "0.25")
    write_catalog(path, catalog)
    record = stats(runner, portfolio)
    sizes = [count_words(str(m.id)) for m in (fuzzy, empty, failing)]
    assert record["words"] == {"total": 384, "translated": 384 - sum(sizes),
                               "fuzzy": sizes[0], "untranslated": sizes[1],
                               "failed": sizes[2]}
    pocount = pytest.importorskip("translate.tools.pocount")
    counted = pocount.calcstats(str(path))
    # pocount runs no checks: a failing translation is a translated one to it.
    assert (counted["translatedsourcewords"], counted["fuzzysourcewords"],
            counted["untranslatedsourcewords"]) == (
        record["words"]["translated"] + record["words"]["failed"], sizes[0], sizes[1])


def test_stats_counts_the_messages_the_memory_filled(runner: CliRunner,
                                                     portfolio: Path) -> None:
    assert stats(runner, portfolio)["memory"] == 0
    path = portfolio / PO
    catalog = read_catalog(path)
    filled = [m for m in catalog if m.id in ("Sucrose", "Sodium chloride")]
    for message in filled:
        message.auto_comments.append(f"{MEMORY_NOTE}locales/de/LC_MESSAGES/other.po")
    filled[0].flags.add("fuzzy")
    write_catalog(path, catalog)
    record = stats(runner, portfolio)
    assert (record["memory"], record["fuzzy"]) == (2, 1)
    result = runner.invoke(main, ["stats", str(portfolio)])
    assert "; 2 from translation memory" in result.stdout
