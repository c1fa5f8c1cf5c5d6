"""Bad and hostile input at every entry point: one clear line, the right exit code, no
traceback, nothing leaked, nothing half-written."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import html as lxml_html

from smpc_manager import files as atomic
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError
from smpc_manager.markets import profiles
from tests.conftest import DATA
from tests.migration import SCHEMA_1

INVALID = DATA / "invalid"
HOSTILE = DATA / "hostile"
AS_OF = "2026-11-25"
FIFTY_MB = 50 * 1024 * 1024


def secrets() -> list[str]:
    """Content of /etc/passwd that must never show anywhere."""
    found = ["root:"]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        found += [ln for ln in passwd.read_text(errors="replace").splitlines() if ln][:5]
    return found


def assert_clean(result: Result | subprocess.CompletedProcess[str], *, code: int) -> str:
    """The exit code, and output with no traceback and no leaked file content."""
    if isinstance(result, Result):
        out, exit_code = result.output, result.exit_code
        assert result.exception is None or isinstance(result.exception, SystemExit), out
    else:
        out, exit_code = result.stdout + result.stderr, result.returncode
    assert exit_code == code, out
    assert "Traceback" not in out
    assert "internal error" not in out
    for secret in secrets():
        assert secret not in out
    return out


def problem_lines(out: str, name: str) -> list[str]:
    """Lines shaped path[:line[:column]]: message that name the file ``name``."""
    shape = re.compile(rf"^(?:\S*/)?{re.escape(name)}(?::\d+(?::\d+)?)?: \S")
    return [ln for ln in out.splitlines() if shape.match(ln)]


# ------------------------------------------------------------------------ hostile products


def oversized(folder: Path) -> Path:
    """A 50 MB product file, made sparse so the test writes almost nothing."""
    path = folder / "oversized.xml"
    with path.open("wb") as handle:
        handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<product>')
        handle.truncate(FIFTY_MB)
    return path


def copied(source: Path) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        return Path(shutil.copyfile(source, folder / source.name))
    return make


#: name -> how to put it into a folder, and a word the one problem line must hold.
PRODUCTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (copied(INVALID / "empty.xml"), "empty"),
    "not-xml": (copied(HOSTILE / "not-xml.xml"), "is this an XML file?"),
    "truncated": (copied(HOSTILE / "truncated.xml"), "cut short"),
    "not-utf8": (copied(INVALID / "not-utf8.xml"), "not valid UTF-8"),
    "utf16": (copied(HOSTILE / "utf16.xml"), "UTF-16"),
    "utf16-no-bom": (copied(HOSTILE / "utf16-no-bom.xml"), "NUL bytes"),
    "latin1-declared": (copied(HOSTILE / "latin1-declared.xml"), "must be UTF-8"),
    "wrong-root": (copied(HOSTILE / "wrong-root.xml"), "root element must be <product"),
    "wrong-namespace": (copied(INVALID / "wrong-namespace.xml"), "root element must be"),
    "doctype-external-entity": (copied(INVALID / "doctype-external-entity.xml"), "DOCTYPE"),
    "doctype-after-comment": (copied(HOSTILE / "doctype-after-comment.xml"), "DOCTYPE"),
    "external-dtd": (copied(HOSTILE / "external-dtd.xml"), "DOCTYPE"),
    "parameter-entity": (copied(HOSTILE / "parameter-entity.xml"), "DOCTYPE"),
    "billion-laughs": (copied(INVALID / "billion-laughs.xml"), "DOCTYPE"),
    "xinclude": (copied(HOSTILE / "xinclude.xml"), "only text is allowed"),
    "xinclude-in-paragraph": (copied(HOSTILE / "xinclude-in-paragraph.xml"),
                              "XInclude is not an element of a product file"),
    "deep-nesting": (copied(HOSTILE / "deep-nesting.xml"), "nested deeper"),
    "path-like-id": (copied(INVALID / "path-like-id.xml"), "is not a product id"),
    "oversized": (oversized, "over the limit"),
}


def test_every_hostile_file_is_used() -> None:
    used = {name for name in PRODUCTS if (HOSTILE / f"{name}.xml").exists()}
    assert used == {p.stem for p in HOSTILE.glob("*.xml")}


def command_for(name: str, root: Path, product: Path, out: Path) -> list[str]:
    return {
        "validate": ["validate", str(root)],
        "extract": ["extract", str(root)],
        "check": ["check", "--as-of", AS_OF, str(root)],
        "render": ["render", str(product), "--market", "AT"],
        "build": ["build", str(root), "-o", str(out)],
    }[name]


@pytest.mark.parametrize("command", ["validate", "extract", "check", "render"])
@pytest.mark.parametrize("kind", sorted(PRODUCTS))
def test_hostile_product(runner: CliRunner, portfolio: Path, tmp_path: Path, command: str,
                         kind: str) -> None:
    make, words = PRODUCTS[kind]
    product = make(portfolio / "products")
    before = set(tmp_path.rglob("*"))
    started = time.perf_counter()
    result = runner.invoke(main, command_for(command, portfolio, product, tmp_path / "out"))
    elapsed = time.perf_counter() - started
    out = assert_clean(result, code=1)
    lines = problem_lines(out, product.name)
    assert len(lines) == 1, out
    assert words in lines[0]
    assert elapsed < 5, f"{elapsed:.2f} s"
    if kind in ("billion-laughs", "oversized"):
        assert elapsed < 1, f"{kind}: {elapsed:.2f} s"
    # Nothing new was written anywhere (an id like ../../x never became a path).
    assert set(tmp_path.rglob("*")) - before == set()


@pytest.mark.parametrize("kind", ["doctype-external-entity", "billion-laughs", "oversized",
                                  "truncated", "path-like-id"])
def test_hostile_product_in_a_build(runner: CliRunner, portfolio: Path, tmp_path: Path,
                                    kind: str) -> None:
    make, words = PRODUCTS[kind]
    product = make(portfolio / "products")
    out_dir = tmp_path / "out"
    result = runner.invoke(main, command_for("build", portfolio, product, out_dir))
    out = assert_clean(result, code=1)
    lines = problem_lines(out, product.name)
    assert len(lines) == 1, out
    assert words in lines[0]
    # The good product is built; the bad one leaves nothing, and no temporary file remains.
    names = [p.name for p in out_dir.rglob("*") if p.is_file()]
    assert any("besponsa" in n for n in names)
    assert not [n for n in names if product.stem in n or n.endswith(".tmp")]
    for file in out_dir.rglob("*"):
        if file.is_file():
            text = file.read_text(errors="replace")
            assert all(s not in text for s in secrets())


def test_fifty_megabytes_are_never_read(portfolio: Path) -> None:
    product = oversized(portfolio / "products")
    assert product.stat().st_size == FIFTY_MB
    done = subprocess.run(
        [sys.executable, "-m", "smpc_manager", "validate", str(product)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    out = assert_clean(done, code=1)
    assert problem_lines(out, "oversized.xml") == [
        f"{product}: file is {FIFTY_MB:,} bytes, over the limit of 2,097,152 bytes for a"
        " product file; refused unread"
    ]


# ------------------------------------------------------------------------ accepted variants


@pytest.mark.parametrize(
    ("variant", "change"),
    [
        ("bom", lambda b: b"\xef\xbb\xbf" + b),
        ("crlf", lambda b: b.replace(b"\n", b"\r\n")),
        ("cr", lambda b: b.replace(b"\n", b"\r")),
    ],
)
def test_bom_and_line_ends_are_accepted(runner: CliRunner, portfolio: Path, variant: str,
                                        change: Callable[[bytes], bytes]) -> None:
    product = portfolio / "products" / "besponsa.xml"
    before = runner.invoke(main, ["render", str(product), "--market", "AT", "--locale", "en"])
    assert before.exit_code == 0, before.output
    original = product.read_bytes()
    product.write_bytes(change(original))
    assert runner.invoke(main, ["validate", str(product)]).exit_code == 0
    after = runner.invoke(main, ["render", str(product), "--market", "AT", "--locale", "en"])
    assert after.exit_code == 0, after.output
    assert after.stdout == before.stdout
    # and a problem in it is still reported on its own line
    bad = change(original.replace(b"L01XC26", b"L1XC"))
    product.write_bytes(bad)
    result = runner.invoke(main, ["validate", str(product)])
    assert_clean(result, code=1)
    [line] = problem_lines(result.output, "besponsa.xml")
    atc_line = original[: original.index(b"<atc-code>")].count(b"\n") + 1
    assert line.startswith(f"{product}:{atc_line}:3: atc-code 'L1XC'")


# ------------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{missing}"],
        ["extract", "{missing}"],
        ["check", "--as-of", AS_OF, "{missing}"],
        ["render", "{missing}", "--market", "AT"],
        ["stats", "{missing}"],
        ["build", "{missing}", "-o", "{tmp}/out"],
    ],
    ids=lambda a: a[0],
)
def test_a_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path,
                                         args: list[str]) -> None:
    missing = tmp_path / "no-such.xml"
    argv = [a.format(missing=missing, tmp=tmp_path) for a in args]
    result = runner.invoke(main, argv)
    out = assert_clean(result, code=2)
    assert out.strip().splitlines() == [ln for ln in out.strip().splitlines()
                                        if ln.startswith(str(missing))]
    assert len(out.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["render", "{product}", "--market", "XX"], "unknown market 'XX'"),
        (["render", "{product}", "--market", "../AT"], "unknown market"),
        (["render", "{product}", "--market", "AT", "--locale", "xx_YY"], "unknown locale"),
        (["render", "{product}", "--market", "AT", "--locale", "../../x"], "locale"),
        (["check", "--as-of", AS_OF, "--market", "XX", "{root}"], "unknown market 'XX'"),
        (["build", "{root}", "-o", "{tmp}/out", "--market", "XX"], "XX"),
        (["stats", "{root}", "--locale", "../x"], "'../x' is not a locale"),
        (["init", "{root}", "--locale", "../../evil"], "'../../evil' is not a locale"),
        (["compile", "{root}", "--locale", "de/../../x"], "is not a locale"),
        (["init", "{root}", "--locale", "xx"], "'xx' is not a locale CLDR knows"),
        (["update", "{root}", "--locale", "qq_ZZ"], "'qq_ZZ' is not a locale"),
    ],
)
def test_unknown_market_or_locale(runner: CliRunner, portfolio: Path, tmp_path: Path,
                                  args: list[str], words: str) -> None:
    argv = [a.format(product=portfolio / "products" / "besponsa.xml", root=portfolio,
                     tmp=tmp_path) for a in args]
    before = sorted(p for p in tmp_path.rglob("*"))
    result = runner.invoke(main, argv)
    out = assert_clean(result, code=2)
    assert words in out
    assert len(out.strip().splitlines()) == 1, out
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    assert not (tmp_path.parent / "evil").exists()


def test_an_impossible_as_of_day(runner: CliRunner, portfolio: Path) -> None:
    result = runner.invoke(main, ["check", "--as-of", "2026-02-30", str(portfolio)])
    out = assert_clean(result, code=2)
    assert out.strip().splitlines() == [
        "smpc check: invalid value for '--as-of': '2026-02-30' is not a day of the calendar"
        " (day is out of range for month) (see smpc check --help)"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["render", "x.xml", "--market"],
     "smpc render: option '--market' requires an argument (see smpc render --help)"),
    (["render", "--format", "pdf", "x.xml"],
     "smpc render: invalid value for '--format': 'pdf' is not one of 'text', 'html', 'json'"
     " (see smpc render --help)"),
    (["build"], "smpc build: missing argument 'PORTFOLIO' (see smpc build --help)"),
    (["bogus"], "smpc: no such command 'bogus' (see smpc --help)"),
    (["--bogus"], "smpc: no such option '--bogus'. Did you mean '--verbose'? (see smpc --help)"),
])
def test_a_usage_error_is_one_line(runner: CliRunner, argv: list[str], expected: str) -> None:
    result = runner.invoke(main, argv)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [expected]


# ------------------------------------------------------------------------ unwritable outputs


def test_render_output_under_a_file(runner: CliRunner, portfolio: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    target = blocker / "besponsa.txt"
    result = runner.invoke(main, ["render", str(portfolio / "products" / "besponsa.xml"),
                                  "--market", "AT", "--locale", "en", "-o", str(target)])
    out = assert_clean(result, code=1)
    assert out.strip().splitlines() == [
        f"{target}: cannot write here: {blocker} is a file, not a folder"
    ]
    assert blocker.read_text() == "a file, not a folder"


def test_build_output_under_a_file(runner: CliRunner, portfolio: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = runner.invoke(main, ["build", str(portfolio), "-o", str(blocker / "out")])
    out = assert_clean(result, code=1)
    # Said once, before any product is built, not once per output.
    assert out.strip().splitlines() == [
        f"{blocker / 'out'}: cannot write here: {blocker} is a file, not a folder"]
    assert blocker.read_text() == "x"


def test_extract_into_locales_that_is_a_file(runner: CliRunner, portfolio: Path) -> None:
    shutil.rmtree(portfolio / "locales", ignore_errors=True)
    (portfolio / "locales").write_text("x")
    result = runner.invoke(main, ["extract", str(portfolio)])
    out = assert_clean(result, code=1)
    assert "locales is a file, not a folder" in out


# ------------------------------------------------------------------------ smpc.toml


@pytest.mark.parametrize("command", ["validate", "check", "render", "build", "extract"])
def test_bad_settings_stop_every_command(runner: CliRunner, portfolio: Path, tmp_path: Path,
                                         command: str) -> None:
    config = portfolio / "smpc.toml"
    config.write_text('source-locale = "en"\nmarkets = ["AT"]\nfrobnicate = 1\n\n'
                      "[policy]\nwarn-days = \"soon\"\n")
    argv = command_for(command, portfolio, portfolio / "products" / "besponsa.xml",
                       tmp_path / "out")
    result = runner.invoke(main, argv)
    out = assert_clean(result, code=1)
    lines = problem_lines(out, "smpc.toml")
    assert [re.sub(r"^\S*smpc\.toml", "smpc.toml", ln) for ln in lines] == [
        "smpc.toml:3: unknown setting 'frobnicate' (known: atc-alterations, inputs, markets,"
        " policy, profiles, source-locale, translation)",
        "smpc.toml:6: policy.warn-days must be a whole number of days from 0 to 3660, found"
        " 'soon'",
    ]
    assert not (tmp_path / "out").exists()


def test_settings_with_a_syntax_error(runner: CliRunner, portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text('markets = ["AT", "DE",, "IE"]\n')
    result = runner.invoke(main, ["validate", str(portfolio)])
    out = assert_clean(result, code=1)
    assert problem_lines(out, "smpc.toml") == [
        f"{config.resolve()}:1:23: is not valid TOML: invalid value"]
    # A file that ends too soon is located at its last line.
    config.write_text('source-locale = "en"\nmarkets = ["AT"\n')
    result = runner.invoke(main, ["validate", str(portfolio)])
    out = assert_clean(result, code=1)
    assert problem_lines(out, "smpc.toml") == [
        f"{config.resolve()}:2: is not valid TOML: unclosed array"]


# ------------------------------------------------------------------------ --debug


def test_traceback_only_under_debug(tmp_path: Path) -> None:
    product = shutil.copyfile(INVALID / "doctype-external-entity.xml",
                              tmp_path / "doctype-external-entity.xml")
    quiet = subprocess.run([sys.executable, "-m", "smpc_manager", "validate", str(product)],
                           capture_output=True, text=True, timeout=60, check=False)
    assert_clean(quiet, code=1)
    # validate reports problems as findings; a command that loads the product raises them.
    quiet = subprocess.run([sys.executable, "-m", "smpc_manager", "render", str(product),
                            "--market", "AT"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert_clean(quiet, code=1)
    loud = subprocess.run([sys.executable, "-m", "smpc_manager", "--debug", "render",
                           str(product), "--market", "AT"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert loud.returncode != 0
    assert "Traceback (most recent call last)" in loud.stderr
    assert "ProblemsError" in loud.stderr
    assert all(s not in loud.stderr + loud.stdout for s in secrets())


# ------------------------------------------------------------------------ catalogs

DE_PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"


def _after(po: str, context: str, marker: str) -> int:
    return po.index(marker, po.index(f'msgctxt "{context}"')) + len(marker)


def broken_catalog(kind: str, po: str) -> tuple[str, str | None]:
    """A broken variant of a catalog, and the text on the line the problem is reported at
    (None when the problem is reported at the product, for a translation that fails)."""
    at = _after(po, "indications", 'msgstr ""\n"')
    if kind == "syntax-error":
        start = po.index('msgstr ""', po.index('msgctxt "indications"'))
        return po[:start] + "msgstr Anwendungsgebiete" + po[start + 9 :], \
            "msgstr Anwendungsgebiete"
    if kind == "wrong-charset":
        # reported at the header entry, whose msgstr declares the charset
        return po.replace("charset=UTF-8", "charset=ISO-8859-1"), 'msgid ""\nmsgstr ""\n"Pro'
    if kind == "duplicate-entries":
        start = po.index('msgctxt "indications"')
        end = po.index("\n\n", start)
        return po + "\n" + po[start:end] + "\n", None
    if kind == "different-tags":
        return po[:at] + "<em>Wichtig:</em> " + po[at:], None
    if kind == "foreign-markup":
        return po[:at] + "<b>Wichtig:</b> " + po[at:], None
    if kind == "bad-escape":
        return po[:at] + "\\x110000" + po[at:], "\\x110000"
    raise AssertionError(kind)


CATALOG_WORDS = {
    "syntax-error": "syntax error: expected a string in double quotes",
    "wrong-charset": "the header must declare charset=UTF-8",
    "duplicate-entries": "duplicate entry: msgctxt 'indications'",
    "different-tags": "the inline tags differ: the English has none, the translation <em>",
    "foreign-markup": "the markup is broken: tag <b> is not allowed",
    "bad-escape": "is not a character",
}
#: Catalogs that cannot be read stop every command; a translation that fails its checks
#: is refused where it would be used (render, check, build) and counted by stats.
UNREADABLE = ("syntax-error", "wrong-charset", "duplicate-entries", "bad-escape")


def catalog_commands(root: Path, out: Path) -> dict[str, list[str]]:
    return {
        "render": ["render", str(root / "products" / "besponsa.xml"), "--market", "AT",
                   "--as-of", AS_OF],
        "check": ["check", "--as-of", AS_OF, str(root)],
        "stats": ["stats", str(root)],
        "update": ["update", str(root)],
        "compile": ["compile", str(root)],
        "build": ["build", str(root), "-o", str(out), "--as-of", AS_OF],
    }


@pytest.mark.parametrize("command", ["render", "check", "stats", "update", "compile", "build"])
@pytest.mark.parametrize("kind", sorted(CATALOG_WORDS))
def test_broken_catalog(runner: CliRunner, portfolio: Path, tmp_path: Path, kind: str,
                        command: str) -> None:
    catalog = portfolio / DE_PO
    text, marker = broken_catalog(kind, catalog.read_text(encoding="utf-8"))
    catalog.write_text(text, encoding="utf-8")
    before = catalog.read_bytes()
    out_dir = tmp_path / "out"
    result = runner.invoke(main, catalog_commands(portfolio, out_dir)[command])
    fails = kind in UNREADABLE or command in ("render", "check", "build")
    out = assert_clean(result, code=1 if fails else 0)
    if kind in UNREADABLE:
        lines = problem_lines(out, "besponsa.po")
        assert lines, out
        assert all(CATALOG_WORDS[kind] in ln for ln in lines)
        numbers = {int(ln.split(".po:")[1].split(":")[0]) for ln in lines}
        if marker is not None:
            assert numbers == {before.decode()[: before.decode().index(marker)].count("\n")
                               + 1}
        else:  # the second definition
            second = before.decode().rindex('msgctxt "indications"')
            first_line = before.decode()[:second].count("\n") + 1
            [number] = numbers
            assert first_line <= number <= first_line + 2  # msgctxt or msgid
    elif fails:
        # (check also warns of the example's ATC code, which the index changed in 2022)
        lines = [ln for ln in problem_lines(out, "besponsa.xml")
                 if "warning: atc-code" not in ln]
        assert lines, out
        assert all(CATALOG_WORDS[kind] in ln for ln in lines)
        line_of_indications = (portfolio / "products" / "besponsa.xml").read_text() \
            .split("<indications>")[0].count("\n") + 2
        assert all(ln.split(".xml:")[1].startswith(f"{line_of_indications}:") for ln in lines)
    elif command == "stats":
        assert "1 failing checks" in out
    # A catalog that cannot be read is never rewritten, and nothing is compiled from it.
    if kind in UNREADABLE or command != "update":
        assert catalog.read_bytes() == before
    if kind in UNREADABLE:
        assert not catalog.with_suffix(".mo").exists()
    # No German text is written around a refused translation; IE (English) is built.
    if command == "build":
        assert [p for p in out_dir.rglob("*") if p.is_file() and p.parts[-2] in ("AT", "DE")] \
            == []
        assert list((out_dir / "IE").iterdir())
    if kind == "foreign-markup":
        assert "<b>" not in "".join(p.read_text() for p in out_dir.rglob("*.html"))


# ------------------------------------------------------------------------ market profiles


def own_profile(portfolio: Path, change: Callable[[str], str]) -> Path:
    """A copy of the shipped AT profile in the portfolio, changed, named in smpc.toml."""
    shipped = profiles.PROFILE_DIR / "at.toml"
    path = portfolio / "profiles" / "at.toml"
    path.parent.mkdir()
    path.write_text(change(shipped.read_text(encoding="utf-8")), encoding="utf-8")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + '\n[profiles]\nAT = "profiles/at.toml"\n')
    return path


@pytest.mark.parametrize("command", ["render", "check", "build"])
def test_profile_with_unknown_key_and_missing_field(runner: CliRunner, portfolio: Path,
                                                    tmp_path: Path, command: str) -> None:
    def change(text: str) -> str:
        text = re.sub(r'(?m)^locale = "de_AT"\n', "", text)
        return re.sub(r"(?m)^(title = .*)$", r'\1\ncolour = "red"', text)

    profile = own_profile(portfolio, change)
    result = runner.invoke(main, catalog_commands(portfolio, tmp_path / "out")[command])
    out = assert_clean(result, code=1)
    lines = problem_lines(out, "at.toml")
    colour = profile.read_text().split("colour")[0].count("\n") + 1
    assert any(re.search(rf"at\.toml:{colour}: unknown profile key 'colour'", ln)
               for ln in lines), out
    assert any("has no 'locale' (required)" in ln for ln in lines), out
    assert not (tmp_path / "out" / "AT").exists()


def test_profile_that_is_a_device(runner: CliRunner, portfolio: Path) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + '\n[profiles]\nAT = "/dev/zero"\n')
    started = time.perf_counter()
    result = runner.invoke(main, catalog_commands(portfolio, portfolio / "out")["render"])
    assert time.perf_counter() - started < 5
    out = assert_clean(result, code=1)
    [line] = problem_lines(out, "smpc.toml")
    assert "not a profile file" in line


# ------------------------------------------------------------------------ HTML escaping

PAYLOAD = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>"
#: Every element whose text reaches the page, and the market that prints it.
ESCAPED_ELEMENTS = ["name", "strength", "pharmaceutical-form", "active-substance", "p",
                    "excipient", "pharmacotherapeutic-group", "street", "postal-code", "city",
                    "number"]
FIELDS = {
    "AT": ["composition", "excipients", "indications", "contraindications",
           "pharmacotherapeutic-group", "marketing-authorisation-holder"],
    "DE": ["active-substance", "composition", "excipients", "indications",
           "contraindications", "label-warnings", "undesirable-effects",
           "marketing-authorisation-holder"],
    "IE": ["composition", "indications", "posology", "contraindications", "precautions",
           "undesirable-effects", "marketing-authorisation-holder", "marketing-authorisation"],
    "GB": ["composition", "indications", "posology", "contraindications", "precautions",
           "undesirable-effects", "marketing-authorisation-holder", "marketing-authorisation",
           "cost"],
}


def poisoned_product(portfolio: Path) -> Path:
    """The example in schema 1, its every field poisoned; its GB data added."""
    product = portfolio / "products" / "besponsa.xml"
    text = (SCHEMA_1 / "example" / "products" / "besponsa.xml").read_text()
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for element in ESCAPED_ELEMENTS:
        text = re.sub(rf"(<{element}(?: [^>]*)?>)", lambda m: m.group(1) + escaped + " ", text)
    text = text.replace(
        '  <prescription-status market="AT">',
        '  <marketing-authorisation markets="GB">\n'
        f"    <number>{escaped} PLGB 00057/1488</number>\n"
        "    <first-authorisation>2021-01-01</first-authorisation>\n"
        '  </marketing-authorisation>\n  <prescription-status market="AT">')
    text = text.replace(
        "  <revision-date>",
        '  <prescription-status market="GB">POM</prescription-status>\n'
        f'  <cost market="GB" currency="GBP" amount="6000.00">{escaped} 1 vial</cost>\n'
        "  <revision-date>")
    product.write_text(text)
    return product


@pytest.mark.parametrize("market", sorted(FIELDS))
def test_html_escapes_every_field(runner: CliRunner, portfolio: Path, market: str) -> None:
    product = poisoned_product(portfolio)
    assert runner.invoke(main, ["validate", str(product)]).exit_code == 0
    result = runner.invoke(main, ["render", str(product), "--market", market, "--locale",
                                  "en", "--format", "html", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    page = lxml_html.document_fromstring(result.stdout)
    assert page.xpath("//script | //img | //iframe | //object") == []
    assert [a for el in page.iter() for a in el.attrib if a.lower().startswith("on")] == []
    title = page.findtext(".//title")
    assert title is not None
    assert title.count(PAYLOAD) == 3  # name, strength and form
    for field in FIELDS[market]:
        [span] = page.xpath(f"//span[@data-field='{field}']")
        assert PAYLOAD in span.text_content(), field
    # Every tag in the body is one the template writes, or an inline sup/sub/em.
    body_tags = {el.tag for el in page.body.iter()}
    assert body_tags <= {"body", "article", "h1", "h2", "p", "span", "footer", "sup", "sub",
                         "em", "ul", "li", "br", "div", "strong"}


# ------------------------------------------------------------------------ killed midway

COPIES = 10


def kill_delays(argv: list[str], env: dict[str, str]) -> list[float]:
    """Runs the command whole, then gives moments to kill it at: from still importing to
    writing the last files, as fractions of the time it took (any delay keeps the test
    sound; the spread makes it find torn writes, on a slow machine or a fast one)."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, env=env, capture_output=True)
    took = time.perf_counter() - started
    return [took * share for share in (0.5, 0.75, 0.95)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def restore(folder: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def smpc(*args: str) -> list[str]:
    return [sys.executable, "-m", "smpc_manager", *args]


def run_and_kill(argv: list[str], delay: float, env: dict[str, str]) -> int:
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, start_new_session=True)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        # SIGKILL to the whole group: build's worker processes write outputs too, and
        # none of them may finish a file after the kill.
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout=60)


def assert_old_or_new(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Every file is the old or the new one; returns 'old', 'new' or 'mixed'."""
    seen = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(folder))
        if (path.name.startswith(".") and path.name.endswith(".tmp")) or path.name == ".smpc-lock":
            continue  # a temporary file or a build's lock the kill left; never read by anyone
        data = path.read_bytes()
        if name == "manifest.json" and data != old.get(name):
            # A new manifest (its stamps differ from run to run) is written whole, after
            # the outputs it vouches for; the old one is left while they are being made.
            for key, record in json.loads(data)["outputs"].items():
                assert hashlib.sha256((folder / key).read_bytes()).hexdigest() == \
                    record["sha256"], f"the manifest is wrong about {key}"
            seen.add("new")
            continue
        assert name in old or name in new, f"unexpected file {name}"
        assert data in (old.get(name), new.get(name)), f"{name} is neither old nor new"
        seen.add("old" if data == old.get(name) else "new")
    for name in old:
        assert (folder / name).is_file(), f"{name} was lost"
    return "mixed" if len(seen) > 1 else seen.pop() if seen else "empty"


@pytest.fixture
def many_products(portfolio: Path) -> Path:
    """The example portfolio with COPIES more products and their German catalogs."""
    source = (portfolio / "products" / "besponsa.xml").read_text()
    po = (portfolio / DE_PO).read_text()
    for n in range(1, COPIES + 1):
        pid = f"besponsa-{n}"
        (portfolio / "products" / f"{pid}.xml").write_text(
            source.replace('id="besponsa"', f'id="{pid}"'))
        (portfolio / DE_PO).with_name(f"{pid}.po").write_text(po)
    return portfolio


def test_update_killed_midway_leaves_old_or_new_catalogs(many_products: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764028800"}
    root = many_products
    subprocess.run(smpc("extract", str(root)), check=True, env=env, capture_output=True)
    subprocess.run(smpc("update", str(root)), check=True, env=env, capture_output=True)
    catalogs = root / "locales" / "de"
    old = snapshot(catalogs)
    # A changed English sentence in every product: update turns it fuzzy everywhere.
    for product in (root / "products").glob("*.xml"):
        product.write_text(product.read_text().replace("Sucrose", "Saccharose"))
    subprocess.run(smpc("extract", str(root)), check=True, env=env, capture_output=True)
    delays = kill_delays(smpc("update", str(root)), env)
    new = snapshot(catalogs)
    assert all(new[name] != old[name] for name in old if name.endswith(".po"))
    killed = 0
    states = []
    for delay in delays:
        restore(catalogs, old)
        code = run_and_kill(smpc("update", str(root)), delay, env)
        killed += code == -9
        states.append(assert_old_or_new(catalogs, old, new))
    assert killed, "every update finished before it was killed"
    print("update states after SIGKILL:", states)


def test_build_killed_midway_leaves_old_or_new_outputs(many_products: Path,
                                                       tmp_path: Path) -> None:
    env = dict(os.environ)
    root = many_products
    out = tmp_path / "out"
    build = smpc("build", str(root), "-o", str(out), "--as-of", AS_OF, "--jobs", "2")
    subprocess.run(build, check=True, env=env, capture_output=True)
    old = snapshot(out)
    # A new revision date changes every output and needs no new translation.
    for product in (root / "products").glob("*.xml"):
        product.write_text(product.read_text().replace(
            "<revision-date>2022-02</revision-date>", "<revision-date>2022-03</revision-date>"))
    delays = kill_delays(build, env)
    new = snapshot(out)
    changed = [name for name in old if old[name] != new.get(name)]
    assert len(changed) > COPIES
    killed = 0
    states = []
    for delay in delays:
        restore(out, old)
        code = run_and_kill(build, delay, env)
        killed += code == -9
        states.append(assert_old_or_new(out, old, new))
    assert killed, "every build finished before it was killed"
    print("build states after SIGKILL:", states)


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has exited (gone, or a zombie its new parent has not reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_build_killed_alone_leaves_no_worker_and_no_lock(many_products: Path,
                                                          tmp_path: Path) -> None:
    """SIGKILL to the build's own process only (the kernel out of memory, ``kill -9 PID``): its
    workers end by themselves, and the next build into the folder does not wait for them."""
    out = tmp_path / "out"
    build = smpc("build", str(many_products), "-o", str(out), "--as-of", AS_OF, "--jobs", "2")
    process = subprocess.Popen(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    task = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers = [int(pid) for pid in task.read_text().split()] if task.exists() else []
        time.sleep(0.01)
    assert len(workers) == 2, "the build ended before its workers were seen"
    process.kill()
    process.wait(timeout=60)
    deadline = time.monotonic() + 10
    while not all(_ended(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_ended(pid) for pid in workers), "a worker outlived its build"
    again = subprocess.run([*build, "--no-wait"], capture_output=True, text=True, timeout=120,
                           check=False)
    assert again.returncode == 0, again.stderr


# ------------------------------------------------------------------------ atomic writes


def test_atomic_write_keeps_the_mode_and_leaves_no_trace(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "deep" / "new.po"
    atomic.write_text(new, "new\n")
    assert (new.stat().st_mode & 0o777) == 0o666 & ~umask  # not mkstemp's 0600
    kept = tmp_path / "kept.po"
    kept.write_text("old\n")
    kept.chmod(0o640)
    atomic.write_text(kept, "newer\n")
    assert (kept.read_text(), kept.stat().st_mode & 0o777) == ("newer\n", 0o640)
    # A folder where the file should be: refused, nothing left behind.
    (tmp_path / "folder.po").mkdir()
    with pytest.raises(ProblemsError) as caught:
        atomic.write_text(tmp_path / "folder.po", "x")
    assert caught.value.lines() == [
        f"{tmp_path / 'folder.po'}: cannot write: a folder of that name is in the way"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "folder.po", "kept.po"]


def test_atomic_write_through_a_temporary_folder(tmp_path: Path) -> None:
    own = tmp_path / "tmp" / "1234"
    target = tmp_path / "out" / "AT" / "x.txt"  # its folder is made at the rename
    atomic.write_bytes(target, b"one\n", tmp_dir=own)
    atomic.write_bytes(target, b"two\n", tmp_dir=own)
    assert target.read_bytes() == b"two\n"
    assert list(own.iterdir()) == []  # every temporary file was renamed away
    # A file where the target's folder should be: the usual words, nothing left behind.
    (tmp_path / "blocked").write_text("")
    with pytest.raises(ProblemsError) as caught:
        atomic.write_bytes(tmp_path / "blocked" / "x.txt", b"x", tmp_dir=own)
    assert caught.value.lines() == [
        f"{tmp_path / 'blocked' / 'x.txt'}: cannot write: {tmp_path / 'blocked'} is a file,"
        " not a folder"]
    assert list(own.iterdir()) == []


def test_atomic_write_with_a_temporary_folder_on_another_file_system(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to put the temporary folder on")
    own = Path(tempfile.mkdtemp(dir=shm))
    try:
        target = tmp_path / "x.txt"
        atomic.write_bytes(target, b"across\n", tmp_dir=own)
        assert target.read_bytes() == b"across\n"
        assert list(own.iterdir()) == []
        assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
    finally:
        shutil.rmtree(own, ignore_errors=True)


@pytest.mark.parametrize(("target", "words"), [
    ("/etc/passwd", "outside the portfolio; refused unread"),
    ("/dev/zero", "is not a regular file"),
    ("/dev/urandom", "is not a regular file"),
])
def test_product_linked_to_a_system_file(runner: CliRunner, portfolio: Path, target: str,
                                         words: str) -> None:
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    link = portfolio / "products" / "linked.xml"
    link.symlink_to(target)
    started = time.perf_counter()
    result = runner.invoke(main, ["validate", str(portfolio)])
    assert time.perf_counter() - started < 5
    out = assert_clean(result, code=1)
    [line] = problem_lines(out, "linked.xml")
    assert words in line
