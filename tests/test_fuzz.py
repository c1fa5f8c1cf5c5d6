"""Generated and mutated input: the readers answer with problems or our own errors, never crash.

Each property is kept to a few seconds (max_examples, no deadline flakiness); the longer
hunt is fuzz/fuzz_loader.py under atheris.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smpc_manager import inline
from smpc_manager.catalogs import read_catalog
from smpc_manager.errors import Problem, ProblemsError, Severity
from smpc_manager.model import PRODUCT_NAMESPACE
from smpc_manager.products import field_notes, load_product, validate_file
from tests.conftest import EXAMPLE

SOURCE = (EXAMPLE / "products" / "besponsa.xml").read_bytes()
#: SMPC_FUZZ_SCALE=50 multiplies the examples for a longer run by hand.
SCALE = int(os.environ.get("SMPC_FUZZ_SCALE", "1"))
FAST = settings(max_examples=120 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Pieces that tend to break XML, its encodings and our rewriting of libxml2's messages.
TOKENS = [
    b"<", b">", b"&", b";", b'"', b"'", b"/", b"=", b"-", b"\n", b"\r", b" ", b"\t",
    b"<!DOCTYPE product>", b"<!ENTITY x 'y'>", b"&x;", b"&amp;", b"&#0;", b"&#x110000;",
    b"&#233;", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"]]>", b"<![CDATA[", b"<!--",
    b"-->", b"<?pi?>", b"<?xml version='1.0'?>", b"<sup>", b"</sup>", b"<em>", b"</p>",
    b"<p>", b'xmlns="urn:x"', b'xml:lang=""', b"2022-13", b"L1XC", b"../../x", b"\xe2\x80\xa8",
    b"<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/passwd'/>",
]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_file(path: Path) -> None:
    """The contract: problems with a location in this file, or ProblemsError; nothing else."""
    problems = validate_file(path)
    assert all(isinstance(p, Problem) for p in problems)
    for problem in problems:
        assert problem.location.path == str(path)
        line = str(problem)
        assert "\n" not in line, line
        assert "Traceback" not in line
        assert "root:" not in line  # nothing from /etc/passwd, ever
    errors = tuple(p for p in problems if p.severity is Severity.ERROR)
    if errors:
        with pytest.raises(ProblemsError) as caught:
            load_product(path)
        assert caught.value.problems == errors
    else:
        assert load_product(path).path == str(path)


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    data = bytearray(SOURCE)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "cut"]))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=4)))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "replace":
            data[at : at + len(piece)] = piece
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        else:
            del data[at:]
    return bytes(data)


@given(mutations())
@FAST
def test_mutated_product_files(scratch: Path, data: bytes) -> None:
    path = scratch / "besponsa.xml"
    path.write_bytes(data)
    check_file(path)


ELEMENTS = sorted(field_notes())
NAMES = st.sampled_from([*ELEMENTS, "price", "b", "html", "product"])
#: Characters that matter to the schema's patterns and our messages, plus a few odd ones.
TEXT = st.text(st.sampled_from("aZ09L-X:. \n\t/<&'\"é≥\u2028\x85\U0001f600"), max_size=12)


def escape_text(text: str) -> str:
    return inline.escape(text).replace('"', "&quot;")


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attributes = draw(st.dictionaries(st.sampled_from(["id", "market", "markets", "currency",
                                                       "amount", "type", "foo"]),
                                      TEXT, max_size=2))
    attrs = "".join(f' {k}="{escape_text(v)}"' for k, v in attributes.items())
    children = [] if depth >= 2 else draw(st.lists(elements(depth + 1), max_size=3))
    parts = [escape_text(draw(TEXT)), *children]
    return f"<{name}{attrs}>{''.join(parts)}</{name}>"


@given(st.lists(elements(), max_size=6), st.sampled_from(["besponsa", "x", "../../x", ""]))
@settings(FAST, max_examples=60 * SCALE)
def test_generated_documents(scratch: Path, children: list[str], product_id: str) -> None:
    document = (f'<?xml version="1.0" encoding="UTF-8"?>\n<product xmlns="{PRODUCT_NAMESPACE}"'
                f' id="{product_id}" xml:lang="en">\n' + "\n".join(children) + "\n</product>\n")
    path = scratch / "besponsa.xml"
    path.write_text(document, encoding="utf-8")
    check_file(path)


SIMPLE_FIELDS = ["atc-code", "revision-date", "review-by", "first-authorisation", "country",
                 "strength", "name", "city", "excipient", "prescription-status"]


@given(st.sampled_from(SIMPLE_FIELDS), TEXT)
@FAST
def test_any_value_in_a_simple_field(scratch: Path, field: str, value: str) -> None:
    start = SOURCE.index(f"<{field}".encode())
    open_end = SOURCE.index(b">", start) + 1
    close = SOURCE.index(f"</{field}>".encode(), open_end)
    data = SOURCE[:open_end] + escape_text(value).encode() + SOURCE[close:]
    path = scratch / "besponsa.xml"
    path.write_bytes(data)
    check_file(path)


MARKUP = st.lists(
    st.one_of(
        st.sampled_from(["<sup>", "</sup>", "<sub>", "</sub>", "<em>", "</em>", "<b>", "</i>",
                         "<", ">", "&", ";", "&amp;", "&lt;", "&#", "&#x", "&#65;", "&#0;",
                         "&#x10FFFF;", "&nbsp;", "<sup >", "< sup>", "<sup/>", "\x00", "\x7f"]),
        st.text(max_size=5),
    ),
    max_size=12,
).map("".join)


@given(MARKUP)
@settings(max_examples=300 * SCALE, deadline=None)
def test_inline_parse_raises_only_inline_error(message: str) -> None:
    try:
        segments = inline.parse(message)
    except inline.InlineError:
        return
    # What parses renders: tags match, text and HTML carry no stray markup.
    assert inline.tags(message) == [s.tag for s in segments if s.tag]
    inline.to_text(message)
    rendered = inline.to_html(message)
    for tag in inline.ALLOWED_TAGS:
        rendered = rendered.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    assert "<" not in rendered


# ------------------------------------------------------------------------ catalogs

CATALOG = (EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po").read_text()
PO_TOKENS = ['"', "\\", "\\n", "\\x", "\\x110000", "\\777", "\\q", "msgid ", "msgstr ",
             "msgctxt ", "msgstr[0] ", "msgid_plural ", "#~ ", "#| msgid ", "#, fuzzy", "\n",
             "charset=latin1", "<sup>", "<b>", "&amp;", "\x00", "\ufeff", "\r"]


@st.composite
def catalog_mutations(draw: st.DrawFn) -> str:
    text = CATALOG
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(PO_TOKENS), st.text(max_size=4)))
        if draw(st.booleans()):
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
    return text


@given(catalog_mutations())
@FAST
def test_catalog_reader_raises_only_problems(scratch: Path, text: str) -> None:
    path = scratch / "besponsa.po"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    problems: tuple[Problem, ...] = ()
    try:
        catalog = read_catalog(path)
    except ProblemsError as err:
        problems = err.problems
    else:
        assert all(isinstance(m.id, (str, tuple)) for m in catalog)
    for problem in problems:
        assert "\n" not in str(problem)
        assert problem.location.path.endswith("besponsa.po")
