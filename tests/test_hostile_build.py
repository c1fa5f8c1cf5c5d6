"""A build meets a hostile or unlucky disk: its records, links and special files in the output
folder, a second build at once, a full or read-only disk, the calendar's first and last days.

Each test builds one case and is named for its defect; ``docs/safety.md`` lists them. The
last test drives random sequences of builds, interruptions, edits and damage (Hypothesis).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from smpc_manager.builder import MANIFEST_FILE, BuildOptions, BuildResult, Manifest, build
from smpc_manager.builder.lock import LOCK_FILE, lock_folder
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError, Severity, UsageError
from smpc_manager.model import PartialDate
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import validate_file
from smpc_manager.rules.dates import age_limit
from tests.conftest import REPO
from tests.test_build import AS_OF, expected_keys, files_under, make_portfolio, options, run

IDS = ("alpha", "bravo", "charlie")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_portfolio(tmp_path / "portfolio")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def outputs_of(folder: Path) -> dict[str, bytes]:
    """The files under ``folder`` (the manifest and links aside), by their paths under it,
    with their bytes."""
    return {k: v for k, v in files_under(folder).items()
            if k != MANIFEST_FILE and not (folder / k).is_symlink()}


def clean_build(portfolio: Path, tmp_path: Path, **changes: object) -> dict[str, bytes]:
    """What a build from nothing makes of the portfolio as it is now."""
    fresh = tmp_path / f"fresh-{time.perf_counter_ns()}"
    run(portfolio, fresh, **changes)
    return outputs_of(fresh)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warnings_of(result: BuildResult) -> list[str]:
    return [str(p) for p in result.problems if p.severity is Severity.WARNING]


def errors_of(result: BuildResult) -> list[str]:
    return [str(p) for p in result.problems if p.severity is Severity.ERROR]


def vouched_true(out: Path) -> None:
    """Every output the manifest vouches for is on disk with the bytes it records."""
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert manifest.notes == ()
    for key, record in manifest.outputs.items():
        assert sha((out / key).read_bytes()) == record.sha256, key


def edit_manifest(out: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = out / MANIFEST_FILE
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


# ------------------------------------------------------------------------ records


#: Keys a manifest's entry may have that name no output of a build.
FOREIGN_KEYS = {
    "parent folder": lambda victim: "../victim.txt",
    "absolute path": str,
    "climbs out midway": lambda victim: "AT/de_AT/../../../victim.txt",
    "backslashes": lambda victim: "AT\\..\\..\\victim.txt",
    "a NUL": lambda victim: "AT/de_AT/ghost.txt\x00../../victim.txt",
    "a file the build does not write": lambda victim: "AT/de_AT/notes.md",
    "the manifest itself": lambda victim: MANIFEST_FILE,
}


@pytest.mark.parametrize("kind", FOREIGN_KEYS)
def test_manifest_entry_naming_no_output_is_ignored_never_deleted(
        small: Path, out: Path, tmp_path: Path, kind: str) -> None:
    assert run(small, out).ok
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"not the build's\n")
    (out / "AT" / "de_AT" / "notes.md").write_bytes(b"the user's notes\n")
    key = FOREIGN_KEYS[kind](victim)
    record = {"product": "ghost", "market": "AT", "locale": "de_AT", "format": "text",
              "inputs": {}, "sha256": "0" * 64, "size": 1}
    edit_manifest(out, lambda data: data["outputs"].__setitem__(key, record))
    before = files_under(out)

    result = run(small, out)

    assert result.ok  # notes only: exit 0
    assert (result.built, result.unchanged, result.removed) == (0, 9, 0)
    assert victim.read_bytes() == b"not the build's\n"
    assert (out / "AT" / "de_AT" / "notes.md").read_bytes() == b"the user's notes\n"
    assert outputs_of(out) == {k: v for k, v in before.items() if k != MANIFEST_FILE}
    [note] = warnings_of(result)
    assert note.startswith(f"{out / MANIFEST_FILE}: warning: entry ")
    assert "is not the path of an output" in note
    assert "nothing is read or removed" in note
    assert "\x00" not in note
    assert key not in Manifest.read(out / MANIFEST_FILE).outputs  # the manifest is cleaned
    assert warnings_of(run(small, out)) == []


def test_manifest_record_of_another_output_means_a_full_build(small: Path, out: Path) -> None:
    assert run(small, out).ok

    def swap(data: dict[str, Any]) -> None:
        data["outputs"]["AT/de_AT/alpha.txt"]["product"] = "bravo"

    edit_manifest(out, swap)
    result = run(small, out)
    assert result.ok
    assert (result.built, result.unchanged) == (9, 0)
    [note] = warnings_of(result)
    assert "is damaged (output \"AT/de_AT/alpha.txt\" has the record of another output)" in note
    assert "every output is built anew" in note
    vouched_true(out)


def _cut_in_half(text: bytes) -> bytes:
    return text[: len(text) // 2]


def _random_bytes(text: bytes) -> bytes:
    return os.urandom(len(text))


def _replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def change(text: bytes) -> bytes:
        assert old in text
        return text.replace(old, new, 1)
    return change


#: Damage done to a manifest's bytes, each meaning a full build with a note.
DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "random bytes": _random_bytes,
    "cut in half": _cut_in_half,
    "empty": lambda text: b"",
    "a size that is no number": _replace(b'"size": ', b'"size": "many", "x": '),
    "an endless number": _replace(b'"mtime-ns": ', b'"mtime-ns": 1e999, "x": '),
    "markets as one string": _replace(b'"markets": ["AT", "DE", "IE"]', b'"markets": "AT"'),
    "a market that is no code": _replace(b'"markets": ["AT", "DE", "IE"]',
                                         b'"markets": ["../AT", "DE", "IE"]'),
    "a product's record without a market it has outputs in": _replace(
        b'"markets": ["AT", "DE", "IE"]', b'"markets": ["AT", "IE"]'),
    "nested a million deep": lambda text: b"[" * 1_000_000 + b"]" * 1_000_000,
    "a list, not an object": lambda text: b"[]",
    "a manifest of another version": _replace(b'"manifest-version": 2',
                                              b'"manifest-version": 1'),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_manifest_means_a_full_build_with_a_note(small: Path, out: Path,
                                                         damage: str) -> None:
    assert run(small, out).ok
    path = out / MANIFEST_FILE
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    result = run(small, out)
    assert result.ok, result.problems
    assert (result.built, result.unchanged) == (9, 0)
    [note] = warnings_of(result)
    assert note.startswith(f"{path}: warning: ")
    assert note.endswith("; every output is built anew")
    vouched_true(out)
    assert run(small, out).built == 0


def test_manifest_that_is_a_link_is_neither_read_nor_followed(small: Path, out: Path,
                                                            tmp_path: Path) -> None:
    assert run(small, out).ok
    elsewhere = tmp_path / "elsewhere.json"
    (out / MANIFEST_FILE).rename(elsewhere)
    kept = elsewhere.read_bytes()
    (out / MANIFEST_FILE).symlink_to(elsewhere)
    result = run(small, out)
    assert result.ok
    assert result.built == 9  # not believed
    assert "is a symbolic link; every output is built anew" in warnings_of(result)[0]
    assert elsewhere.read_bytes() == kept  # the link was replaced, not what it leads to
    assert not (out / MANIFEST_FILE).is_symlink()


def test_manifest_that_is_a_pipe_does_not_hang_the_build(small: Path, out: Path) -> None:
    out.mkdir()
    os.mkfifo(out / MANIFEST_FILE)
    started = time.perf_counter()
    result = run(small, out)
    assert time.perf_counter() - started < 30
    assert result.built == 9
    assert any("is not a regular file" in line for line in warnings_of(result))
    # The pipe is not replaced: the manifest cannot be written, which is an error.
    assert errors_of(result) == [f"{out / MANIFEST_FILE}: cannot write: a named pipe (FIFO)"
                                 " of that name is in the way"]
    assert (out / MANIFEST_FILE).is_fifo()


#: Ways a manifest may list fewer outputs than the folder holds.
FEWER = {
    "an entry removed": lambda data: data["outputs"].pop("DE/de_DE/bravo.txt"),
    "a product removed": lambda data: data["products"].pop("bravo"),
    "no outputs at all": lambda data: data["outputs"].clear(),
    "nothing but the version": lambda data: [data.pop(k) for k in list(data)
                                             if k != "manifest-version"],
}


@pytest.mark.parametrize("kind", FEWER)
def test_fewer_outputs_recorded_never_keep_a_deleted_output_away(
        small: Path, out: Path, tmp_path: Path, kind: str) -> None:
    assert run(small, out).ok
    edit_manifest(out, FEWER[kind])
    (out / "DE" / "de_DE" / "bravo.txt").unlink()
    (out / "AT" / "de_AT" / "bravo.txt").write_bytes(b"altered\n")
    run(small, out)
    assert outputs_of(out) == clean_build(small, tmp_path)
    vouched_true(out)


def test_output_no_manifest_records_is_reported_never_removed(small: Path, out: Path) -> None:
    """The manifest is lost, and bravo no longer serves DE: its old DE output is not this
    build's to know, so it is named, and left."""
    assert run(small, out).ok
    (out / MANIFEST_FILE).unlink()
    path = small / "products" / "bravo.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '  <prescription-status market="DE">Rx</prescription-status>\n', ""), encoding="utf-8")
    result = run(small, out)
    assert result.ok
    stale = out / "DE" / "de_DE" / "bravo.txt"
    assert warnings_of(result) == [f"{stale}: warning: not made by this build, nor in its"
                                   " manifest; left as it is (remove it if it is no longer"
                                   " wanted)"]
    assert stale.is_file()


# ------------------------------------------------------------------------ interruptions


def _script(portfolio: Path, out: Path, then: str) -> str:
    """A Python program that builds ``portfolio`` into ``out`` one product at a time and,
    at each product's result, runs ``then`` (with ``count``, the results so far)."""
    return textwrap.dedent(f"""
        import datetime, os, signal, sys, threading, time
        from pathlib import Path
        from smpc_manager.builder import BuildOptions, build
        from smpc_manager.portfolio import load_portfolio

        results = []

        def progress(n):
            results.append(n)
            count = len(results) - 1  # the first call counts the unchanged outputs
            print("result", count, flush=True)
            {then}

        build(load_portfolio(Path({str(portfolio)!r})),
              BuildOptions(Path({str(out)!r}), datetime.date.fromisoformat({str(AS_OF)!r}),
                           jobs=1),
              progress)
    """)


def _edit_every_catalog(portfolio: Path) -> None:
    for catalog in sorted((portfolio / "locales").glob("*/LC_MESSAGES/*.po")):
        text = catalog.read_text(encoding="utf-8")
        start = text.index('msgstr "', text.index('msgctxt "indications"')) + len('msgstr "')
        catalog.write_text(text[:start] + "Neu: " + text[start:], encoding="utf-8")


@pytest.mark.parametrize("delay", [None, 0.0, 0.01, 0.03, 0.06])
def test_build_killed_midway_leaves_a_manifest_true_of_the_disk(
        small: Path, out: Path, tmp_path: Path, delay: float | None) -> None:
    """Killed as the first product's result comes in (``None``), or a moment later, while
    the next product is rendered and written."""
    assert run(small, out).ok
    _edit_every_catalog(small)  # every product is built again, each replacing outputs
    kill = "os.kill(os.getpid(), signal.SIGKILL)"
    program = _script(small, out, f"""
            if count == 1:
                {kill if delay is None else f"threading.Timer({delay}, lambda: {kill}).start()"}""")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False)
    if done.returncode == 0:
        pytest.skip("the build finished before the kill")  # a very fast machine
    assert done.returncode == -signal.SIGKILL, done.stderr
    vouched_true(out)
    result = run(small, out)
    assert result.ok
    assert outputs_of(out) == clean_build(small, tmp_path)


def test_sigterm_ends_a_build_as_ctrl_c_does(small: Path, out: Path) -> None:
    program = _script(small, out, """
            if count == 1:
                os.kill(os.getpid(), signal.SIGTERM)""")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False)
    assert done.returncode != 0
    assert "KeyboardInterrupt" in done.stderr
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert {record.product for record in manifest.outputs.values()} == {"alpha"}
    vouched_true(out)
    assert not (out / ".smpc-tmp").exists()
    assert (run(small, out).built, run(small, out).built) == (6, 0)


def test_interrupted_build_of_a_product_that_left_a_market_leaves_no_stale_output(
        small: Path, out: Path, tmp_path: Path) -> None:
    """The interruption comes before the product's result: its DE output is pending, and
    the next build, not this one, finds it is no longer made and removes it."""
    assert run(small, out).ok
    path = small / "products" / "bravo.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '  <prescription-status market="DE">Rx</prescription-status>\n', ""), encoding="utf-8")

    def stop(count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(load_portfolio(small), options(out), stop)
    assert "DE/de_DE/bravo.txt" in Manifest.read(out / MANIFEST_FILE).pending
    vouched_true(out)
    assert run(small, out).ok
    assert outputs_of(out) == clean_build(small, tmp_path)
    assert not Manifest.read(out / MANIFEST_FILE).pending


# ------------------------------------------------------------------------ links, special files


@pytest.mark.parametrize("level", ["market", "locale"])
def test_output_folder_that_is_a_link_is_never_written_through(
        small: Path, out: Path, tmp_path: Path, level: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_bytes(b"kept\n")
    link = out / "AT" if level == "market" else out / "AT" / "de_AT"
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere)

    result = run(small, out)

    assert not result.ok
    assert result.failed == 3
    assert sorted(errors_of(result)) == [
        f"{out / 'AT' / 'de_AT' / i}.txt: cannot write: {link} is a symbolic link; a build"
        " writes, reads and removes nothing through a link (make it a folder)" for i in IDS]
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["keep.txt"]
    assert set(outputs_of(out)) == expected_keys(markets=("DE", "IE"))


def test_folder_made_a_link_between_two_builds_in_one_process_is_not_written_through(
        small: Path, out: Path, tmp_path: Path) -> None:
    """A program that builds twice with the same settings: what the first build learnt of
    the output folder is not believed by the second."""
    portfolio, chosen = load_portfolio(small), options(out)
    assert build(portfolio, chosen).ok
    elsewhere = tmp_path / "elsewhere"
    (out / "AT").rename(elsewhere)
    (out / "AT").symlink_to(elsewhere)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    _edit_every_catalog(small)
    result = build(portfolio, chosen)
    assert result.failed == 3
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before


def test_output_folder_named_through_a_link_is_the_folder_it_leads_to(
        small: Path, tmp_path: Path) -> None:
    """The folder the user names is taken as the system resolves it, links and all."""
    real = tmp_path / "real"
    real.mkdir()
    named = tmp_path / "named"
    named.symlink_to(real)
    assert run(small, named).ok
    assert set(outputs_of(real)) == expected_keys()
    assert run(small, named).built == 0


#: What may stand where an output goes, each made by a function given its path and a
#: folder outside the output folder.
IN_THE_WAY: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "a named pipe": (lambda path, outside: os.mkfifo(path), "a named pipe (FIFO)"),
    "a link to a file outside": (
        lambda path, outside: path.symlink_to(outside / "secret.txt"), "a symbolic link"),
    "a link to a device": (lambda path, outside: path.symlink_to("/dev/null"),
                           "a symbolic link"),
    "a folder": (lambda path, outside: path.mkdir(), "a folder"),
}


@pytest.mark.parametrize("kind", IN_THE_WAY)
def test_special_file_where_an_output_goes_is_refused_not_replaced(
        small: Path, out: Path, tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret\n")
    assert run(small, out).ok
    path = out / "IE" / "en_IE" / "alpha.txt"
    path.unlink()
    make, what = IN_THE_WAY[kind]
    make(path, outside)
    started = time.perf_counter()

    result = run(small, out)

    assert time.perf_counter() - started < 30  # a pipe is never opened to wait on it
    assert result.failed == 1
    assert errors_of(result) == [f"{path}: cannot write: {what} of that name is in the way"]
    assert not stat.S_ISREG(os.lstat(path).st_mode)  # left as it stood
    assert (outside / "secret.txt").read_bytes() == b"secret\n"
    assert set(outputs_of(out)) - {"IE/en_IE/alpha.txt"} == expected_keys() - {
        "IE/en_IE/alpha.txt"}


def test_dangling_product_link_is_an_error_and_its_outputs_are_kept(
        small: Path, out: Path, tmp_path: Path) -> None:
    """An unmounted share: the product is not gone, only unreachable."""
    assert run(small, out).ok
    before = outputs_of(out)
    product = small / "products" / "alpha.xml"
    share = tmp_path / "share"
    share.mkdir()
    product.rename(share / "alpha.xml")
    product.symlink_to(tmp_path / "unmounted" / "alpha.xml")

    result = run(small, out)

    assert not result.ok
    assert (result.built, result.failed, result.removed) == (0, 1, 0)
    assert any(line.startswith(f"{product}:") for line in errors_of(result))
    assert outputs_of(out) == before
    assert {k for k, r in Manifest.read(out / MANIFEST_FILE).outputs.items()
            if r.product == "alpha"} == expected_keys(("alpha",))


@pytest.mark.parametrize("kind", ["a link to nothing", "a file"])
def test_products_folder_that_cannot_be_listed_removes_nothing(
        small: Path, out: Path, tmp_path: Path, kind: str) -> None:
    assert run(small, out).ok
    before = files_under(out)
    folder = small / "products"
    shutil.rmtree(folder)
    if kind == "a file":
        folder.write_text("not a folder\n")
    else:
        folder.symlink_to(tmp_path / "unmounted")
    with pytest.raises(ProblemsError) as caught:
        run(small, out)
    [line] = caught.value.lines()
    assert line.startswith(f"{folder}: ")
    assert line.endswith("; nothing was built or removed")
    assert files_under(out) == before


def test_pipe_named_as_a_product_is_reported_by_build_as_by_validate(
        small: Path, out: Path) -> None:
    pipe = small / "products" / "piped.xml"
    os.mkfifo(pipe)
    result = run(small, out)
    assert not result.ok
    assert result.built == 9
    assert errors_of(result) == [str(p) for p in validate_file(pipe)]


# ------------------------------------------------------------------------ concurrent builds


def test_second_build_waits_for_the_first_and_says_so_once(small: Path, out: Path) -> None:
    out.mkdir()
    held = lock_folder(out)
    said: list[str] = []
    results: list[BuildResult] = []
    second = threading.Thread(target=lambda: results.append(
        build(load_portfolio(small), options(out), waiting=said.append)))
    second.start()
    time.sleep(0.5)
    assert results == []  # waiting
    assert said == [f"{out}: another build (process {os.getpid()}) is writing into this"
                    " folder; waiting for it to finish"]
    held.release()
    second.join(timeout=60)
    assert [r.built for r in results] == [9]
    assert said == said[:1]
    assert not (out / LOCK_FILE).exists()


def test_second_build_without_waiting_fails_at_once(small: Path, out: Path) -> None:
    out.mkdir()
    held = lock_folder(out)
    try:
        with pytest.raises(ProblemsError) as caught:
            run(small, out, wait=False)
    finally:
        held.release()
    assert caught.value.lines() == [
        f"{out}: another build (process {os.getpid()}) is writing into this folder; run"
        " again when it has finished, or without --no-wait to wait for it"]
    assert not (out / MANIFEST_FILE).exists()


def test_lock_file_that_is_a_link_is_refused(small: Path, out: Path, tmp_path: Path) -> None:
    out.mkdir()
    target = tmp_path / "target"
    target.write_bytes(b"untouched\n")
    (out / LOCK_FILE).symlink_to(target)
    with pytest.raises(ProblemsError, match="is a symbolic link"):
        run(small, out)
    assert target.read_bytes() == b"untouched\n"


def test_two_builds_into_one_folder_lose_nothing(small: Path, out: Path,
                                                  tmp_path: Path) -> None:
    command = [sys.executable, "-m", "smpc_manager", "build", str(small), "-o", str(out),
               "--as-of", str(AS_OF), "--jobs", "2", "--format", "text", "--format", "json"]
    builds = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(b.wait(timeout=120), b.stderr.read() if b.stderr else "") for b in builds]
    for b in builds:
        for stream in (b.stdout, b.stderr):
            if stream is not None:
                stream.close()
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert outputs_of(out) == clean_build(small, tmp_path, formats=("text", "json"))
    vouched_true(out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_temporary_folder_of_a_running_process_is_kept(small: Path, out: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = out / ".smpc-tmp" / str(sleeper.pid)
        alive.mkdir(parents=True)
        (alive / ".x.tmp").write_bytes(b"another build's\n")
        dead = out / ".smpc-tmp" / "999999999"
        dead.mkdir()
        assert run(small, out).ok
        assert (alive / ".x.tmp").read_bytes() == b"another build's\n"
        assert not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# ------------------------------------------------------------------------ the world's failures


def _no_space(fd: int, data: Any) -> int:
    """``os.write`` on a full disk."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_fails_each_output_with_one_line_and_leaves_nothing_half_written(
        small: Path, out: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run(small, out).ok
    _edit_every_catalog(small)
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", _no_space)
        result = run(small, out)
    assert not result.ok
    assert result.failed == 6  # the German and the Austrian outputs; IE has no catalog
    lines = errors_of(result)
    assert len(lines) == 7  # each output, then the manifest
    assert all(line.endswith(": cannot write: No space left on device") for line in lines)
    assert lines[-1].startswith(f"{out / MANIFEST_FILE}:")
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
    vouched_true(out)
    assert run(small, out).ok
    assert outputs_of(out) == clean_build(small, tmp_path)


def test_full_disk_on_a_first_build_leaves_no_file(small: Path, out: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", _no_space)
    result = run(small, out)
    assert (result.built, result.failed) == (0, 9)
    assert errors_of(result)[-1] == f"{out / MANIFEST_FILE}: cannot write: No space left on" \
                                    " device"
    assert [p for p in out.rglob("*") if p.is_file()] == []


@contextlib.contextmanager
def _read_only_folder(out: Path) -> Iterator[None]:
    """The output folder as on a file system mounted read-only: whatever would change it
    fails with EROFS (no real mount is made: the tests run as any user)."""
    inside = str(out)

    def refusing(real: Callable[..., Any], changes: Callable[..., bool]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if os.fspath(args[0]).startswith(inside) and changes(*args, **kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(args[0]))
            return real(*args, **kwargs)
        return call

    def always(*args: Any, **kwargs: Any) -> bool:
        return True

    def creating(path: Any, flags: int, *args: Any, **kwargs: Any) -> bool:
        return bool(flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR))

    with pytest.MonkeyPatch.context() as patch:
        for name in ("mkdir", "unlink", "rmdir", "replace", "rename"):
            patch.setattr(os, name, refusing(getattr(os, name), always))
        patch.setattr(os, "open", refusing(os.open, creating))
        yield


def test_read_only_output_folder_fails_with_one_line(small: Path, out: Path) -> None:
    assert run(small, out).ok
    before = files_under(out)
    _edit_every_catalog(small)
    with pytest.raises(ProblemsError) as caught, _read_only_folder(out):
        run(small, out)
    [line] = caught.value.lines()
    assert line == (f"{out / MANIFEST_FILE}: cannot write here: Read-only file system;"
                    " nothing was built")
    assert files_under(out) == before


def test_first_build_in_a_read_only_folder_fails_each_output_with_one_line(
        small: Path, out: Path) -> None:
    out.mkdir()
    with _read_only_folder(out):
        result = run(small, out)
    assert (result.built, result.failed) == (0, 9)
    lines = errors_of(result)
    assert len(lines) == 10  # each output, and the manifest
    assert all(line.endswith(": cannot write here: Read-only file system") for line in lines)
    assert list(out.iterdir()) == []


def test_unchanged_build_in_a_read_only_folder_succeeds(small: Path, out: Path) -> None:
    assert run(small, out).ok
    with _read_only_folder(out):
        result = run(small, out)
    assert result.ok
    assert result.unchanged == 9


def test_folder_where_an_output_goes_fails_that_output(small: Path, out: Path) -> None:
    (out / "IE" / "en_IE" / "bravo.txt").mkdir(parents=True)
    result = run(small, out)
    assert errors_of(result) == [f"{out / 'IE' / 'en_IE' / 'bravo.txt'}: cannot write: a"
                                 " folder of that name is in the way"]
    assert (result.built, result.failed) == (8, 1)
    assert (out / "IE" / "en_IE" / "bravo.txt").is_dir()


@pytest.mark.parametrize("jobs", [0, 100_000])
def test_jobs_out_of_range_is_a_usage_error(out: Path, jobs: int) -> None:
    with pytest.raises(UsageError, match=rf"^--jobs {jobs}: a build runs from 1 to \d+ worker"):
        BuildOptions(out, AS_OF, jobs=jobs)


# ------------------------------------------------------------------------ the calendar's ends


def test_first_and_last_days_of_the_calendar_do_not_crash_the_build(
        small: Path, out: Path) -> None:
    for product_id in IDS:
        path = small / "products" / f"{product_id}.xml"
        xml = path.read_text(encoding="utf-8")
        xml = xml.replace("<review-by>2027-12-31</review-by>", "<review-by>9999-12-31</review-by>")
        xml = xml.replace("<first-authorisation>2017-06-29</first-authorisation>",
                          "<first-authorisation>0001-01-01</first-authorisation>\n"
                          "    <valid-until>9999-12-31</valid-until>")
        xml = xml.replace("</name>\n", '</name>\n  <additional-monitoring markets="EU"'
                          ' from="0001-01-01" until="9999-12-31"/>\n', 1)
        path.write_text(xml, encoding="utf-8")
    for day in (dt.date(9999, 12, 31), dt.date(9999, 12, 30), AS_OF):
        result = run(small, out, as_of=day)
        assert result.ok, result.problems
    early = run(small, out, as_of=dt.date.min)
    assert early.failed == 9  # not yet published on that day: refused, not a crash
    assert all("revision-date" in line for line in errors_of(early))


def test_an_age_past_the_last_year_is_never_too_old() -> None:
    assert age_limit(PartialDate(9999, 12), 1200) == dt.date.max


# ------------------------------------------------------------------------ on the command line


def test_busy_folder_under_no_wait_is_one_line_and_exit_1(small: Path, out: Path) -> None:
    out.mkdir()
    held = lock_folder(out)
    try:
        result = CliRunner().invoke(main, ["build", str(small), "-o", str(out), "--no-wait",
                                           "--as-of", str(AS_OF)])
    finally:
        held.release()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{out}: another build (process {os.getpid()}) is writing into this folder; run"
        " again when it has finished, or without --no-wait to wait for it"]


def test_jobs_beyond_the_cap_on_the_command_line_is_one_line_and_exit_2(
        small: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(small), "-o", str(out), "--jobs",
                                       "100000", "--as-of", str(AS_OF)])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("--jobs 100000: a build runs from 1 to ")
    assert not out.exists()

# ------------------------------------------------------------------------ random sequences


#: SMPC_FUZZ_SCALE=50 multiplies the examples for a longer run by hand.
SCALE = int(os.environ.get("SMPC_FUZZ_SCALE", "1"))


class BuildSequences(RuleBasedStateMachine):
    """Builds, interrupted builds, edits of the inputs, damage to the manifest and the
    outputs, in any order, against a portfolio of two products.

    After every step nothing outside the output folder has changed (a file beside it, and a
    file outside that a link inside it leads to), and the manifest vouches only for what is
    on disk; after every build that runs to its end, the outputs are what a build from
    nothing makes of the inputs as they are now.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="smpc-sequences-"))
        self.portfolio = make_portfolio(self.tmp / "portfolio", ("alpha", "bravo"))
        self.out = self.tmp / "out"
        self.out.mkdir()
        self.beside = self.tmp / "beside.txt"
        self.beside.write_bytes(b"beside the output folder\n")
        self.target = self.tmp / "outside" / "target.txt"
        self.target.parent.mkdir()
        self.target.write_bytes(b"outside, reached through a link\n")
        (self.out / "link").symlink_to(self.target)
        #: Whether the manifest or the outputs were damaged on purpose since the last build.
        self.damaged = False
        #: The files a build reported as not its own: left on disk, not what it made.
        self.strays: set[str] = set()

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -------------------------------------------------------------- builds

    @rule()
    def build(self) -> None:
        result = run(self.portfolio, self.out)
        assert not errors_of(result), result.problems
        self.damaged = False
        self.strays |= {line.partition(": warning: not made by this build")[0]
                        for line in warnings_of(result)}
        clean = _clean(self.portfolio)
        on_disk = outputs_of(self.out)
        assert {k: v for k, v in on_disk.items() if k in clean} == clean
        assert {str(self.out / k) for k in on_disk if k not in clean} <= self.strays

    @rule(at=st.integers(min_value=0, max_value=3))
    def interrupted_build(self, at: int) -> None:
        calls: list[int] = []

        def progress(count: int) -> None:
            calls.append(count)
            if len(calls) > at:
                raise KeyboardInterrupt

        with contextlib.suppress(KeyboardInterrupt):
            build(load_portfolio(self.portfolio), options(self.out), progress)
        self.damaged = False

    # -------------------------------------------------------------- the inputs

    @rule(product=st.sampled_from(["alpha", "bravo"]), text=st.sampled_from(["1", "one"]))
    def edit_product(self, product: str, text: str) -> None:
        path = self.portfolio / "products" / f"{product}.xml"
        xml = path.read_text(encoding="utf-8")
        for old in ("given over 1 hour", "given over one hour"):
            xml = xml.replace(old, f"given over {text} hour")
        path.write_text(xml, encoding="utf-8")

    @rule()
    def toggle_a_market(self) -> None:
        path = self.portfolio / "products" / "bravo.xml"
        xml = path.read_text(encoding="utf-8")
        line = '  <prescription-status market="DE">Rx</prescription-status>\n'
        xml = xml.replace(line, "") if line in xml else xml.replace(
            '  <prescription-status market="IE">', line + '  <prescription-status market="IE">')
        path.write_text(xml, encoding="utf-8")

    @rule(product=st.sampled_from(["alpha", "bravo"]), note=st.sampled_from(["A: ", "B: "]))
    def edit_catalog(self, product: str, note: str) -> None:
        path = self.portfolio / "locales" / "de" / "LC_MESSAGES" / f"{product}.po"
        text = path.read_text(encoding="utf-8")
        start = text.index('msgstr "', text.index('msgctxt "indications"')) + len('msgstr "')
        for old in ("A: ", "B: "):
            if text.startswith(old, start):
                text = text[:start] + text[start + len(old):]
        path.write_text(text[:start] + note + text[start:], encoding="utf-8")

    # -------------------------------------------------------------- damage

    @rule(data=st.binary(max_size=200))
    def garble_the_manifest(self, data: bytes) -> None:
        (self.out / MANIFEST_FILE).write_bytes(data)
        self.damaged = True

    @rule(key=st.sampled_from(["../beside.txt", "link", "AT/de_AT/../../../beside.txt"]),
          product=st.sampled_from(["alpha", "ghost"]))
    def point_an_entry_outside(self, key: str, product: str) -> None:
        record = {"product": product, "market": "AT", "locale": "de_AT", "format": "text",
                  "inputs": {}, "sha256": "0" * 64, "size": 1}
        key = {"link": str(self.target)}.get(key, key)
        self._edit(lambda data: data.setdefault("outputs", {}).__setitem__(key, record))

    @rule(table=st.sampled_from(["outputs", "products"]), index=st.integers(0, 5))
    def drop_an_entry(self, table: str, index: int) -> None:
        def drop(data: dict[str, Any]) -> None:
            keys = sorted(data.get(table, {}))
            if keys:
                del data[table][keys[index % len(keys)]]
        self._edit(drop)

    @rule(index=st.integers(0, 5), delete=st.booleans())
    def damage_an_output(self, index: int, delete: bool) -> None:
        found = sorted(outputs_of(self.out))
        if not found:
            return
        path = self.out / found[index % len(found)]
        if delete:
            path.unlink()
        else:
            path.write_bytes(path.read_bytes()[:-2] + b"X\n")
        self.damaged = True

    def _edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.out / MANIFEST_FILE
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            change(data)
            path.write_text(json.dumps(data), encoding="utf-8")
            self.damaged = True

    # -------------------------------------------------------------- after every step

    @invariant()
    def nothing_outside_is_touched(self) -> None:
        assert self.beside.read_bytes() == b"beside the output folder\n"
        assert self.target.read_bytes() == b"outside, reached through a link\n"
        assert (self.out / "link").is_symlink()
        assert sorted(p.name for p in self.tmp.iterdir()) == [
            "beside.txt", "out", "outside", "portfolio"]

    @invariant()
    def the_manifest_vouches_only_for_what_is_on_disk(self) -> None:
        if not self.damaged:
            vouched_true(self.out)


#: What a build from nothing makes of each state of the inputs (the states recur).
_CLEAN: dict[str, dict[str, bytes]] = {}


def _clean(portfolio: Path) -> dict[str, bytes]:
    state = sha(b"".join(p.as_posix().encode() + b"\0" + p.read_bytes()
                         for p in sorted(portfolio.rglob("*")) if p.is_file()))
    if state not in _CLEAN:
        fresh = Path(tempfile.mkdtemp(prefix="smpc-clean-"))
        try:
            run(portfolio, fresh / "out")
            _CLEAN[state] = outputs_of(fresh / "out")
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
    return _CLEAN[state]


BuildSequences.TestCase.settings = settings(
    max_examples=15 * SCALE, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_random_builds_interruptions_edits_and_damage = BuildSequences.TestCase

