"""`smpc validate` on one file per defect, in process (CliRunner) and as a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from smpc_manager.cli import main
from smpc_manager.products import validate_file
from tests.conftest import DATA, EXAMPLE, REPO
from tests.reports import read_report

INVALID = DATA / "invalid"
XS = "{http://www.w3.org/2001/XMLSchema}"

#: file stem -> (text on the line the problem is reported at, what the message must say).
#: A marker of None means line 1. Messages are checked as regular expressions, so the
#: words a person reads are part of the contract.
CASES: dict[str, tuple[str | None, str]] = {
    "bad-atc-code": (
        "<atc-code>",
        r"atc-code 'L1XC' is not an ATC code \(e\.g\. L01XC26",
    ),
    "impossible-month": (
        "<revision-date>",
        r"revision-date '2022-13' is not a date \(expected YYYY-MM or YYYY-MM-DD",
    ),
    "impossible-day": (
        "<first-authorisation>",
        r"first-authorisation '2022-02-30' is not a date \(expected YYYY-MM-DD",
    ),
    "unclosed-element": (
        "</product>",
        r"not well formed: <strength> opened on line 4 is closed by </product>",
    ),
    "doctype-external-entity": ("<!DOCTYPE", r"a DOCTYPE is not allowed in a product file"),
    "billion-laughs": ("<!DOCTYPE", r"a DOCTYPE is not allowed in a product file"),
    "wrong-namespace": (
        "<product",
        r'root element must be <product xmlns="urn:smpc-manager:product:1">; found <product>'
        r' in namespace "urn:example:product"',
    ),
    "id-mismatch": (
        "<product",
        r"product id 'besponsa' does not match the file name 'id-mismatch\.xml'",
    ),
    "review-by-before-revision": (
        "<review-by>",
        r"review-by 2021-12-31 is before the revision-date 2022-02",
    ),
    "empty": (None, r"the file is empty"),
    "not-utf8": ("<city>", r"not valid UTF-8 here: byte 0xFC"),
    "unknown-element": ("<price>", r"<price> is not an element of a product file"),
    "missing-element": (
        "<marketing-authorisation-holder>",
        r"expected <atc-code> before <marketing-authorisation-holder>: it is missing",
    ),
    "path-like-id": ("<product", r"id '\.\./\.\./x' is not a product id"),
    "renewal-before-first-authorisation": (
        "<renewal>",
        r"renewal 2016-01-01 is before the first-authorisation 2017-06-29",
    ),
    "bare-ampersand": ("Sucrose &", r"a bare '&' \(write &amp;"),
    "unknown-entity": ("&nbsp;", r"unknown entity &nbsp;"),
    "empty-paragraph": ("<p> </p>", r"contraindications is empty"),
    "missing-lang": ("<product", r"<product> needs the attribute xml:lang"),
    "reserved-id-smpc": ("<product", r"product id 'smpc' is reserved \(it is the name of the"
                                     r" tool's own gettext domain\); choose another id"),
}

ENTITY_CASES = ("doctype-external-entity", "billion-laughs")


def line_of(path: Path, marker: str | None) -> int:
    """The 1-based line of the first occurrence of marker in the file (1 for None)."""
    if marker is None:
        return 1
    data = path.read_bytes()
    at = data.find(marker.encode())
    assert at >= 0, f"{marker!r} not in {path}"
    return data[:at].count(b"\n") + 1


def passwd_lines() -> list[str]:
    """Distinctive content of /etc/passwd that must never appear in our output."""
    lines = ["root:"]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        lines += [line for line in passwd.read_text(errors="replace").splitlines() if line][:5]
    return lines


def assert_one_clean_line(output: str, path: Path, case: str) -> None:
    marker, words = CASES[case]
    line = line_of(path, marker)
    problems = [ln for ln in output.splitlines() if ln.startswith(f"{path}:")]
    assert len(problems) == 1, output
    assert re.match(rf"^{re.escape(str(path))}:{line}(:\d+)?: ", problems[0]), output
    assert re.search(words, problems[0]), problems[0]
    assert "Traceback" not in output
    assert "Error:" not in output  # click's own usage error shape
    for secret in passwd_lines():
        assert secret not in output


def test_every_defect_file_has_a_case() -> None:
    assert {p.stem for p in INVALID.glob("*.xml")} == {*CASES, "several-problems"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_in_process(runner: CliRunner, case: str) -> None:
    path = INVALID / f"{case}.xml"
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert_one_clean_line(result.output, path, case)
    assert result.output.rstrip().endswith("1 error(s) in 1 file")


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_as_a_process(case: str, tmp_path: Path) -> None:
    path = INVALID / f"{case}.xml"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "smpc_manager", "validate", str(path)],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    # The problem is the result, on standard output; the summary alone on standard error.
    assert_one_clean_line(done.stdout, path, case)
    assert done.stderr == "1 error(s) in 1 file\n"
    if case in ENTITY_CASES:
        assert elapsed < 5, f"{case} took {elapsed:.2f} s"  # process start included


@pytest.mark.parametrize("case", ENTITY_CASES)
def test_entity_files_fail_at_once_without_expanding(case: str) -> None:
    path = INVALID / f"{case}.xml"
    started = time.perf_counter()
    problems = validate_file(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.25, f"{case} took {elapsed:.3f} s"
    assert len(problems) == 1
    text = str(problems[0])
    assert "lol" not in text
    assert all(secret not in text for secret in passwd_lines())


def test_all_problems_of_all_files_in_one_run(runner: CliRunner) -> None:
    several = INVALID / "several-problems.xml"
    result = runner.invoke(main, ["validate", str(EXAMPLE), str(INVALID), str(several)])
    assert result.exit_code == 1
    out = result.output
    for case, (marker, words) in CASES.items():
        path = INVALID / f"{case}.xml"
        assert re.search(rf"^{re.escape(str(path))}:{line_of(path, marker)}\b.*{words}", out,
                         re.MULTILINE), case
    lines = [ln for ln in out.splitlines() if ln.startswith(f"{several}:")]
    # Three problems in one file, and the file is named twice on the command line.
    assert len(lines) == 6
    assert "country 'Belgium' is not an ISO 3166 country code" in out
    assert "review-by '2027-12-32' is not a date" in out
    errors = len(CASES) + 2 * 3
    files = 2 + (len(CASES) + 1) + 1
    assert out.rstrip().endswith(f"{errors} error(s) in {files} files")
    assert "Traceback" not in out


def test_json_lists_the_same_findings(runner: CliRunner) -> None:
    text = runner.invoke(main, ["validate", str(INVALID)])
    result = runner.invoke(main, ["validate", "--format", "json", str(INVALID)])
    assert result.exit_code == 1
    data = read_report(result.stdout, "validate")
    findings = data["items"]
    assert len(findings) == len(CASES) + 3
    assert data["summary"] == {"files": len(CASES) + 1, "errors": len(CASES) + 3,
                               "warnings": 0, "ok": False}
    assert result.stderr == ""  # the summary is in the report
    by_file = {Path(f["path"]).stem: f for f in findings if Path(f["path"]).stem in CASES}
    assert set(by_file) == set(CASES)
    for case, finding in by_file.items():
        marker, words = CASES[case]
        assert set(finding) == {"severity", "path", "line", "column", "field", "message"}
        assert finding["severity"] == "error"
        assert finding["line"] == line_of(INVALID / f"{case}.xml", marker)
        assert re.search(words, finding["message"]), finding
        text_line = f"{finding['path']}:{finding['line']}"
        if finding["column"]:
            text_line += f":{finding['column']}"
        assert f"{text_line}: {finding['message']}" in text.output
    atc = by_file["bad-atc-code"]
    assert (atc["field"], atc["column"]) == ("atc-code", 3)


def test_valid_example_passes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 files valid"
    result = runner.invoke(main, ["validate", "--format", "json", str(EXAMPLE)])
    assert (result.exit_code, read_report(result.stdout, "validate")["items"]) == (0, [])


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint is not installed")
def test_xmllint_agrees_with_the_schema() -> None:
    product = EXAMPLE / "products" / "besponsa.xml"
    done = subprocess.run(
        ["xmllint", "--noout", "--nonet", "--schema", str(REPO / "schemas" / "product-2.xsd"),
         str(product)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "validates" in done.stderr
    # and rejects what the loader rejects for a schema reason
    bad = INVALID / "bad-atc-code.xml"
    done = subprocess.run(
        ["xmllint", "--noout", "--nonet", "--schema", str(REPO / "schemas" / "product.xsd"),
         str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode != 0
    assert "L1XC" in done.stderr


def test_every_schema_element_and_attribute_is_documented() -> None:
    tree = etree.parse(str(REPO / "schemas" / "product.xsd"))
    undocumented = []
    for kind in ("element", "attribute", "simpleType"):
        for node in tree.iter(f"{XS}{kind}"):
            name = node.get("name") or node.get("ref")
            if name is None:  # an anonymous simpleType inside a documented parent
                continue
            doc = node.find(f"{XS}annotation/{XS}documentation")
            if doc is None or not (doc.text or "").strip():
                if node.get("ref") == "xml:lang":
                    continue  # documented in xml.xsd
                undocumented.append(f"{kind} {name} (line {node.sourceline})")
    assert undocumented == []
    elements = {n.get("name") for n in tree.iter(f"{XS}element")}
    design = {"product", "name", "strength", "pharmaceutical-form", "composition",
              "active-substance", "excipients", "excipient", "indications", "posology",
              "contraindications", "warnings", "undesirable-effects",
              "pharmacotherapeutic-group", "atc-code", "marketing-authorisation-holder",
              "address", "city", "country", "marketing-authorisation", "number",
              "first-authorisation", "renewal", "valid-until", "prescription-status",
              "revision-date", "review-by", "p", "sup", "sub", "em"}
    assert design <= elements


def test_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "nowhere.xml")])
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path / 'nowhere.xml'}: no such file or folder"


def test_json_stays_valid_for_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "products"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.xml")  # Latin-1 bytes: a lone surrogate in Python
    (folder / name).write_bytes(b"<product/>")
    done = subprocess.run([sys.executable, "-m", "smpc_manager", "validate", "--format",
                           "json", os.fsdecode(folder)], capture_output=True, check=False)
    assert done.returncode == 1
    text = done.stdout.decode("utf-8")  # valid UTF-8
    found = json.loads(text)
    # The byte that is not UTF-8 is shown escaped, as in every message.
    assert [item["path"] for item in found["items"]] == [
        os.path.join(os.fsdecode(folder), "caf\\udce9.xml")], text
