"""The loader: hardened parse, XSD, business rules, and the model with source locations."""

from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from smpc_manager.errors import ProblemsError, Severity
from smpc_manager.model import PartialDate
from smpc_manager.products import field_notes, load_product, product_schema, validate_file
from smpc_manager.products.reader import MAX_BYTES
from smpc_manager.products.schema import MAX_PROBLEMS
from tests.conftest import DATA
from tests.migration import SCHEMA_1

#: The loader's tests of schema 1 (schema 2's are tests/test_schema2*.py).
BESPONSA = SCHEMA_1 / "example" / "products" / "besponsa.xml"
SOURCE = BESPONSA.read_bytes()


def line_of(data: bytes, marker: bytes) -> int:
    return data[: data.index(marker)].count(b"\n") + 1


def write(tmp_path: Path, data: bytes, name: str = "besponsa") -> Path:
    path = tmp_path / f"{name}.xml"
    path.write_bytes(data)
    return path


def test_example_loads_with_locations() -> None:
    product = load_product(BESPONSA)
    assert (product.id, product.lang, product.name.value) == ("besponsa", "en", "BESPONSA")
    assert product.atc_code.value == "L01XC26"
    assert product.atc_code.location.line == line_of(SOURCE, b"<atc-code>")
    assert product.atc_code.location.column == 3
    assert product.revision_date.value == PartialDate(2022, 2)
    assert product.review_by.value == dt.date(2027, 12, 31)
    assert product.authorisations[0].numbers == ("EU/1/17/1200/001",)
    assert product.authorisations[0].first_authorisation.value == dt.date(2017, 6, 29)
    assert product.prescription_code("AT") is not None
    assert product.holder.address.country.value == "BE"


def test_texts_carry_context_markup_and_note() -> None:
    product = load_product(BESPONSA)
    contexts = [t.context for t in product.messages()]
    assert contexts[:3] == ["pharmaceutical-form", "active-substance", "composition"]
    # a paragraph is known by its field and its English, never by its position
    paragraphs = [c for c in contexts if c.startswith("contraindications")]
    assert paragraphs == ["contraindications"] * 3
    assert "indications" in contexts
    dose = product.posology[1]
    assert "1.8 mg/m<sup>2</sup> per cycle" in dose.source
    assert dose.location.line == line_of(SOURCE, b"<p>The recommended total dose")
    assert product.atc_code.value not in {t.source for t in product.texts}
    assert product.indications[0].note == field_notes()["indications"]


def test_markup_in_text_is_escaped_in_the_message(tmp_path: Path) -> None:
    data = SOURCE.replace(b"<excipient>Sucrose</excipient>",
                          b"<excipient>Sucrose &amp; water &lt;1%</excipient>")
    product = load_product(write(tmp_path, data))
    assert product.excipients[0].source == "Sucrose &amp; water &lt;1%"


def test_warning_does_not_stop_loading(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE.replace(b"L01XC26", b"L01XC"))
    problems = validate_file(path)
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "atc-code 'L01XC' is not at level 5" in str(problems[0])
    assert str(problems[0]).startswith(f"{path}:{line_of(SOURCE, b'<atc-code>')}:3: warning: ")
    assert load_product(path).atc_code.value == "L01XC"


def test_load_product_raises_every_error(tmp_path: Path) -> None:
    with pytest.raises(ProblemsError) as caught:
        load_product(DATA / "invalid" / "several-problems.xml")
    assert len(caught.value.problems) == 3
    assert caught.value.exit_code == 1
    assert [p.field for p in caught.value.problems] == ["atc-code", "country", "review-by"]


def test_bom_is_accepted(tmp_path: Path) -> None:
    assert validate_file(write(tmp_path, b"\xef\xbb\xbf" + SOURCE)) == []


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_other_line_ends_keep_line_numbers(tmp_path: Path, newline: bytes) -> None:
    data = SOURCE.replace(b"L01XC26", b"L1XC").replace(b"\n", newline)
    problems = validate_file(write(tmp_path, data))
    assert [(p.location.line, p.location.column) for p in problems] == [
        (line_of(SOURCE, b"<atc-code>"), 3)
    ]
    assert load_product(write(tmp_path, SOURCE.replace(b"\n", newline))).atc_code.location.line \
        == line_of(SOURCE, b"<atc-code>")


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x0c"])
def test_unicode_line_separators_do_not_shift_columns(tmp_path: Path, separator: str) -> None:
    if separator == "\x0c":  # not an XML character at all
        data = SOURCE.replace(b"Sucrose", b"Suc\x0crose")
        problems = validate_file(write(tmp_path, data))
        assert len(problems) == 1
        assert "control character" in problems[0].message
        return
    data = SOURCE.replace(b"Sucrose", f"Suc{separator}rose".encode()).replace(
        b"L01XC26", b"L1XC")
    problems = validate_file(write(tmp_path, data))
    assert [(p.location.line, p.location.column) for p in problems] == [
        (line_of(SOURCE, b"<atc-code>"), 3)
    ]


def test_each_file_gets_its_own_syntax_error(tmp_path: Path) -> None:
    # libxml2 keeps a per-thread log of every parse; the first file's error must not be
    # reported for the second.
    first = write(tmp_path, b"not xml", "first")
    second = write(tmp_path, SOURCE.replace(b"<strength>1 mg</strength>", b"<strength>1 mg"),
                   "second")
    assert "is this an XML file?" in validate_file(first)[0].message
    problem = validate_file(second)[0]
    assert "<strength> opened on line 4" in problem.message
    assert problem.location.line == line_of(SOURCE, b"</product>")


def test_concurrent_validation_keeps_each_files_problems(tmp_path: Path) -> None:
    # Each file has its own bad ATC code (L0XC ... L9XC), reported for that file alone.
    paths = [write(tmp_path, SOURCE.replace(b"L01XC26", f"L{n}XC".encode()), f"p{n}")
             for n in range(10)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(validate_file, paths * 3))
    for path, problems in zip(paths * 3, results, strict=True):
        n = path.stem[1:]
        assert [p.message.split("'")[1] for p in problems] == [f"L{n}XC"]
        assert all(p.location.path == str(path) for p in problems)


def test_blank_lines_before_the_root_are_quick(tmp_path: Path) -> None:
    # A regular expression once backtracked exponentially on these.
    data = b"\n" * 200_000 + SOURCE.split(b"\n", 1)[1]
    started = time.perf_counter()
    problems = validate_file(write(tmp_path, data))
    assert time.perf_counter() - started < 1.0
    assert problems == []


def test_doctype_after_comments_and_processing_instructions(tmp_path: Path) -> None:
    data = SOURCE.replace(b"<product ", b"<!-- a -->\n  <?pi x?> <!DOCTYPE product>\n<product ", 1)
    problems = validate_file(write(tmp_path, data))
    assert len(problems) == 1
    assert problems[0].location.line == 3
    assert problems[0].location.column == 12
    assert "DOCTYPE is not allowed" in problems[0].message


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "besponsa.xml"
    with path.open("wb") as handle:  # sparse: nothing is written but the size
        handle.truncate(MAX_BYTES + 1)
    problems = validate_file(path)
    assert len(problems) == 1
    assert f"over the limit of {MAX_BYTES:,} bytes" in problems[0].message


def test_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "besponsa.xml"
    os.mkfifo(fifo)
    problems = validate_file(fifo)  # opening a FIFO for reading would block forever
    assert [p.message for p in problems] == ["is not a regular file (a device, pipe or socket)"]


def test_folder_and_missing_file(tmp_path: Path) -> None:
    assert validate_file(tmp_path)[0].message == "is a folder, not a product file"
    missing = validate_file(tmp_path / "none.xml")
    assert [str(p) for p in missing] == [f"{tmp_path / 'none.xml'}: no such file"]


def test_schema_and_notes_are_read_once() -> None:
    assert product_schema() is product_schema()
    notes = field_notes()
    assert "ATC code" in notes["atc-code"]
    assert set(notes) >= {"indications", "contraindications", "review-by", "p", "sup"}


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (b'markets="EU"', b'markets="XX"', "markets 'XX' is not a list of markets"),
        (b'markets="EU"', b'markets=""', "<marketing-authorisation> attribute markets is empty"),
        (b"<name>BESPONSA</name>", b"<name> </name>", "<name> is empty; it needs a value"),
        (b"<name>BESPONSA", b'<name foo="1">BESPONSA', "<name> has an unknown attribute 'foo'"),
        (b"<composition>", b"<composition>text", "<composition> holds text, but only child"),
        (b'xml:lang="en"', b'xml:lang=""', "attribute xml:lang '' is not a language tag"),
        (b'xml:lang="en"', b'xml:lang="qq"', "xml:lang 'qq' is not a language CLDR knows"),
        (b"<revision-date>", b'<cost market="GB" currency="GBP" amount="1.234">1 vial</cost>'
         b"<revision-date>", "amount '1.234' is not an amount"),
        (b'<prescription-status market="DE">', b'<prescription-status market="AT">',
         "a second prescription-status for market AT"),
        (b"Sucrose", b"Suc\x01rose", "a control character (code 1)"),
        (b"Sucrose", b"Sucrose &#0;", "a character reference to code 0"),
        (b"<name>BESPONSA</name>", b"<name>" + b"<em>" * 300 + b"</em>" * 300 + b"</name>",
         "nested deeper than 256 levels"),
        (b'encoding="UTF-8"', b'encoding="ISO-8859-1"', "declaration says encoding"),
    ],
)
def test_problem_words(tmp_path: Path, old: bytes, new: bytes, words: str) -> None:
    assert old in SOURCE
    problems = validate_file(write(tmp_path, SOURCE.replace(old, new, 1)))
    assert len(problems) == 1, problems
    assert words in problems[0].message
    assert problems[0].location.line >= 1
    assert "Element '" not in problems[0].message  # never libxml2's raw words


def test_thousands_of_problems_are_cut_short_quickly(tmp_path: Path) -> None:
    bad = b'<cost market="XX" currency="xx" amount="-1">1 vial</cost>\n' * 1900
    path = write(tmp_path, SOURCE.replace(b"  <revision-date>", bad + b"  <revision-date>"))
    started = time.perf_counter()
    problems = validate_file(path)
    assert time.perf_counter() - started < 2
    assert len(problems) == MAX_PROBLEMS + 1
    assert all(p.location.line for p in problems[:-1])
    assert problems[-1].message.startswith("up to ")
    assert problems[-1].message.endswith(" more problem(s) in this file not shown (fix the ones"
                                         " above and validate again)")


def test_too_many_elements_are_refused_before_the_schema(tmp_path: Path) -> None:
    # Schema validation slows down with the square of the bad values: 30,000 took minutes.
    bad = b'<prescription-status market="XX">NR</prescription-status>\n' * 30_000
    path = write(tmp_path, SOURCE.replace(b"  <revision-date>", bad + b"  <revision-date>"))
    started = time.perf_counter()
    problems = validate_file(path)
    assert time.perf_counter() - started < 1
    assert [p.message for p in problems] == [
        "the file holds 30,048 elements, over the limit of 2,000 for a product file;"
        " refused unchecked"]


def test_stray_text_in_one_element_is_one_problem(tmp_path: Path) -> None:
    # libxml2 reports each piece of stray text; our words place them all at the element.
    source = BESPONSA.read_text(encoding="utf-8")
    path = tmp_path / "besponsa.xml"
    path.write_text(source.replace("<composition>", "<composition>stray one", 1)
                    .replace("</composition>", "stray two</composition>", 1), encoding="utf-8")
    problems = validate_file(path)
    assert [p.message for p in problems] == [
        "<composition> holds text, but only child elements are allowed"]
