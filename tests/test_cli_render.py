"""``smpc render`` on the command line: output, -o, exit codes and one-line problems."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.cli import main

from .conftest import DATA, EXAMPLE

GOLDEN = Path(__file__).resolve().parent / "golden"
BESPONSA = str(EXAMPLE / "products" / "besponsa.xml")
#: The day the CLI's clock says it is: render refuses a summary expired as of today.
TODAY = dt.date(2026, 11, 25)


def invoke(runner: CliRunner, args: list[str]) -> Result:
    """Run smpc with the clock fixed at :data:`TODAY`."""
    return runner.invoke(main, args, obj={"today": lambda: TODAY})


def _golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_render_at_to_stdout(runner: CliRunner) -> None:
    result = invoke(runner, ["render", BESPONSA, "--market", "AT"])
    assert result.exit_code == 0, result.output
    assert result.stdout == _golden("besponsa-AT.txt")
    assert result.stderr == ""


def test_market_is_case_insensitive_and_locale_previews(runner: CliRunner) -> None:
    result = invoke(runner, ["render", BESPONSA, "-m", "at", "--locale", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Abbreviated summary of product characteristics\n\n"
                                    "BESPONSA 1 mg powder for concentrate")
    assert "Date of revision of the text: February 2022." in result.stdout


def test_output_file_for_every_format(runner: CliRunner, tmp_path: Path) -> None:
    for fmt, ext in (("text", "txt"), ("html", "html"), ("json", "json")):
        out = tmp_path / "out" / f"besponsa-ie.{ext}"
        result = invoke(runner, ["render", BESPONSA, "-m", "IE", "--format", fmt,
                                      "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert out.read_text(encoding="utf-8") == _golden(f"besponsa-IE.{ext}")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "besponsa-ie.html", "besponsa-ie.json", "besponsa-ie.txt"]  # no temporary files


def test_gb_fixture(runner: CliRunner) -> None:
    result = invoke(runner, ["render", str(DATA / "gb" / "products" / "besponsa.xml"),
                                  "-m", "GB"])
    assert result.exit_code == 0, result.output
    assert result.stdout == _golden("besponsa-GB.txt")


def test_refusal_lists_every_message_and_writes_nothing(
        runner: CliRunner, portfolio: Path) -> None:
    po = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgctxt "indications"', '#, fuzzy\nmsgctxt "indications"')
    text = text.replace('msgctxt "label-warnings"', '#, fuzzy\nmsgctxt "label-warnings"')
    po.write_text(text, encoding="utf-8")
    out = portfolio / "de.txt"
    out.write_text("the approved text of yesterday\n", encoding="utf-8")
    xml = portfolio / "products" / "besponsa.xml"
    result = invoke(runner, ["render", str(xml), "-m", "DE", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    xml_lines = xml.read_text(encoding="utf-8").splitlines()
    indications = next(i for i, line in enumerate(xml_lines, 1)
                       if "BESPONSA is indicated" in line)
    label = xml_lines.index("  <label-warnings>") + 1
    warnings = next(i for i, line in enumerate(xml_lines, 1)
                    if i > label and "Hepatotoxicity" in line)
    assert lines == [
        f"{xml}:{indications}:5: indications: fuzzy in de_DE: the English changed or"
        " the translation needs review",
        f"{xml}:{warnings}:5: label-warnings: fuzzy in de_DE: the English changed or the"
        " translation needs review",
    ]
    assert out.read_text(encoding="utf-8") == "the approved text of yesterday\n"
    assert [p.name for p in portfolio.iterdir() if p.name.startswith(".")] == []
    # Austria does not print the label's warnings: only the indications are in its way
    result = invoke(runner, ["render", str(xml), "-m", "AT"])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    cases = [
        (["render", BESPONSA, "-m", "XX"], "unknown market 'XX' (known: AT, DE, GB, IE)"),
        (["render", BESPONSA, "-m", "AT", "--locale", "zz"],
         "unknown locale 'zz' (expected e.g. de_AT, de, en)"),
        (["render", str(tmp_path / "nothing.xml"), "-m", "AT"],
         f"{tmp_path / 'nothing.xml'}: no such file or folder"),
    ]
    for args, message in cases:
        result = invoke(runner, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines() == [message]
    result = invoke(runner, ["render", BESPONSA, "-m", "AT", "--format", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'text', 'html', 'json'" in result.stderr
    result = invoke(runner, ["render", BESPONSA])
    assert result.exit_code == 2
    assert "smpc render: missing option '--market'" in result.stderr


def test_a_folder_of_several_products_is_a_usage_error(
        runner: CliRunner, portfolio: Path) -> None:
    shutil.copy(portfolio / "products" / "besponsa.xml", portfolio / "products" / "copy.xml")
    result = invoke(runner, ["render", str(portfolio), "-m", "AT"])
    assert result.exit_code == 2
    assert result.stderr == f"{portfolio}: render takes one product file; this folder holds 2\n"


def test_a_broken_product_is_one_line(runner: CliRunner, portfolio: Path) -> None:
    xml = portfolio / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace("<atc-code>L01XC26</atc-code>",
                                                           "<atc-code>L1XC</atc-code>"))
    result = invoke(runner, ["render", str(xml), "-m", "AT"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{xml}:")
    assert "atc-code 'L1XC' is not an ATC code" in result.stderr
    assert "Traceback" not in result.output


def test_help_names_the_command(runner: CliRunner) -> None:
    result = invoke(runner, ["render", "--help"])
    assert result.exit_code == 0
    for option in ("--market", "--locale", "--format", "--output"):
        assert option in result.stdout


def test_a_broken_catalog_is_one_line(runner: CliRunner, portfolio: Path) -> None:
    po = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if line.startswith('msgctxt "indications"'))
    lines[number - 1] = 'msgctxt "indications'
    po.write_text("\n".join(lines), encoding="utf-8")
    out = portfolio / "at.txt"
    result = invoke(runner, ["render", str(portfolio / "products" / "besponsa.xml"),
                                  "-m", "AT", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{po}:{number}")
    assert not out.exists()
    # the English of the same product does not need that catalog
    result = invoke(runner, ["render", str(portfolio / "products" / "besponsa.xml"),
                                  "-m", "IE"])
    assert result.exit_code == 0


def _render_args(portfolio: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "smpc_manager", "render",
            str(portfolio / "products" / "besponsa.xml"), "-m", "AT", "--as-of", "2026-12-06",
            *more]


def test_output_dash_is_standard_output(portfolio: Path, tmp_path: Path) -> None:
    done = subprocess.run(_render_args(portfolio, "-o", "-"), capture_output=True,
                          cwd=tmp_path, check=True)
    assert done.stdout.startswith(b"Fachkurzinformation")
    assert list(tmp_path.iterdir()) == [portfolio]  # no file named '-'


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_into_a_named_pipe_is_written_as_a_stream(portfolio: Path,
                                                         tmp_path: Path) -> None:
    fifo = tmp_path / "artwork.txt"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = subprocess.run(_render_args(portfolio, "-o", str(fifo)), capture_output=True,
                          check=False)
    received, _ = reader.communicate(timeout=30)
    assert done.returncode == 0, done.stderr
    assert received.startswith(b"Fachkurzinformation")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe, never replaced


@pytest.mark.skipif(not os.path.islink("/dev/stdout"), reason="/dev/stdout is a link here")
def test_output_to_dev_stdout_follows_a_redirection(portfolio: Path, tmp_path: Path) -> None:
    target = tmp_path / "redirected.txt"
    with target.open("wb") as handle:
        done = subprocess.run(_render_args(portfolio, "-o", "/dev/stdout"), stdout=handle,
                              stderr=subprocess.PIPE, check=False)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"Fachkurzinformation")
    assert os.path.islink("/dev/stdout")  # the link is left as it was
