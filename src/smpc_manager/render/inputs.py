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
from smpc_manager.files import file_hash
from smpc_manager.resources import resource_dir

if TYPE_CHECKING:
    from smpc_manager.markets import MarketProfile

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


@cache
def template_hash(name: str) -> str:
    """The sha256 of a shipped template (they do not change while the tool runs)."""
    return file_hash(template_dir() / name)


def template_dir() -> Path:
    """The folder of the shipped templates."""
    inside = Path(__file__).resolve().parent / "templates"
    return inside if inside.is_dir() else resource_dir("templates")
