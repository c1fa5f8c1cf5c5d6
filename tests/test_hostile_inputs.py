"""Inputs looked at before they are read: links out of the portfolio, links to nothing,
devices and pipes, endless files, locale folders that are not locales, markets without a
profile, and file names no terminal or JSON reader should get raw.

Each case is one generator named for its defect, which plants it in a copy of the example
portfolio; each is run through every command that reads that kind of input, and must end
with one clear line naming the input and exit 1, quote nothing of a file outside the
portfolio, and leave what was built before as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smpc_manager.boundary import RefusedInput
from smpc_manager.cli import main
from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import NotAFileError, TooLargeError, read_bytes
from smpc_manager.markets import PROFILE_DIR
from smpc_manager.portfolio import expand, load_portfolio
from tests.conftest import EXAMPLE

AS_OF = "2026-11-25"
#: The first line of a file outside the portfolio, which no output may ever show.
SECRET = "SECRET-LINE 8c1f: never to be shown"
DE_PO = Path("locales") / "de" / "LC_MESSAGES" / "besponsa.po"
PRODUCT = Path("products") / "besponsa.xml"
PAGE = Path("templates") / "page.html.j2"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file beside the portfolio, outside it, with :data:`SECRET` as its first line."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\nmsgid \"x\"\nmsgstr \"y\"\n", encoding="utf-8")
    return path


def command(name: str, root: Path, out: Path) -> list[str]:
    product = str(root / PRODUCT)
    return {
        "validate": ["validate", str(root)],
        "extract": ["extract", str(root)],
        "check": ["check", "--as-of", AS_OF, str(root)],
        "check-json": ["check", "--as-of", AS_OF, "--format", "json", str(root)],
        "render": ["render", product, "--market", "AT", "--as-of", AS_OF],
        "render-html": ["render", product, "--market", "AT", "--as-of", AS_OF, "--format",
                        "html"],
        "stats": ["stats", str(root)],
        "update": ["update", str(root)],
        "compile": ["compile", str(root)],
        "build": ["build", str(root), "-o", str(out), "--as-of", AS_OF],
        "build-html": ["build", str(root), "-o", str(out), "--as-of", AS_OF, "--format",
                       "html"],
    }[name]


def refused(result: Result, name: str, words: str) -> str:
    """The line that names ``name`` and says ``words``, from a run that exited 1 with no
    traceback and nothing of the secret: every line naming ``name`` says it (``check``
    says it once for each market the input serves)."""
    out = result.output
    assert result.exit_code == 1, out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    assert "Traceback" not in out
    assert "internal error" not in out
    assert SECRET not in out
    lines = [line for line in out.splitlines() if name in line]
    assert lines, out
    assert all(words in line for line in lines), out
    return lines[0]


@dataclass(frozen=True)
class Case:
    """A defect: how to plant it, what its line names and says, which commands read it."""

    plant: Callable[[Path, Path], None]
    name: str
    words: str
    commands: tuple[str, ...]


CATALOG_COMMANDS = ("render", "check", "check-json", "stats", "update", "compile", "build")
PRODUCT_COMMANDS = ("validate", "extract", "check", "render", "build")
TEMPLATE_COMMANDS = ("render-html", "build-html")
PROFILE_COMMANDS = ("render", "check", "build")


def replace_by_link(path: Path, target: Path | str) -> None:
    path.unlink()
    path.symlink_to(target)


def own_profile(root: Path, value: str) -> None:
    """``[profiles] AT = value`` in the portfolio's smpc.toml."""
    config = root / "smpc.toml"
    config.write_text(config.read_text() + f'\n[profiles]\nAT = "{value}"\n')


# ------------------------------------------------------------------------ the cases


def product_linked_outside(root: Path, secret: Path) -> None:
    copy = secret.parent / "besponsa.xml"
    shutil.copy(root / PRODUCT, copy)
    replace_by_link(root / PRODUCT, copy)


def catalog_linked_to_a_secret(root: Path, secret: Path) -> None:
    replace_by_link(root / DE_PO, secret)


def catalog_folder_linked_outside(root: Path, secret: Path) -> None:
    german = root / "locales" / "de"
    shutil.move(german, secret.parent / "de")
    german.symlink_to(secret.parent / "de")
    (secret.parent / "de" / "LC_MESSAGES" / "besponsa.po").write_text(SECRET)


def template_linked_to_a_secret(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / PAGE).symlink_to(secret)


def template_including_a_link_to_a_secret(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "evil.j2").symlink_to(secret)
    (root / PAGE).write_text('{% include "evil.j2" %}\n', encoding="utf-8")


def template_including_by_dot_dot(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / PAGE).write_text('{% include "../../outside/secret.txt" %}\n', encoding="utf-8")


def template_including_an_absolute_path(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / PAGE).write_text(f'{{% include "{secret}" %}}\n', encoding="utf-8")


def template_extending_a_secret(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "base.j2").symlink_to(secret)
    (root / PAGE).write_text('{% extends "base.j2" %}\n', encoding="utf-8")


def profile_file_outside(root: Path, secret: Path) -> None:
    shutil.copy(PROFILE_DIR / "at.toml", secret.parent / "at.toml")
    own_profile(root, "../outside/at.toml")


def product_linked_to_nothing(root: Path, secret: Path) -> None:
    replace_by_link(root / PRODUCT, secret.parent / "gone.xml")


def products_folder_linked_to_nothing(root: Path, secret: Path) -> None:
    shutil.rmtree(root / "products")
    (root / "products").symlink_to(secret.parent / "unmounted-share" / "products")


def catalog_linked_to_nothing(root: Path, secret: Path) -> None:
    replace_by_link(root / DE_PO, secret.parent / "gone.po")


def catalog_folder_linked_to_nothing(root: Path, secret: Path) -> None:
    (root / "locales" / "de_AT").symlink_to(secret.parent / "unmounted-share" / "de_AT")


def template_linked_to_nothing(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / PAGE).symlink_to(secret.parent / "gone.j2")


def templates_folder_linked_to_nothing(root: Path, secret: Path) -> None:
    (root / "templates").symlink_to(secret.parent / "unmounted-share" / "templates")


def template_including_a_link_to_nothing(root: Path, secret: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "gone.j2").symlink_to(secret.parent / "gone.j2")
    (root / PAGE).write_text('{% include "gone.j2" %}\n', encoding="utf-8")


def profile_file_linked_to_nothing(root: Path, secret: Path) -> None:
    (root / "at.toml").symlink_to(secret.parent / "gone.toml")
    own_profile(root, "at.toml")


def settings_linked_to_nothing(root: Path, secret: Path) -> None:
    replace_by_link(root / "smpc.toml", secret.parent / "unmounted-share" / "smpc.toml")


def market_without_a_profile(root: Path, secret: Path) -> None:
    config = root / "smpc.toml"
    config.write_text(config.read_text().replace('markets = ["AT", "DE", "IE", "GB"]',
                                                 'markets = [\n  "AT",\n  "XX",\n]'))


OUTSIDE = "outside the portfolio; refused unread"
NOWHERE = "which does not exist"
CASES: dict[str, Case] = {
    "product-linked-outside": Case(product_linked_outside, "besponsa.xml", OUTSIDE,
                                   PRODUCT_COMMANDS),
    "catalog-linked-to-a-secret": Case(catalog_linked_to_a_secret, "besponsa.po", OUTSIDE,
                                       CATALOG_COMMANDS),
    "catalog-folder-linked-outside": Case(catalog_folder_linked_outside, "besponsa.po",
                                          OUTSIDE, CATALOG_COMMANDS),
    "template-linked-to-a-secret": Case(template_linked_to_a_secret, "page.html.j2", OUTSIDE,
                                        TEMPLATE_COMMANDS),
    "template-including-a-link-to-a-secret": Case(
        template_including_a_link_to_a_secret, "page.html.j2",
        "evil.j2 resolves to", TEMPLATE_COMMANDS),
    "template-including-by-dot-dot": Case(template_including_by_dot_dot, "page.html.j2",
                                          "is not a template name", TEMPLATE_COMMANDS),
    "template-including-an-absolute-path": Case(
        template_including_an_absolute_path, "page.html.j2", "is not a template name",
        TEMPLATE_COMMANDS),
    "template-extending-a-secret": Case(template_extending_a_secret, "page.html.j2",
                                        "outside the templates folder", TEMPLATE_COMMANDS),
    "profile-file-outside": Case(profile_file_outside, "smpc.toml", OUTSIDE,
                                 PROFILE_COMMANDS),
    "product-linked-to-nothing": Case(product_linked_to_nothing, "besponsa.xml", NOWHERE,
                                      PRODUCT_COMMANDS),
    "products-folder-linked-to-nothing": Case(products_folder_linked_to_nothing, "products",
                                              NOWHERE, ("validate", "check", "build")),
    "catalog-linked-to-nothing": Case(catalog_linked_to_nothing, "besponsa.po", NOWHERE,
                                      CATALOG_COMMANDS),
    "catalog-folder-linked-to-nothing": Case(catalog_folder_linked_to_nothing, "de_AT",
                                             NOWHERE, CATALOG_COMMANDS),
    "template-linked-to-nothing": Case(template_linked_to_nothing, "page.html.j2", NOWHERE,
                                       TEMPLATE_COMMANDS),
    "templates-folder-linked-to-nothing": Case(templates_folder_linked_to_nothing,
                                               "templates", NOWHERE, TEMPLATE_COMMANDS),
    "template-including-a-link-to-nothing": Case(
        template_including_a_link_to_nothing, "page.html.j2", NOWHERE, TEMPLATE_COMMANDS),
    "profile-file-linked-to-nothing": Case(profile_file_linked_to_nothing, "smpc.toml",
                                           NOWHERE, PROFILE_COMMANDS),
    "settings-linked-to-nothing": Case(settings_linked_to_nothing, "smpc.toml", NOWHERE,
                                       ("validate", "render", "stats", "build")),
    "market-without-a-profile": Case(market_without_a_profile, "smpc.toml:7:",
                                     "no profile for market 'XX'",
                                     ("validate", "check", "render", "stats", "build")),
}


@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind, case in CASES.items()
                                            for name in case.commands])
def test_refused_input(runner: CliRunner, portfolio: Path, secret: Path, tmp_path: Path,
                       kind: str, name: str) -> None:
    case = CASES[kind]
    case.plant(portfolio, secret)
    result = runner.invoke(main, command(name, portfolio, tmp_path / "out"))
    if not name.endswith("-json"):
        refused(result, case.name, case.words)
        return
    assert result.exit_code == 1, result.output
    assert SECRET not in result.output
    items = [i for i in json.loads(result.stdout)["items"] if i["severity"] == "error"]
    assert items
    assert all(case.name in item["path"] and case.words in item["message"] for item in items)


@pytest.mark.parametrize("kind", ["product-linked-to-nothing",
                                  "products-folder-linked-to-nothing",
                                  "catalog-linked-to-nothing", "catalog-linked-to-a-secret"])
def test_a_refused_input_keeps_the_outputs_built_before(runner: CliRunner, portfolio: Path,
                                                        secret: Path, tmp_path: Path,
                                                        kind: str) -> None:
    """An unmounted share, or a link gone wrong, is no reason to delete what was built."""
    out = tmp_path / "out"
    assert runner.invoke(main, command("build", portfolio, out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*.txt")}
    assert before
    CASES[kind].plant(portfolio, secret)
    refused(runner.invoke(main, command("build", portfolio, out)), CASES[kind].name,
            CASES[kind].words)
    assert {p: p.read_bytes() for p in out.rglob("*.txt")} == before


def test_an_allowed_folder_is_read(runner: CliRunner, portfolio: Path, secret: Path,
                                   tmp_path: Path) -> None:
    """``[inputs] allow`` names the folders outside the root that inputs may come from."""
    shared = tmp_path / "shared-catalogs"
    shutil.copytree(portfolio / "locales" / "de", shared / "de")
    shutil.rmtree(portfolio / "locales" / "de")
    (portfolio / "locales" / "de").symlink_to(shared / "de")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + '\n[inputs]\nallow = ["../shared-catalogs"]\n')
    result = runner.invoke(main, command("render", portfolio, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Fachkurzinformation" in result.output
    result = runner.invoke(main, command("build", portfolio, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    # Only the folder named: a link from it to elsewhere is refused.
    replace_by_link(shared / "de" / "LC_MESSAGES" / "besponsa.po", secret)
    refused(runner.invoke(main, command("render", portfolio, tmp_path / "out")),
            "besponsa.po", OUTSIDE)


@pytest.mark.parametrize("value", ['"../x"', "[1]", '["a", ""]', "{}"])
def test_allowed_folders_must_be_a_list_of_folders(portfolio: Path, value: str) -> None:
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + f"\n[inputs]\nallow = {value}\n")
    with pytest.raises(ProblemsError, match=r"inputs\.allow must be a list of folders"):
        load_portfolio(portfolio)


def test_validate_and_build_agree_on_the_product_files(runner: CliRunner, portfolio: Path,
                                                      secret: Path, tmp_path: Path) -> None:
    """Each refuses, with the same line, what the other refuses; none is passed over."""
    original = (portfolio / PRODUCT).read_bytes()
    for plant in (product_linked_to_nothing, product_linked_outside):
        plant(portfolio, secret)
        lines = [refused(runner.invoke(main, command(name, portfolio, tmp_path / "out")),
                         "besponsa.xml", "")
                 for name in ("validate", "build")]
        assert lines[0] == lines[1]
        (portfolio / PRODUCT).unlink()
        (portfolio / PRODUCT).write_bytes(original)


# ------------------------------------------------------------------------ special files


def smpc(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, so that a hang fails the test, not the run."""
    return subprocess.run([sys.executable, "-m", "smpc_manager", *argv], capture_output=True,
                          text=True, timeout=timeout, check=False)


def fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


@dataclass(frozen=True)
class Special:
    """A pipe where an input file belongs: which, what its line names, which commands."""

    where: Callable[[Path], Path]
    name: str
    commands: tuple[str, ...]


SPECIAL: dict[str, Special] = {
    "product-is-a-pipe": Special(lambda root: root / "products" / "other.xml", "other.xml",
                                 ("validate", "check", "build")),
    "catalog-is-a-pipe": Special(lambda root: root / DE_PO, "besponsa.po",
                                 ("render", "stats", "update", "compile", "build")),
    "template-is-a-pipe": Special(lambda root: root / PAGE, "page.html.j2",
                                  ("render-html",)),
    "settings-are-a-pipe": Special(lambda root: root / "smpc.toml", "smpc.toml",
                                   ("validate", "stats", "build")),
    "profile-file-is-a-pipe": Special(lambda root: root / "at.toml", "smpc.toml",
                                      ("render",)),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind, case in SPECIAL.items()
                                            for name in case.commands])
def test_a_pipe_where_a_file_belongs(portfolio: Path, tmp_path: Path, kind: str,
                                     name: str) -> None:
    case = SPECIAL[kind]
    if kind == "profile-file-is-a-pipe":
        own_profile(portfolio, "at.toml")
    fifo(case.where(portfolio))
    done = smpc(*command(name, portfolio, tmp_path / "out"))
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    assert "internal error" not in out
    lines = [line for line in out.splitlines() if case.name in line and
             ("not a regular file" in line or "not a profile file" in line)]
    assert len(lines) == 1, out


def test_an_endless_file_is_read_no_further_than_the_limit() -> None:
    """A /proc file says it holds 0 bytes: its size is not trusted, its reading is capped."""
    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size:
        pytest.skip("no /proc file that understates its size here")
    with pytest.raises(TooLargeError) as caught:
        read_bytes(status, limit=16)
    assert caught.value.size is None
    assert len(read_bytes(status)) > 16


def test_a_device_is_refused_unopened(tmp_path: Path) -> None:
    with pytest.raises(NotAFileError):
        read_bytes("/dev/zero")
    with pytest.raises(IsADirectoryError):
        read_bytes(tmp_path)


@pytest.mark.parametrize(("name", "size", "command_name", "words"), [
    (str(DE_PO), 17 * 1024 * 1024, "stats", "over the limit of 16,777,216 bytes for a catalog"),
    (str(PAGE), 2 * 1024 * 1024, "render-html", "over the limit of 1,048,576 bytes"),
])
def test_an_oversized_input_is_refused_unread(runner: CliRunner, portfolio: Path,
                                              tmp_path: Path, name: str, size: int,
                                              command_name: str, words: str) -> None:
    path = portfolio / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:  # sparse: nothing is written but the size
        handle.truncate(size)
    result = runner.invoke(main, command(command_name, portfolio, tmp_path / "out"))
    refused(result, path.name, words)


# ------------------------------------------------------------------------ locale folders


@pytest.mark.parametrize("folder", ["tlh", "old-2019", "de-AT", "xx_YY"])
@pytest.mark.parametrize("name", ["stats", "update", "compile"])
def test_a_locale_folder_that_is_no_locale_is_skipped(runner: CliRunner, portfolio: Path,
                                                      folder: str, name: str) -> None:
    catalogs = portfolio / "locales" / folder / "LC_MESSAGES"
    catalogs.mkdir(parents=True)
    shutil.copy(portfolio / DE_PO, catalogs)
    result = runner.invoke(main, command(name, portfolio, portfolio / "out"))
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert not (catalogs / "besponsa.mo").exists()
    listing = load_portfolio(portfolio).locale_folders()
    assert listing.locales == ["de"]
    [note] = listing.notes
    assert note.location.path.endswith(folder)
    assert f"skipped: '{folder}' is not a locale" in str(note)


def test_a_locale_folder_linked_to_nothing_is_an_error(portfolio: Path, tmp_path: Path
                                                       ) -> None:
    (portfolio / "locales" / "fr").symlink_to(tmp_path / "gone")
    with pytest.raises(ProblemsError, match=f"fr: is a symbolic link to .*, {NOWHERE}"):
        load_portfolio(portfolio).locale_folders()


# ------------------------------------------------------------------------ markets


def test_a_market_without_a_profile_is_named_on_its_line(portfolio: Path) -> None:
    market_without_a_profile(portfolio, portfolio)
    with pytest.raises(ProblemsError) as caught:
        load_portfolio(portfolio)
    [line] = caught.value.lines()
    assert line.endswith("smpc.toml:7: markets: no profile for market 'XX' (known: AT, DE,"
                         " GB, IE; a market of the portfolio's own needs a profile under"
                         " [profiles])")
    config = portfolio / "smpc.toml"
    own = (PROFILE_DIR / "at.toml").read_text().replace('market = "AT"', 'market = "XX"')
    (portfolio / "xx.toml").write_text(own)
    config.write_text(config.read_text() + '\n[profiles]\nXX = "xx.toml"\n')
    assert load_portfolio(portfolio).markets == ("AT", "XX")


# ------------------------------------------------------------------------ names and echoes


def product_with_name(portfolio: Path, name: bytes) -> None:
    """The example product copied under a file name given as bytes."""
    data = (portfolio / PRODUCT).read_bytes()
    with open(os.path.join(os.fsencode(portfolio / "products"), name), "wb") as handle:
        handle.write(data)


@pytest.mark.parametrize("name", [b"caf\xe9.xml", b"new\nline.xml", b"esc\x1b[2J\x9b.xml"])
def test_a_file_name_is_shown_escaped(portfolio: Path, name: bytes) -> None:
    """Undecodable bytes, a newline or an escape sequence in a file name: every line stays
    one line, no terminal escape gets through, and the JSON report is valid UTF-8 JSON."""
    try:
        product_with_name(portfolio, name)
    except OSError:
        pytest.skip("the file system refuses such a name")
    done = subprocess.run([sys.executable, "-m", "smpc_manager", "validate", str(portfolio)],
                          capture_output=True, timeout=60, check=False)
    text = (done.stdout + done.stderr).decode("utf-8")  # strict: no lone surrogate written
    assert done.returncode == 1, text
    assert "internal error" not in text
    assert "\x1b" not in text
    assert "\x9b" not in text
    [line] = [ln for ln in text.splitlines() if "does not match the file name" in ln]
    assert line.startswith(str(portfolio / "products"))
    for command_line in (["validate", "--format", "json"],
                         ["check", "--as-of", AS_OF, "--format", "json"]):
        done = subprocess.run([sys.executable, "-m", "smpc_manager", *command_line,
                               str(portfolio)], capture_output=True, timeout=60, check=False)
        report = json.loads(done.stdout.decode("utf-8"))
        assert report["items"], report
        json.dumps(report).encode("utf-8")


def test_problems_show_names_and_quotes_escaped() -> None:
    problem = Problem(SourceLocation("products/caf\udce9\n.xml", 3, 1),
                      "found '\x1b[31mred\x1b[0m' \u202e here")
    assert str(problem) == r"products/caf\udce9\n.xml:3:1: found '\x1b[31mred\x1b[0m'" \
                           r" \u202e here"
    data = problem.as_dict()
    assert data["path"] == "products/caf\\udce9\n.xml"
    json.dumps(data, ensure_ascii=False).encode("utf-8")


def catalog_line(po: str, line: str) -> str:
    """The catalog with ``line`` in place of the msgstr of the indications."""
    start = po.index('msgstr "', po.index('msgctxt "indications"'))
    end = po.index("\n", start)
    return po[:start] + line + po[end:]


@pytest.mark.parametrize("line", [
    "msgstr " + "\x1b[2J\x1b]0;pwned\x07" + "A" * 5000,
    "frobnicate" + "\x9b31m" + "B" * 5000 + ' "x"',
    'msgstr "\\' + "\x1b" + '"',
])
@pytest.mark.parametrize("name", ["render", "stats", "update"])
def test_a_catalog_line_is_quoted_short_and_escaped(runner: CliRunner, portfolio: Path,
                                                    tmp_path: Path, line: str,
                                                    name: str) -> None:
    catalog = portfolio / DE_PO
    catalog.write_text(catalog_line(catalog.read_text(encoding="utf-8"), line),
                       encoding="utf-8")
    result = runner.invoke(main, command(name, portfolio, tmp_path / "out"))
    assert result.exit_code == 1, result.output
    [problem] = [ln for ln in result.output.splitlines() if "besponsa.po:" in ln]
    assert "syntax error" in problem
    assert len(problem) < len(str(catalog)) + 160
    assert not any(c in problem for c in "\x1b\x07\x9b")


def test_expand_names_every_refused_entry_at_once(portfolio: Path, secret: Path) -> None:
    (portfolio / "products" / "a.xml").symlink_to(secret.parent / "gone.xml")
    (portfolio / "products" / "b.xml").symlink_to(secret)
    with pytest.raises(ProblemsError) as caught:
        expand([portfolio])
    assert [Path(p.location.path).name for p in caught.value.problems] == ["a.xml", "b.xml"]
    with pytest.raises(RefusedInput, match=OUTSIDE):
        load_portfolio(portfolio).boundary().file(str(portfolio / "products" / "b.xml"))


@pytest.mark.parametrize("argv", [
    ["stats", str(EXAMPLE)],
    ["render", str(EXAMPLE / "products" / "besponsa.xml"), "--market", "AT",
     "--as-of", "2026-12-06"],
    ["check", str(EXAMPLE), "--as-of", "2026-12-06", "--format", "json"],
])
def test_a_closed_standard_output_is_one_line_and_exit_1(argv: list[str]) -> None:
    """`smpc stats | head -1`: the reader goes away before smpc writes."""
    read, write = os.pipe()
    os.close(read)  # nobody will read: the first write fails
    try:
        done = subprocess.run([sys.executable, "-m", "smpc_manager", *argv], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "smpc: standard output was closed before everything was written (its reader"
        " stopped reading)"]
