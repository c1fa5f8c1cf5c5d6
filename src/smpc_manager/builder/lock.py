"""One build at a time in an output folder: an advisory lock on ``OUT/.smpc-lock``.

Two builds writing into one folder would each read the other's half-written manifest and
remove the other's temporary files. A build therefore takes an exclusive
:func:`fcntl.flock` on a lock file inside the folder from before it reads the manifest until
after it has written it; a second build waits for the first, or fails at once when told not
to wait. The kernel releases the lock when its process ends, however it ends, so a killed
build never leaves the folder locked (a process forked from it, a build's worker, closes its copy
of the lock's descriptor at once, which would otherwise keep the lock).

The lock file is removed when the build that holds it is done, so a finished build leaves
nothing but its outputs and manifest. A build that gets the lock checks that the file it
locked is still the one at that name (the build before may just have removed it) and tries
again if not, so two builds never hold two different files at once.

Where the system has no :mod:`fcntl` (Windows), a build takes no lock: running two builds
into one folder there is the user's care. A folder that nothing may write (a read-only file
system, no permission) is not locked either: no build can change it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, SourceLocation

try:
    import fcntl
except ImportError:  # Windows: no advisory locks of this kind; see the module's text
    fcntl = None  # type: ignore[assignment]

#: The lock file's name inside the output folder.
LOCK_FILE = ".smpc-lock"

_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(
    os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
#: What creating the lock file fails with in a folder nobody may write.
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class FolderLock:
    """A held lock on an output folder (or none, where none could be taken)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd
        if fd is not None:
            _HELD.add(self)

    def release(self) -> None:
        """Remove the lock file and let the next build in; a second call does nothing."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self._forget()

    def _forget(self) -> None:
        """Close this process's descriptor of the lock file (the file stays)."""
        _HELD.discard(self)
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


#: The locks this process holds.
_HELD: set[FolderLock] = set()


def _let_go_in_child() -> None:
    """In a process just forked: close the copies of the locks' descriptors it inherited.

    A flock belongs to the open file, and every descriptor of it keeps it: a build's worker
    would otherwise hold the folder locked after its build was killed outright, and every
    later build would wait for it. The process that took the lock still holds it."""
    for lock in list(_HELD):
        lock._forget()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_let_go_in_child)


def lock_folder(folder: Path, *, wait: bool = True,
                waiting: Callable[[str], None] | None = None) -> FolderLock:
    """Take the lock of the output ``folder``.

    While another build holds it, wait for it, having called ``waiting`` once with a line
    saying so; or, with ``wait=False``, raise :class:`ProblemsError` at once. A lock file
    that is not a regular file (a link, a pipe) is a :class:`ProblemsError` too.
    """
    path = folder / LOCK_FILE
    if fcntl is None:
        return FolderLock(path, None)
    told = False
    while True:
        try:
            fd = os.open(path, _FLAGS, 0o666)
        except OSError as err:
            if err.errno in _READ_ONLY:
                return FolderLock(path, None)
            what = ("is a symbolic link" if err.errno == errno.ELOOP
                    else f"cannot be opened ({err.strerror or err})")
            raise _problem(path, f"{what}; it is the lock that keeps two builds from writing"
                                 " into one folder at once (remove it)") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _problem(path, "is not a regular file; it is the lock that keeps two"
                                     " builds from writing into one folder at once (remove"
                                     " it)")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = f"another build{_holder(fd)} is writing into this folder"
                if not wait:
                    raise _problem(folder, f"{busy}; run again when it has finished, or"
                                           " without --no-wait to wait for it") from None
                if not told and waiting is not None:
                    waiting(f"{folder}: {busy}; waiting for it to finish")
                told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                _mark(fd)
                return FolderLock(path, fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the build before removed the file it held: lock the one there now


def _same_file(fd: int, path: Path) -> bool:
    try:
        there = os.lstat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (held.st_dev, held.st_ino)


def _mark(fd: int) -> None:
    """Write the holder's process id into the lock file, for a build that waits to name."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _holder(fd: int) -> str:
    """`` (process 1234)``, from the lock file, or nothing when it does not say."""
    try:
        text = os.pread(fd, 16, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {text})" if text.isdigit() else ""


def _problem(path: Path, message: str) -> ProblemsError:
    return ProblemsError([Problem(SourceLocation(str(path)), message)])
