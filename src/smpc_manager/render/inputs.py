"""What an output is made from: how its inputs are named and hashed.

Every rendering records the sha256 of each file it used, keyed by a name that stays the same
from machine to machine: a path relative to the portfolio (``products/besponsa.xml``), or
``smpc_manager/...`` for what ships with the tool. :mod:`smpc_manager.render.renderer` names its
inputs with these functions, and :mod:`smpc_manager.build.builder` computes the same names from file
bytes alone to tell, without rendering, whether an output is up to date: both must agree, so
the rules live here once.

This module imports nothing heavy (no lxml, Babel or Jinja2): an unchanged rebuild plans with
it alone.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager import __version__
from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.resources import resource_dir

if TYPE_CHECKING:
    from smpc_manager.markets.profiles import MarketProfile

#: The output formats and the file extension of each.
EXTENSIONS = {"text": "txt", "html": "html", "json": "json"}
#: The template each format is laid out with (JSON is built directly).
TEMPLATES = {"text": "text.txt.j2", "html": "page.html.j2"}
#: The gettext domain of the tool's own labels and phrases.
DOMAIN = "smpc"
#: The name of the tool's version among the inputs, and its hash: a new version renders
#: everything anew.
TOOL_INPUT = "smpc-manager"
TOOL_HASH = hashlib.sha256(f"smpc-manager {__version__}".encode()).hexdigest()


@lru_cache(maxsize=256)
def relative_name(path: str, root: Path) -> str:
    """A path relative to the portfolio root where it lies inside it, with ``/``; else the
    path as it is.

    Remembered for the few files at hand (a product's file and catalogs are named once per
    market): a larger memory would hold every product's names until the build ends."""
    base = _resolved_name(root)
    # As text first: a build names two new files per product, and building, resolving and
    # comparing Path objects for each cost more than rendering a paragraph.
    full = _resolve_text(path)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if full.startswith(prefix):
        return full[len(prefix):].replace(os.sep, "/")
    try:
        return Path(full).relative_to(base).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _resolve_text(path: str) -> str:
    """``str(Path(path).resolve())``, the folder resolved once per process: a build makes
    thousands of paths in the same few folders relative to the portfolio."""
    path = _absolute(path)
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return str(Path(path).resolve())
    return os.path.join(_resolved_text(folder), name)


def resolved(folder: Path) -> Path:
    """A folder (a portfolio root, a catalog folder) resolved, once per process for each
    absolute path it stands for (a relative one is taken from the working folder of the
    moment, which may change)."""
    return Path(_resolved_name(folder))


def _resolved_name(folder: Path) -> str:
    """:func:`resolved` as text, which is what :func:`relative_name` compares."""
    return _resolved_text(_absolute(str(folder)))


def _absolute(path: str) -> str:
    """``path`` joined to the working folder as it is now: one system call, where resolving
    a relative path walks it a component at a time (users name their portfolio relative to
    where they stand, and a build names two new files per product)."""
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


@lru_cache(maxsize=256)
def _resolved_text(folder: str) -> str:
    """An absolute folder, resolved; the one memory behind :func:`resolved` and
    :func:`relative_name`."""
    return str(Path(folder).resolve())


def profile_name(profile: MarketProfile, root: Path) -> str:
    """A market profile's name among the inputs: shipped, or the portfolio's own."""
    path = profile.source.path
    return path if path.startswith("smpc_manager/") else relative_name(path, root)


def template_name(name: str) -> str:
    """A shipped template's name among the inputs."""
    return f"smpc_manager/templates/{name}"


def file_hash(path: Path) -> str:
    """The sha256 of a file, read again only when its inode, size or times change.

    A product's file and catalog are inputs of each of its outputs: one build hashed each
    of them once per market. Kept by the file's identity and times, for at most
    :data:`HASH_CACHE_SIZE` files. A file that cannot be read is a problem naming it.
    """
    try:
        info = os.stat(path)
        stamp = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        key = str(path)
        cached = _HASHES.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        digest = hashlib.sha256(read_bytes(path, size=info.st_size)).hexdigest()
    except OSError as err:  # removed or locked between loading and rendering
        raise ProblemsError([Problem(SourceLocation(str(path)),
                                     f"cannot be read: {err.strerror or err}")]) from None
    _HASHES.pop(key, None)
    _HASHES[key] = (stamp, digest)
    while len(_HASHES) > HASH_CACHE_SIZE:
        del _HASHES[next(iter(_HASHES))]
    return digest


def read_bytes(path: Path | str, *, size: int = 0, limit: int | None = None) -> bytes:
    """A file's bytes (up to ``limit`` of them) with plain system calls: open, read, close.

    ``Path.read_bytes`` goes through a buffered file object, which adds two stats, an isatty
    and two seeks, and whose ``read(limit)`` sets aside all of ``limit`` before reading a
    file of a few kilobytes; a build reads two files per product. ``size`` is what the file
    is expected to hold (from a stat): a read that asked for more and brought the file to
    that size has seen its end, so one read does. A file that grew since is read on, to
    ``limit``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        chunks: list[bytes] = []
        total = 0
        while limit is None or total < limit:
            # One byte more than the file should hold, so its end is seen in the first read.
            want = max(size + 1 - total, 64 * 1024)
            chunk = os.read(fd, want if limit is None else min(limit - total, want))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total == size:  # all the file held, and asked for more: its end
                break
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_HASHES: dict[str, tuple[tuple[int, int, int, int, int], str]] = {}
#: Files whose hash is kept: a build renders thousands of products, a few files each.
HASH_CACHE_SIZE = 256


@cache
def template_hash(name: str) -> str:
    """The sha256 of a shipped template (they do not change while the tool runs)."""
    return file_hash(template_dir() / name)


def template_dir() -> Path:
    """The folder of the shipped templates."""
    inside = Path(__file__).resolve().parent / "templates"
    return inside if inside.is_dir() else resource_dir("templates")
