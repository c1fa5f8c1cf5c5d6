"""Which stream carries what, for every command in text and JSON: the result on standard
output, the rest (failures, warnings, the summary, a line per file) on standard error.

Each row of :data:`CASES` runs one command and says what each stream must hold; each row
runs again with ``--quiet`` and ``--verbose``, which change standard error only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main
from tests.conftest import DATA, GOLDEN
from tests.reports import read_report

TODAY = dt.date(2026, 11, 25)
BAD = DATA / "invalid" / "bad-atc-code.xml"
PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"


@dataclass(frozen=True)
class Paths:
    """Where a case runs: a copy of the example portfolio, its product, a folder for
    outputs."""

    portfolio: Path
    out: Path

    @property
    def product(self) -> Path:
        return self.portfolio / "products" / "besponsa.xml"

    def review_by(self) -> dt.date:
        found = re.search(r"<review-by>([\d-]+)</review-by>",
                          self.product.read_text(encoding="utf-8"))
        assert found is not None
        return dt.date.fromisoformat(found.group(1))


Check = Callable[[str, Paths], None]


def empty(text: str, paths: Paths) -> None:
    assert text == ""


def lines(*patterns: str) -> Check:
    """The stream holds exactly these lines, each matching its pattern in full; ``{p}``
    stands for the portfolio's path, ``{o}`` for the output folder."""
    def check(text: str, paths: Paths) -> None:
        got = text.splitlines()
        assert len(got) == len(patterns), text
        for line, pattern in zip(got, patterns, strict=True):
            full = pattern.replace("{p}", re.escape(str(paths.portfolio))).replace(
                "{o}", re.escape(str(paths.out)))
            assert re.fullmatch(full, line), (line, full)
    return check


def report_of(command: str) -> Check:
    """The stream holds ``command``'s JSON report, which passes its schema."""
    def check(text: str, paths: Paths) -> None:
        assert read_report(text, command)["command"] == command
    return check


def golden(name: str) -> Check:
    def check(text: str, paths: Paths) -> None:
        assert text == (GOLDEN / name).read_text(encoding="utf-8")
    return check


@dataclass(frozen=True)
class Case:
    name: str
    argv: Callable[[Paths], list[str]]
    code: int
    stdout: Check
    stderr: Check
    #: Whether the command failed before it could report (stderr keeps its errors with -q).
    failure: bool = False


BUILD_SUMMARY = r"\d+ built, \d+ unchanged, 0 failed in \d+\.\d s"
CASES = [
    # The findings of validate and check are their result; the summary is a diagnostic.
    Case("validate text", lambda p: ["validate", str(p.portfolio), str(BAD)], 1,
         lines(re.escape(str(BAD)) + r":\d+:\d+: atc-code 'L1XC' is not an ATC code .*"),
         lines(r"1 error\(s\) in 2 files")),
    Case("validate json", lambda p: ["validate", str(p.portfolio), str(BAD), "--format",
                                     "json"], 1, report_of("validate"), empty),
    Case("check text", lambda p: ["check", str(p.portfolio), "--as-of",
                                  str(p.review_by() - dt.timedelta(days=20))], 0,
         lines(r"{p}/products/besponsa\.xml:\d+:3: warning: atc-code L01XC26 .*",
               r"{p}/products/besponsa\.xml:\d+:3: warning: review-by .* is in 20 days .*", ""),
         lines(r"checked 1 file as of [\d-]+: 2 warnings")),
    Case("check json", lambda p: ["check", str(p.portfolio), "--format", "json"], 0,
         report_of("check"), empty),
    Case("stats text", lambda p: ["stats", str(p.portfolio)], 0,
         lines(r"besponsa de: 20/20 translated, .*: complete", r"  \d+ words: .*"),
         lines(r"1 catalog: 1 complete, 0 incomplete")),
    Case("stats json", lambda p: ["stats", str(p.portfolio), "--format", "json"], 0,
         report_of("stats"), empty),
    # Commands whose result is files print only on standard error.
    Case("extract", lambda p: ["extract", str(p.portfolio)], 0, empty,
         lines(r"1 template: 0 written, 1 unchanged")),
    Case("init", lambda p: ["init", str(p.portfolio), "--locale", "fr"], 0, empty,
         lines(r"1 catalog: 1 created, 0 left as they were")),
    Case("update", lambda p: ["update", str(p.portfolio)], 0, empty,
         lines(r"1 catalog: 0 written, 1 unchanged")),
    Case("compile", lambda p: ["compile", str(p.portfolio)], 0, empty,
         lines(r"1 catalog compiled: 20 messages, 0 left out")),
    Case("build", lambda p: ["build", str(p.portfolio), "-o", str(p.out)], 0, empty,
         lines(BUILD_SUMMARY)),
    Case("build report", lambda p: ["build", str(p.portfolio), "-o", str(p.out), "--report",
                                    str(p.out.parent / "build.json")], 0, empty,
         lines(BUILD_SUMMARY)),
    # render's formats are its outputs; its JSON is the rendered document, not a report.
    Case("render text", lambda p: ["render", str(p.product), "-m", "AT"], 0,
         golden("besponsa-AT.txt"), empty),
    Case("render json", lambda p: ["render", str(p.product), "-m", "AT", "--format", "json"],
         0, golden("besponsa-AT.json"), empty),
    Case("render to a file", lambda p: ["render", str(p.product), "-m", "AT", "-o",
                                        str(p.out.parent / "at.txt")], 0, empty, empty),
    # A command that fails prints nothing on standard output, its reasons on standard error.
    Case("render refused", lambda p: ["render", str(p.product), "-m", "XX"], 2, empty,
         lines(r"unknown market 'XX' \(known: AT, DE, GB, IE\)"), failure=True),
    Case("stats of a broken catalog", lambda p: ["stats", str(p.portfolio)], 1, empty,
         lines(r"{p}/locales/de/LC_MESSAGES/besponsa\.po:16(:\d+)?: .+"), failure=True),
    Case("build of a broken catalog", lambda p: ["build", str(p.portfolio), "-o", str(p.out),
                                                 "--market", "DE"], 1, empty,
         lines(r"{p}/locales/de/LC_MESSAGES/besponsa\.po:16(:\d+)?: .+",
               r"0 built, 0 unchanged, 1 failed in \d+\.\d s"), failure=True),
]


@pytest.fixture
def paths(portfolio: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Paths:
    if "broken catalog" in request.node.name:
        shutil.copy(DATA / "catalogs" / "syntax-error.po", portfolio / PO)
    return Paths(portfolio, tmp_path / "out")


def run(runner: CliRunner, *argv: str) -> Result:
    result = runner.invoke(main, list(argv), obj={"today": lambda: TODAY},
                           env={"SOURCE_DATE_EPOCH": "1795599000"})
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_stream_carries_its_part(runner: CliRunner, paths: Paths, case: Case) -> None:
    result = run(runner, *case.argv(paths))
    assert result.exit_code == case.code, result.output
    case.stdout(result.stdout, paths)
    case.stderr(result.stderr, paths)
    if "--report" in case.argv(paths):
        read_report((paths.out.parent / "build.json").read_text(encoding="utf-8"), "build")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_quiet_and_verbose_change_standard_error_only(runner: CliRunner, paths: Paths,
                                                      case: Case) -> None:
    verbose = run(runner, "-v", *case.argv(paths))  # first: the state the case describes
    normal = run(runner, *case.argv(paths))
    quiet = run(runner, "-q", *case.argv(paths))
    assert verbose.exit_code == normal.exit_code == quiet.exit_code == case.code
    assert verbose.stdout == normal.stdout == quiet.stdout
    # --verbose adds lines before the ones a normal run ends with; --quiet leaves only
    # the errors of a command that failed (without the summary that may follow them).
    said = verbose.stderr.splitlines(keepends=True)
    kept = len(normal.stderr.splitlines())
    assert len(said) >= kept
    case.stderr("".join(said[len(said) - kept:]), paths)
    if case.failure:
        assert quiet.stderr
        assert normal.stderr.startswith(quiet.stderr)
    else:
        assert quiet.stderr == ""


def test_verbose_names_each_file_a_command_touches(runner: CliRunner, paths: Paths) -> None:
    result = run(runner, "-v", "update", str(paths.portfolio))
    assert result.stderr.splitlines() == [
        f"{paths.portfolio / PO}: unchanged",
        "1 catalog: 0 written, 1 unchanged"]
    result = run(runner, "-v", "validate", str(paths.portfolio), str(BAD))
    assert result.stderr.splitlines() == [f"{paths.product}: valid", f"{BAD}: 1 error(s)",
                                          "1 error(s) in 2 files"]


def test_quiet_and_verbose_exclude_each_other(runner: CliRunner, paths: Paths) -> None:
    result = run(runner, "-q", "-v", "stats", str(paths.portfolio))
    assert result.exit_code == 2
    assert result.stderr == "smpc: --quiet and --verbose exclude each other (see smpc --help)\n"


# ------------------------------------------------------------------------ one wording


@pytest.mark.parametrize("argv", [
    ["render", "{x}", "--market", "XX"],
    ["build", "{p}", "-o", "{o}", "--market", "XX"],
    ["check", "{p}", "--market", "XX"],
])
def test_an_unknown_market_is_the_same_line_in_every_command(
        runner: CliRunner, paths: Paths, argv: list[str]) -> None:
    values = {"{x}": str(paths.product), "{p}": str(paths.portfolio), "{o}": str(paths.out)}
    result = run(runner, *(values.get(a, a) for a in argv))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "unknown market 'XX' (known: AT, DE, GB, IE)\n"
    assert not paths.out.exists()


@pytest.mark.parametrize(("argv", "code"), [
    (["render", "{x}", "--market", "XX"], 2),  # a usage error
    (["stats", "{p}"], 1),  # a broken catalog
])
def test_debug_shows_the_traceback_and_keeps_the_exit_status(
        runner: CliRunner, paths: Paths, argv: list[str], code: int) -> None:
    shutil.copy(DATA / "catalogs" / "syntax-error.po", paths.portfolio / PO)
    values = {"{x}": str(paths.product), "{p}": str(paths.portfolio)}
    argv = [values.get(a, a) for a in argv]
    plain = runner.invoke(main, argv, obj={"today": lambda: TODAY})
    debug = runner.invoke(main, ["--debug", *argv], obj={"today": lambda: TODAY})
    assert plain.exit_code == debug.exit_code == code
    assert "Traceback" not in plain.stderr
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.endswith(plain.stderr)  # the same lines after the traceback


def test_the_render_json_is_the_document_not_a_report(runner: CliRunner, paths: Paths) -> None:
    result = run(runner, "render", str(paths.product), "-m", "AT", "--format", "json")
    assert "command" not in json.loads(result.stdout)
