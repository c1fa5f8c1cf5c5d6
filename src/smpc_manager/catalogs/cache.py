"""Catalogs kept per process while their files are unchanged.

Rendering one product in several markets reads its catalog once; a catalog edited since is
read again. A file is known by its path and its stamp (device, inode, mtime_ns, size): the
inode catches a file replaced by another of the same size and time (an atomic save), and
through a symlink the stamp is the target's, so a retargeted link is read again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

_Read = TypeVar("_Read")

#: Files kept at most per cache: a build renders thousands of products, each from its own
#: catalog, and must not keep them all (the oldest is dropped first).
CACHE_SIZE = 64


class FileCache(Generic[_Read]):
    """What ``read`` made of each of the last :data:`CACHE_SIZE` files it was asked for."""

    def __init__(self, read: Callable[[Path], _Read]) -> None:
        self._read = read
        self._kept: dict[str, tuple[tuple[int, int, int, int], _Read]] = {}

    def get(self, path: Path, info: os.stat_result | None = None) -> _Read:
        """``read(path)``, or what it gave for the same file unchanged. ``info`` is the
        file's stat if the caller has just made it; a file that cannot be stat'ed is read
        every time (and ``read`` says what is wrong with it)."""
        key = os.fspath(path)
        if info is None:
            try:
                info = os.stat(key)
            except OSError:
                return self._read(path)
        stamp = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        value = self._read(path)
        self._kept.pop(key, None)  # re-inserted last: the newest
        self._kept[key] = (stamp, value)
        while len(self._kept) > CACHE_SIZE:
            del self._kept[next(iter(self._kept))]
        return value
