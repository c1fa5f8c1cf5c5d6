"""smpc build through the command line: exit codes, path:line problems, summary, progress."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main
from tests.conftest import REPO
from tests.reports import read_report
from tests.terminal import read_terminal
from tests.test_build import AS_OF, expected_keys, files_under, make_portfolio

SUMMARY = re.compile(r"^(\d+) built, (\d+) unchanged, (\d+) failed(?:, (\d+) removed)? in"
                     r" \d+\.\d s$")


def clock(day: dt.date) -> dict[str, Callable[[], dt.date]]:
    return {"today": lambda: day}


def smpc_build(runner: CliRunner, *args: str | Path, today: dt.date = AS_OF) -> Result:
    return runner.invoke(main, ["build", *map(str, args)], obj=clock(today))


def summary(result: Result) -> tuple[int, ...]:
    last = result.output.splitlines()[-1]
    found = SUMMARY.match(last)
    assert found, last
    return tuple(int(g or 0) for g in found.groups())


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_portfolio(tmp_path / "portfolio", ("alpha", "bravo"))


def test_build_then_rebuild(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = smpc_build(runner, small, "-o", out, "--format", "text", "--format", "html")
    assert result.exit_code == 0, result.output
    # Piped (not a terminal): no progress bar, only the summary.
    assert len(result.output.splitlines()) == 1
    assert summary(result) == (12, 0, 0, 0)
    assert set(files_under(out)) == expected_keys(("alpha", "bravo"),
                                                  formats=("text", "html")) | {"manifest.json"}

    again = smpc_build(runner, small, "-o", out, "--format", "text", "--format", "html")
    assert again.exit_code == 0, again.output
    assert summary(again) == (0, 12, 0, 0)


def test_market_option(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = smpc_build(runner, small, "-o", out, "--market", "ie", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert set(files_under(out)) == expected_keys(("alpha", "bravo"), ("IE",)) \
        | {"manifest.json"}


def test_failures_are_lines_and_exit_1(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    broken = small / "products" / "bravo.xml"
    broken.write_text(broken.read_text(encoding="utf-8").replace(
        "<atc-code>L01XC26</atc-code>", "<atc-code>L1XC</atc-code>"), encoding="utf-8")
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1)
                if "<atc-code>" in text)
    result = smpc_build(runner, small, "-o", tmp_path / "out")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(x.startswith(f"{broken}:{line}:") and "'L1XC'" in x for x in lines), lines
    assert "Traceback" not in result.output
    assert summary(result)[:3] == (3, 0, 1)


def test_the_day_comes_from_the_clock(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    product = small / "products" / "alpha.xml"
    found = re.search(r"<review-by>([\d-]+)</review-by>", product.read_text(encoding="utf-8"))
    assert found
    day_after = dt.date.fromisoformat(found.group(1)) + dt.timedelta(days=1)
    out = tmp_path / "out"
    refused = smpc_build(runner, small, "-o", out, today=day_after)
    assert refused.exit_code == 1
    assert f"review-by {found.group(1)} has passed" in refused.output
    assert summary(refused)[:3] == (0, 0, 6)
    # --as-of wins over the clock, and reproduces what held on that day.
    allowed = smpc_build(runner, small, "-o", out, "--as-of", found.group(1), today=day_after)
    assert allowed.exit_code == 0, allowed.output


@pytest.mark.parametrize(("args", "message"), [
    (["--market", "XX"], "XX"),
    (["--jobs", "0"], "--jobs"),
    (["--as-of", "2026-02-30"], "2026-02-30"),
    (["--format", "pdf"], "pdf"),
])
def test_usage_errors_exit_2(runner: CliRunner, small: Path, tmp_path: Path, args: list[str],
                             message: str) -> None:
    result = smpc_build(runner, small, "-o", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_not_a_portfolio_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = smpc_build(runner, tmp_path / "empty", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.startswith(f"{tmp_path / 'empty'}: not a portfolio")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("gb", [False, True], ids=["served-markets", "with-a-market-unserved"])
def test_progress_bar_on_a_terminal(small: Path, tmp_path: Path, gb: bool) -> None:
    """The bar counts the outputs built, also where the portfolio builds a market (GB) its
    products have no data for."""
    if gb:
        config = small / "smpc.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            'markets = ["AT", "DE", "IE"]', 'markets = ["AT", "DE", "IE", "GB"]'),
            encoding="utf-8")
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    command = [sys.executable, "-m", "smpc_manager", "build", str(small), "-o",
               str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--jobs", "1"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=secondary, cwd=REPO, env=env)
    os.close(secondary)
    shown_bytes = read_terminal(primary)
    process.wait(timeout=30)
    os.close(primary)
    shown = shown_bytes.decode("utf-8", "replace")
    assert process.returncode == 0, shown
    assert "building" in shown
    # the bar ends at the outputs built (it starts from the markets configured, as which a
    # new product serves is learnt by loading it)
    # (a count is followed by a space, or by the escape that shows the cursor again)
    assert re.findall(r" (\d+/\d+)(?= |\x1b)", shown)[-1] == "6/6"
    assert re.search(r"6 built, 0 unchanged, 0 failed in \d+\.\d s", shown)


# ------------------------------------------------------------------------ the report


def statuses(report: dict[str, Any]) -> dict[str, int]:
    """How many items of a build report have each status."""
    counts = dict.fromkeys(("built", "unchanged", "failed", "removed"), 0)
    for item in report["items"]:
        counts[item["status"]] += 1
    return counts


def test_the_report_lists_every_output_as_the_summary_counts_them(
        runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "build.json"
    first = smpc_build(runner, small, "-o", out, "--report", report)
    assert first.exit_code == 0, first.output
    data = read_report(report.read_text(encoding="utf-8"), "build")
    assert {k: data["summary"][k] for k in ("built", "unchanged", "failed", "removed")} == \
        statuses(data) == {"built": 6, "unchanged": 0, "failed": 0, "removed": 0}
    assert {item["key"] for item in data["items"]} == expected_keys(("alpha", "bravo"))
    assert (data["summary"]["ok"], data["problems"]) == (True, [])
    assert first.stdout == ""  # the report goes to its file, the summary to stderr

    # bravo leaves the portfolio, alpha breaks: alpha fails, bravo's outputs are removed
    (small / "products" / "bravo.xml").unlink()
    alpha = small / "products" / "alpha.xml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "<atc-code>L01XC26</atc-code>", "<atc-code>L1XC</atc-code>"), encoding="utf-8")
    second = smpc_build(runner, small, "-o", out, "--report", report)
    assert second.exit_code == 1
    data = read_report(report.read_text(encoding="utf-8"), "build")
    assert statuses(data) == {k: data["summary"][k] for k in statuses(data)}
    assert summary(second)[1:] == (0, 1, 3)
    assert sorted((i["product"], i["status"], i["key"] is None) for i in data["items"]) == [
        ("alpha", "failed", True), *[("bravo", "removed", False)] * 3]
    (problem,) = data["problems"]
    assert problem["path"] == str(alpha)
    assert "'L1XC'" in problem["message"]
    assert list(tmp_path.glob("build.json*")) == [report]  # written whole, no temporary left


def test_verbose_names_each_output_and_quiet_only_the_errors(
        runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    verbose = runner.invoke(main, ["-v", "build", str(small), "-o", str(out)], obj=clock(AS_OF))
    assert verbose.exit_code == 0, verbose.output
    lines = verbose.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(f"{out / key}: built"
                                        for key in expected_keys(("alpha", "bravo")))
    assert SUMMARY.match(lines[-1])
    quiet = runner.invoke(main, ["-q", "build", str(small), "-o", str(out)], obj=clock(AS_OF))
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
