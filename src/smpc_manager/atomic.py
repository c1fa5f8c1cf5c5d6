"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A reader (or a build killed midway) sees the old file or the new one, never a half-written
one. Every file the tool writes goes through :func:`write_bytes` or :func:`write_text`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from smpc_manager.errors import ProblemsError
from smpc_manager.model import Problem, SourceLocation


def write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, creating its folder if needed.

    ``fsync=False`` leaves flushing to disk to the caller, one that writes many files and
    makes them durable at once (``smpc build`` syncs before it writes its manifest); the
    rename is atomic all the same. Raises :class:`ProblemsError` naming the path when the
    folder cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise ProblemsError(
            [Problem(SourceLocation(str(path)), f"cannot write here: {err.strerror or err}")]
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ProblemsError(
            [Problem(SourceLocation(str(path)), f"cannot write: {err.strerror or err}")]
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically (newlines written as ``\\n``)."""
    write_bytes(path, text.encode("utf-8"))
