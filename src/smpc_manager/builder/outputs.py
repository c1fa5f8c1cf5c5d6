"""Where a build's outputs lie, and what a build may do there.

An output is ``<market>/<locale>/<id>.<ext>`` under the output folder, and nothing else:
a manifest's keys are held to that form before a build trusts, hashes or removes anything by
them, so a key such as ``../x``, ``/etc/passwd`` or one with a NUL names no output.

The output folder is the one the user named: a symbolic link in its own path is followed as
the system follows any path given to it. Below it a build follows no link. A market or
locale folder that is a symbolic link is refused for every output in it, an output is
written only as a regular file of the build's own (never over a link, a pipe or a device:
:func:`smpc_manager.files.write_bytes`), and an output is hashed or removed only when it is
a regular file, never through a link. The folders are looked at once per build and process;
one swapped for a link while the build runs is beyond what these checks see.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator

from smpc_manager.render import EXTENSIONS

#: The parts of an output's key: a market's code, a locale as a folder name (as
#: :func:`smpc_manager.locales.normalize_locale` writes it), a product id.
MARKET = re.compile(r"[A-Z]{2}")
LOCALE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})*")
PRODUCT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
#: The form of the path under the output folder of every file a build writes; its
#: extension must also be a format's (:func:`is_output_key`).
KEY = re.compile(rf"(?P<market>{MARKET.pattern})/(?P<locale>{LOCALE.pattern})"
                 rf"/(?P<product>{PRODUCT_ID.pattern})\.(?P<ext>[a-z]{{1,8}})")


def output_key(product: str, market: str, locale: str, fmt: str) -> str:
    """The path under the output folder of a product rendered for a market in a format,
    ``AT/de_AT/besponsa.txt``: the output's key in the manifest."""
    return f"{market}/{locale}/{product}.{EXTENSIONS[fmt]}"


def is_output_key(key: str) -> bool:
    """Whether ``key`` has the form of the files a build writes (and so lies inside the
    output folder, in a market's and a locale's folder)."""
    return output_product(key) is not None


def output_product(key: str) -> str | None:
    """The product id in the output's key ``key``; None when it is not an output's key."""
    match = KEY.fullmatch(key)
    return match["product"] if match is not None and match["ext"] in EXTENSIONS.values() \
        else None


class OutputFolder:
    """The output folder of a build, and what may be done in it by an output's key."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        #: By an output's folder (``AT/de_AT``), why nothing may go there (None: it may).
        self._refusals: dict[str, str | None] = {}

    def path(self, key: str) -> str:
        return os.path.join(self.root, key)

    def refusal(self, key: str) -> str | None:
        """Why the output ``key`` may not be written, read or removed through its folders:
        a market or locale folder that is a symbolic link; None when nothing stands in the
        way (a folder not made yet is made as a plain one)."""
        folder = key.rpartition("/")[0]
        if folder not in self._refusals:
            self._refusals[folder] = self._linked(folder)
        return self._refusals[folder]

    def _linked(self, folder: str) -> str | None:
        market = folder.partition("/")[0]
        for part in (market, folder):
            path = os.path.join(self.root, part)
            try:
                info = os.lstat(path)
            except OSError:
                return None  # not there yet: made as a folder when an output is written
            if stat.S_ISLNK(info.st_mode):
                return (f"{path} is a symbolic link; a build writes, reads and removes"
                        " nothing through a link (make it a folder)")
        return None

    def sha256(self, key: str) -> str | None:
        """The sha256 of the output ``key``; None when it is not a regular file reached
        without a link (missing, a link, a pipe, a folder)."""
        if self.refusal(key) is not None:
            return None
        return file_sha256(self.path(key), follow=False)

    def remove(self, key: str) -> bool:
        """Remove the output ``key`` if it is a regular file reached without a link; True
        when it is gone, False when something else stands there (left as it is)."""
        if self.refusal(key) is not None:
            return False
        path = self.path(key)
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return False
            os.unlink(path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True


    def listing(self) -> Iterator[str]:
        """The paths under the folder of what lies now in its market and locale folders
        (reached without a link), folders aside: the outputs' keys among them, and whatever
        else someone put there."""
        for market in _folders(self.root, MARKET):
            for locale in _folders(os.path.join(self.root, market), LOCALE):
                place = f"{market}/{locale}"
                try:
                    with os.scandir(os.path.join(self.root, place)) as entries:
                        names = [e.name for e in entries if not e.is_dir(follow_symlinks=False)]
                except OSError:
                    continue
                yield from (f"{place}/{name}" for name in names)


def _folders(path: str, name: re.Pattern[str]) -> list[str]:
    """The folders in ``path`` (not links to one) whose names fully match ``name``."""
    try:
        with os.scandir(path) as entries:
            return [e.name for e in entries
                    if name.fullmatch(e.name) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def file_sha256(path: str, *, follow: bool = True) -> str | None:
    """The sha256 of a regular file's bytes; ``None`` when there is none to read at
    ``path`` (missing, unreadable, a folder, a pipe or a device, or with ``follow=False`` a
    symbolic link). A pipe is opened without waiting for a writer, and never read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(
        os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        with open(path, "rb", buffering=0, opener=lambda name, _: os.open(name, flags)
                  ) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (OSError, ValueError):
        return None
