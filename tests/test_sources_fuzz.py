"""Mutated ePI files: the reader and the import answer with problems, never crash.

The contract of the product reader's properties (tests/test_fuzz.py), for the approved SmPC:
a file is read, with findings that are one-line warnings at its lines, or refused with a
``ProblemsError``; its SmPC drafts a product that validates, or the import refuses it in the
same way. Nothing else is raised, and nothing outside the file is ever read.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smpc_manager.errors import ProblemsError, Severity, SmpcError
from smpc_manager.portfolio import Portfolio
from smpc_manager.products import load_product
from smpc_manager.sources import import_smpc, parse_epi
from tests.epi import bundle_json, bundle_xml, leaflet_document, smpc_document

SCALE = int(os.environ.get("SMPC_FUZZ_SCALE", "1"))
FAST = settings(max_examples=60 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
SOURCES = {
    "xml": bundle_xml(smpc_document(), leaflet_document()).encode("utf-8"),
    "json": bundle_json(smpc_document(), leaflet_document()).encode("utf-8"),
}
TOKENS = [
    b"<", b">", b"&", b";", b'"', b"'", b"/", b"{", b"}", b"[", b"]", b",", b":", b"\\",
    b"\n", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"<!DOCTYPE Bundle>", b"&lol;",
    b"&nbsp;", b"<![CDATA[", b"<!--", b"-->", b"<br/>", b"<p>", b"</p>", b"<li>", b"</div>",
    b'"section": [', b'"div": "', b"\\u0000", b"\\ud800", b"200000029837", b"6.1 ",
    b"{MM/YYYY}", b"<take>", b"contains 10 mg of ", b"EU/1/20/", b"29 February 2023",
    b"<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/passwd'/>",
]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    form = draw(st.sampled_from(sorted(SOURCES)))
    data = bytearray(SOURCES[form])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "replace", "delete"]))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=4)))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "replace":
            data[at : at + len(piece)] = piece
        else:
            del data[at : at + draw(st.integers(1, 40))]
    return form, bytes(data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("epi-fuzz")


@given(mutations())
@FAST
def test_a_mutated_epi_is_read_or_refused_in_one_line(scratch: Path,
                                                      mutated: tuple[str, bytes]) -> None:
    form, data = mutated
    path = scratch / f"smpc.{form}"
    path.write_bytes(data)
    try:
        epi = parse_epi(data, str(path))
    except ProblemsError as err:
        (line,) = err.lines()
        assert line.startswith(f"{path}:") or line.startswith(str(path)), line
        assert "root:" not in line
        return
    for finding in epi.findings:
        assert finding.severity is Severity.WARNING
        assert str(finding).startswith(f"{path}:")
        assert "\n" not in str(finding)
    if epi.smpc is None:
        return
    portfolio = scratch / "portfolio"
    try:
        imported = import_smpc([path], Portfolio(root=portfolio), product_id="fuzzed",
                               force=True, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    except SmpcError as err:
        broken = [line for line in err.lines() if "\n" in line]
        if broken:
            pytest.fail(f"a refusal over more than one line: {broken}")
        return
    assert load_product(imported.product).id == "fuzzed"
