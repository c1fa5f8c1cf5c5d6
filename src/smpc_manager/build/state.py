"""What a clean build leaves for the next one: the files it read, as they were, and what it wrote.

A build that ends without a failure writes ``OUT/.smpc-state.json``: the identity of every file
and folder the build may read (device, inode, size, modification and change times, taken
*before* anything was read), the sha256 of every output, the manifest's identity and the days
on which every product stays valid. The next build with the same settings first compares:
when no file or folder read has changed (a new product, catalog or profile changes its
folder), the day is within the products' days, and every output still has the bytes written,
there is nothing to do, and it says so without hashing a single input or reading the manifest.
Anything else, and a state that cannot be read, leaves the decision to the full plan, which
hashes every input (:func:`smpc_manager.build.plan_build`); ``smpc build --rehash`` always
does.

This is how ``git status`` trusts its index, with the same guard against a file changed
within the resolution of its time stamps ("racily clean"): a file or folder changed less than
:data:`RACY_SECONDS` before the build looked at it is not trusted, and no state is written
then. Outputs are never trusted by their times: their bytes are hashed every time.

The module imports nothing heavy: an unchanged rebuild runs on it alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from smpc_manager import __version__

STATE_FILE = ".smpc-state.json"
#: The manifest the state goes with (written by :mod:`smpc_manager.build.builder`).
MANIFEST_FILE = "manifest.json"
#: Raised when the file's structure changes; another version is ignored.
STATE_VERSION = 1
#: A file changed this recently when the build looked at it is not trusted: a change in
#: the same tick of the file system's clock would leave its times as they were (two
#: seconds: the coarsest common time stamps, FAT's).
RACY_SECONDS = 2
TOOL = f"smpc-manager {__version__}"

#: A file's or folder's identity as recorded: kind and permissions, size, modification and
#: change times (ns), inode, device; an absent one is recorded by its path alone.
Entry = list[object]


def snapshot(roots: Iterable[str], *, skip: Sequence[str] = ()) -> tuple[list[Entry], bool]:
    """The entries of every file and folder at and below ``roots`` (symlinks followed, each
    folder once), in a stable order, and whether any of them is too recent to be trusted.

    ``skip`` names folders not to look into (:func:`skipped`: their own entries are kept,
    their contents not)."""
    entries: list[Entry] = []
    recent = False
    for entry, racy in _walk(roots, skip):
        entries.append(entry)
        recent = recent or racy
    return entries, recent


def snapshot_encoded(roots: Iterable[str], *, skip: Sequence[str] = ()) -> bytes | None:
    """:func:`snapshot`'s entries as the state file holds them (comma-separated compact
    JSON), made an entry at a time: as lists of thousands of Python objects they took
    megabytes that a build never gave back, and that the processes it forks inherit.
    None when one is too recent to be trusted."""
    text = bytearray()
    for entry, racy in _walk(roots, skip):
        if racy:
            return None
        if text:
            text += b","
        text += _compact(entry).encode()
    return bytes(text)


def _walk(roots: Iterable[str], skip: Sequence[str]) -> Iterator[tuple[Entry, bool]]:
    """Each entry of :func:`snapshot`, and whether it is too recent to be trusted."""
    racy = time.time_ns() - RACY_SECONDS * 1_000_000_000
    skipped = {_identity(path) for path in skip}
    seen: set[tuple[int, int]] = set()
    pending = list(dict.fromkeys(roots))
    pending.reverse()
    while pending:
        path = pending.pop()
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            yield [path], False
            continue
        yield _entry(path, info), info.st_mtime_ns >= racy or info.st_ctime_ns >= racy
        if not stat.S_ISDIR(info.st_mode):
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in seen or identity in skipped:
            continue
        seen.add(identity)
        names = sorted(os.listdir(path), reverse=True)
        folder = path if path.endswith(os.sep) else path + os.sep
        pending.extend([folder + name for name in names])


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def identity(path: str) -> Entry | None:
    """The entry of one file (the manifest's), or None when it is not there."""
    try:
        return _entry(path, os.stat(path))
    except OSError:
        return None


def _entry(path: str, info: os.stat_result) -> Entry:
    return [path, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
            info.st_ino, info.st_dev]


def input_roots(root: Path, profiles: Mapping[str, object]) -> list[str]:
    """Where a build of the portfolio at ``root`` reads: its settings, products, catalogs,
    templates and profile files, and the tool's own catalogs, profiles and templates."""
    from smpc_manager.portfolio import CONFIG_FILE, LOCALES_DIR, PRODUCTS_DIR, TEMPLATES_DIR
    from smpc_manager.markets.profiles import PROFILE_DIR
    from smpc_manager.resources import resource_dir

    base = os.path.abspath(root)
    roots = [os.path.join(base, name)
             for name in (CONFIG_FILE, PRODUCTS_DIR, LOCALES_DIR, TEMPLATES_DIR)]
    roots += [os.path.join(base, value) for value in profiles.values() if isinstance(value, str)]
    roots += [str(resource_dir(name)) for name in ("locales", "templates")] + [str(PROFILE_DIR)]
    return roots


def skipped(out_dir: Path, root: Path) -> list[str]:
    """The folders a build's snapshot does not look into: the output folder, should it lie
    inside the portfolio, and the gettext templates (``locales/templates/*.pot``, one per
    product), which only ``smpc update`` reads. Their own entries are kept, not those of
    their files: a template rewritten by ``smpc extract`` changes no output."""
    from smpc_manager.portfolio import LOCALES_DIR, TEMPLATES_DIR

    return [str(out_dir), os.path.join(os.path.abspath(root), LOCALES_DIR, TEMPLATES_DIR)]


def summary(built: int, unchanged: int, failed: int, removed: int, seconds: float) -> str:
    """The line a build ends with: ``3000 built, 0 unchanged, 0 failed in 2.1 s``."""
    gone = f", {removed} removed" if removed else ""
    return f"{built} built, {unchanged} unchanged, {failed} failed{gone} in {seconds:.1f} s"


def settings_key(root: Path, formats: Sequence[str], markets: Sequence[str]) -> dict[str, object]:
    """What, besides files, decides a build's outputs: the tool, the portfolio, the choice of
    formats and markets."""
    return {"tool": TOOL, "portfolio": os.path.abspath(root), "formats": list(formats),
            "markets": list(markets)}


#: Compact JSON, as the state file holds it.
_COMPACT = json.JSONEncoder(separators=(",", ":")).encode
_QUOTE = json.encoder.encode_basestring_ascii


def _compact(entry: Sequence[object]) -> str:
    """``_COMPACT(entry)`` of a list of strings and integers (a file's entry, an output's
    path and hash), written out: a build encodes one for every input file while it plans,
    and one for every output at its end, and the encoder's general walk took three times
    as long."""
    return "[" + ",".join([_QUOTE(v) if isinstance(v, str) else str(v) for v in entry]) + "]"


def write_state(out_dir: Path, *, key: Mapping[str, object], files: bytes,
                outputs: Iterable[tuple[str, str]],
                valid: tuple[dt.date | None, dt.date | None], manifest: Entry) -> None:
    """Write the state of a clean build (atomically, as every file; a cache: a state that
    cannot be written is left out). ``outputs``: each output's path and sha256, in the
    order of the paths, made as they are written."""
    from smpc_manager.files import write_bytes
    from smpc_manager.errors import ProblemsError

    head = {
        "state-version": STATE_VERSION,
        **key,
        "valid-from": valid[0].isoformat() if valid[0] else None,
        "valid-until": valid[1].isoformat() if valid[1] else None,
        "manifest": manifest,
    }
    try:
        write_bytes(out_dir / STATE_FILE, _state_chunks(head, files, outputs),
                    fsync=False)
    except ProblemsError:
        forget(out_dir)


def _state_chunks(head: Mapping[str, object], files: bytes,
                  outputs: Iterable[tuple[str, str]]) -> Iterator[bytes]:
    """The state's compact JSON, an entry at a time (``files`` :func:`encoded` already):
    made whole, the text of thousands of entries took more memory than anything else the
    build's main process holds."""
    yield _COMPACT(head)[:-1].encode()
    yield b',"files":['
    yield files  # as it is: the largest piece, not copied
    yield b'],"outputs":['
    for number, entry in enumerate(outputs):
        yield (_compact(entry) if not number else "," + _compact(entry)).encode()
    yield b"]}"


def forget(out_dir: Path) -> None:
    """Remove the state: the build about to change the folder will write its own."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(out_dir / STATE_FILE)


def unchanged(out_dir: Path, key: Mapping[str, object], roots: Sequence[str],
              as_of: dt.date, skip: Sequence[str]) -> int | None:
    """The number of outputs when the last build's state shows that nothing changed since
    (see the module's documentation); None when the full plan must decide. ``skip``: the
    folders :func:`skipped` names, as the build that left the state skipped them."""
    try:
        with open(out_dir / STATE_FILE, "rb") as handle:
            data = json.loads(handle.read())
        if data.get("state-version") != STATE_VERSION or any(
                data.get(name) != value for name, value in key.items()):
            return None
        since, until = data["valid-from"], data["valid-until"]
        day = as_of.isoformat()
        if (since is not None and day < since) or (until is not None and day > until):
            return None
        if identity(os.path.join(out_dir, MANIFEST_FILE)) != data["manifest"]:
            return None
        files, recent = snapshot(roots, skip=skip)
        if recent or files != data["files"]:
            return None
        outputs = data["outputs"]
        folder = os.path.join(out_dir, "")
        for name, digest in outputs:
            if file_sha256(folder + name) != digest:
                return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return len(outputs)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes, read with plain system calls (a buffered file object costs
    three more calls per file, and a rebuild hashes thousands of small ones)."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()
