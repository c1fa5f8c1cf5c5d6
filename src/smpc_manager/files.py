"""Atomic file writes: a temporary file on the same file system, fsync, then rename.

A reader (or a build killed midway) sees the old file or the new one, never a half-written
one. Every file the tool writes goes through :func:`write_bytes` or :func:`write_text`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, SourceLocation


def write_bytes(path: str | os.PathLike[str], data: bytes | Iterable[bytes], *,
                fsync: bool = True, tmp_dir: str | os.PathLike[str] | None = None,
                before_replace: Callable[[], None] | None = None,
                replace_link: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, creating its folder if needed.

    ``data`` may be the bytes, or pieces of them written one after the other (a large
    file need not be held in memory whole).

    ``fsync=False`` leaves flushing to disk to the caller, one that writes many files and
    makes them durable at once (``smpc build`` syncs before it writes its manifest); the
    rename is atomic all the same. ``tmp_dir`` is where the temporary file is made instead
    of the target's folder: a folder of its own for each process that writes many files
    side by side (processes creating files in one folder wait for each other); it must be
    on the same file system, and when it is not, the bytes are written again the usual
    way. Raises :class:`ProblemsError` naming the path when the folder cannot be written.

    Only a regular file is ever replaced: a folder, a named pipe, a device or a socket
    standing at ``path`` is refused before anything is written, since renaming over it would
    destroy what some other program reads or writes there. A symbolic link at ``path`` to
    a regular file, or to nothing, is replaced by the new file (the file it leads to is left
    as it is) unless ``replace_link=False``, which refuses it too: a build writes only
    regular files of its own, never where someone put a link. A link to anything else
    (``/dev/stdout``) is always refused.

    ``before_replace`` is called when the new bytes are written and synced, just before
    the rename: what it raises stops the write (the temporary file is removed). A caller
    that must not replace a file someone changed meanwhile checks it there.

    The path is handled as text with :mod:`os` calls, as the system takes it: a build
    writes a file per output, and needs no :class:`~pathlib.Path` for any of them.
    """
    target = os.fspath(path)
    mode = _existing_mode(target, replace_link=replace_link)
    folder, name = os.path.split(target)
    if tmp_dir is not None:
        folder = os.fspath(tmp_dir)
    try:
        try:
            fd, tmp = _temporary(name, folder, _NEW_MODE if mode is None else 0o600)
        except FileNotFoundError:  # the folder is not there yet
            os.makedirs(folder or os.curdir, exist_ok=True)
            fd, tmp = _temporary(name, folder, _NEW_MODE if mode is None else 0o600)
    except OSError as err:
        raise ProblemsError(
            [Problem(SourceLocation(target), f"cannot write here: {_why(Path(target), err)}")]
        ) from None
    try:
        # A file replaced keeps its mode (so a catalog stays readable to the team): the
        # new one is private until it has that mode. A new file is made with the mode any
        # new file gets (0666 less the umask) at once.
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            # Plain system calls on the descriptor: the bytes are at hand, so a buffered
            # file object would only copy them once more.
            if isinstance(data, bytes):
                write_all(fd, data)
            else:
                _write_pieces(fd, data)
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if before_replace is not None:
            before_replace()
        if tmp_dir is None:
            os.replace(tmp, target)
        elif not _moved(tmp, target):  # another file system: write it where it goes
            os.unlink(tmp)
            if not isinstance(data, bytes):
                raise OSError(errno.EXDEV, "the temporary folder is on another file system")
            write_bytes(target, data, fsync=fsync)
            return
        if fsync:
            _sync_folder(os.path.dirname(target) or os.curdir)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ProblemsError(
            [Problem(SourceLocation(target), f"cannot write: {err.strerror or err}")]
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: How much of a file given in pieces is gathered before it is written.
_CHUNK = 64 * 1024


def _write_pieces(fd: int, pieces: Iterable[bytes]) -> None:
    """Many small pieces (a manifest's lines) written 64 KB at a time; a large one as it is,
    not copied into the buffer and out again."""
    buffer = bytearray()
    for piece in pieces:
        if len(piece) >= _CHUNK:
            write_all(fd, bytes(buffer))
            buffer.clear()
            write_all(fd, piece)
            continue
        buffer += piece
        if len(buffer) >= _CHUNK:
            write_all(fd, bytes(buffer))
            buffer.clear()
    write_all(fd, bytes(buffer))


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` (``os.write`` may write less than it is given)."""
    done = os.write(fd, data)
    if done < len(data):
        view = memoryview(data)[done:]
        while view:
            view = view[os.write(fd, view):]


#: Opened as mkstemp opens: a new file only, private until its mode is set, not inherited
#: by child processes, never through a symbolic link.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_COUNTER = itertools.count()


def _moved(tmp: str, path: str) -> bool:
    """Rename ``tmp`` (in a folder of its own) to ``path``, making ``path``'s folder when it
    is missing; False when the two lie on different file systems."""
    try:
        try:
            os.replace(tmp, path)
        except (FileNotFoundError, NotADirectoryError):
            if not os.path.exists(tmp):
                raise
            try:
                os.makedirs(os.path.dirname(path) or os.curdir, exist_ok=True)
            except OSError as err:
                raise OSError(err.errno, _why(Path(path), err)) from None
            os.replace(tmp, path)
    except OSError as err:
        if err.errno == errno.EXDEV:
            return False
        raise
    return True


def _temporary(name: str, folder: str, mode: int) -> tuple[int, str]:
    """A new temporary file for the file ``name`` in ``folder``, ``.<name>.<unique>.tmp``,
    made with ``mode`` (less the umask): its descriptor and name.

    Named from the process id and a counter, unique within the process as it is, so no
    random name is drawn for each file; a name left over by a killed process is skipped
    like a taken one.
    """
    for _ in range(10_000):
        tmp = os.path.join(folder, f".{name}.{os.getpid()}-{next(_COUNTER)}.tmp")
        try:
            return os.open(tmp, _FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


#: What a new file is created with; the kernel takes the umask off.
_NEW_MODE = 0o666


def _existing_mode(path: str, *, replace_link: bool) -> int | None:
    """The mode of the file ``path`` replaces, None when there is none yet.

    Anything but a regular file in the way (or a symbolic link, unless ``replace_link``;
    one to a folder, a pipe or a device, such as ``/dev/stdout``, always) is refused here,
    before anything is written.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        if not replace_link:
            raise _in_the_way(path, "a symbolic link")
        try:
            info = os.stat(path)  # the link is replaced, and takes the mode of its file
        except OSError:
            return None  # a link to nothing: the link is replaced
    if stat.S_ISDIR(info.st_mode):
        raise _in_the_way(path, "a folder")
    if not stat.S_ISREG(info.st_mode):
        raise _in_the_way(path, _KINDS.get(stat.S_IFMT(info.st_mode), "a special file"))
    return stat.S_IMODE(info.st_mode)


#: What stands at a path, for a message.
_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def _in_the_way(path: str, what: str) -> ProblemsError:
    return ProblemsError([Problem(SourceLocation(path),
                                  f"cannot write: {what} of that name is in the way")])


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable: fsync the folder that holds the new name."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is atomic all the same
    finally:
        os.close(fd)


def make_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) unless it is there; a :class:`ProblemsError`
    naming it, and what stands in the way, when it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ProblemsError([Problem(SourceLocation(str(folder)),
                                     f"cannot write here: {_why(folder / '_', err)}")]
                            ) from None


def _why(path: Path, err: OSError) -> str:
    """Words for a folder that cannot be made: name the file that stands in the way."""
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
        if parent.is_dir():
            break
    return err.strerror or str(err)


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically (newlines written as ``\\n``)."""
    write_bytes(path, text.encode("utf-8"))


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is where a stream is written rather than a file replaced: a named
    pipe, a device or a socket (through a link, what it leads to), or a link into
    ``/proc`` or ``/dev`` (``/dev/stdout``: whatever standard output is, a file included)."""
    text = os.fspath(path)
    if os.path.abspath(text).startswith(("/proc/", "/dev/")):
        return True
    try:
        while os.path.islink(text):  # /dev/stdout -> /proc/self/fd/1 -> the file itself
            target = os.path.join(os.path.dirname(text), os.readlink(text))
            if os.path.abspath(target).startswith(("/proc/", "/dev/")):
                return True
            text = target
        info = os.stat(text)
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode)


def write_output(path: str | os.PathLike[str], data: bytes) -> None:
    """``data`` written to ``path``: into it as a stream where :func:`is_stream` says so
    (a pipe or device is never replaced by a file), else replacing the file atomically
    (:func:`write_bytes`). Raises :class:`ProblemsError` naming the path when it cannot be
    written."""
    if not is_stream(path):
        write_bytes(path, data)
        return
    target = os.fspath(path)
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as err:
        raise ProblemsError([Problem(SourceLocation(target),
                                     f"cannot write: {err.strerror or err}")]) from None


#: What a read stops at unless its reader sets a limit of its own: far above any file the
#: tool reads or writes, far below what would exhaust memory.
MAX_READ_BYTES = 64 * 1024 * 1024


class NotAFileError(OSError):
    """A device, a pipe or a socket where a file is to be read: reading one could block or
    never end, so it is refused unopened."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(errno.EINVAL, "not a regular file (a device, pipe or socket)",
                         os.fspath(path))


class TooLargeError(OSError):
    """A file that holds more than its reader's limit: refused unread when it says so
    (``size``), or when reading it passes the limit (``size`` None: it grew, or it is a file
    of ``/proc`` that says it holds nothing and never ends)."""

    def __init__(self, path: str | os.PathLike[str], limit: int, size: int | None) -> None:
        self.limit = limit
        self.size = size
        words = (f"over the limit of {limit:,} bytes; refused" if size is None else
                 f"{size:,} bytes, over the limit of {limit:,} bytes; refused unread")
        super().__init__(errno.EFBIG, words, os.fspath(path))


def file_hash(path: Path, *, limit: int = MAX_READ_BYTES) -> str:
    """The sha256 of a file, read again only when its inode, size or times change.

    A product's file and catalog are inputs of each of its outputs, one per market, so the
    same file is asked for again: its digest is kept by the file's identity and times, for
    at most :data:`HASH_CACHE_SIZE` files. A file that cannot be read (see
    :func:`read_bytes`) is a problem naming it.
    """
    try:
        info = os.stat(path)
        stamp = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        key = str(path)
        cached = _HASHES.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        digest = hashlib.sha256(_read(path, info, limit)).hexdigest()
    except OSError as err:  # removed or locked between loading and rendering
        raise ProblemsError([Problem(SourceLocation(str(path)),
                                     f"cannot be read: {err.strerror or err}")]) from None
    _HASHES.pop(key, None)
    _HASHES[key] = (stamp, digest)
    while len(_HASHES) > HASH_CACHE_SIZE:
        del _HASHES[next(iter(_HASHES))]
    return digest


def read_bytes(path: Path | str, *, limit: int = MAX_READ_BYTES) -> bytes:
    """A file's bytes, never more than ``limit`` of them, with plain system calls.

    What the path leads to is looked at first: a folder is an :class:`IsADirectoryError`, a
    device, pipe or socket a :class:`NotAFileError`, both unopened; a file that says it holds
    more than ``limit`` bytes is a :class:`TooLargeError`, unread. The size the system gives
    is not trusted beyond that: the file is read to its end or to ``limit`` + 1 bytes, so a
    file that grows, or one of ``/proc`` that says 0 and never ends, is a
    :class:`TooLargeError` too. Anything else the system refuses is its :class:`OSError`.
    """
    return _read(path, os.stat(path), limit)


def _read(path: Path | str, info: os.stat_result, limit: int) -> bytes:
    """:func:`read_bytes` of the file ``info`` describes (a stat of ``path``)."""
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file", os.fspath(path))
    if not stat.S_ISREG(info.st_mode):
        raise NotAFileError(path)
    size = info.st_size
    if size > limit:
        raise TooLargeError(path, limit, size)
    # Non-blocking: a pipe put in the file's place since the stat is not waited on.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            # One byte more than the file should hold, so its end is seen in the first read.
            # Unlike ``Path.read_bytes``, no buffer of ``limit`` bytes is set aside first.
            want = max(size + 1 - total, 64 * 1024)
            chunk = os.read(fd, min(limit + 1 - total, want))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total == size:  # all the file held, and asked for more: its end
                break
    finally:
        os.close(fd)
    if total > limit:
        raise TooLargeError(path, limit, None)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def dangling_link(path: str | os.PathLike[str]) -> str | None:
    """What to say of ``path`` when it is a symbolic link to nothing (a moved file, an
    unmounted share): ``is a symbolic link to /mnt/share/x.xml, which does not exist``;
    None when it is not one."""
    try:
        target = os.readlink(path)
    except (OSError, ValueError):
        return None
    if os.path.exists(path):
        return None
    return f"is a symbolic link to {target}, which does not exist"


_HASHES: dict[str, tuple[tuple[int, int, int, int, int], str]] = {}
#: Files whose hash is kept: the files asked for again are one product's inputs, so a small
#: bound serves, and memory does not grow with the portfolio.
HASH_CACHE_SIZE = 256
