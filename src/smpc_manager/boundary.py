"""Where a portfolio's inputs may come from: its root and the folders it allows, nothing else.

A product file, a catalog, a template or a profile file is looked at before it is read: one
that resolves, through a symbolic link or a folder that is one, outside the portfolio's root
and the folders ``[inputs] allow`` names in ``smpc.toml`` is refused, so that nothing of a
file outside (``/etc/passwd`` behind a link) can reach a message or an output. A link to
nothing (a moved file, an unmounted share), a device, a pipe or a socket is an error naming
it, never passed over as if nothing were there.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import dangling_link


class RefusedInput(ProblemsError):
    """An input refused before it is read, for what it is or where it leads: one problem
    naming it, its reason (:attr:`reason`) in words."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__([Problem(SourceLocation(path), reason)])

    def __reduce__(self) -> tuple[type[RefusedInput], tuple[str, str]]:
        return (RefusedInput, (self.path, self.reason))


#: How a :class:`Boundary` of a portfolio refuses a file that lies outside it.
OUTSIDE_THE_PORTFOLIO = ("outside the portfolio; refused unread (smpc.toml may allow its"
                         " folder: [inputs] allow = [\"...\"])")


class Boundary:
    """The folders a portfolio's inputs may lie in, and what one run has learnt of them.

    ``root`` is the portfolio's root, ``allowed`` the folders ``[inputs] allow`` names
    (relative to the root, or absolute); ``outside`` what a refusal says after the place a
    file resolves to. Each folder is resolved once per instance, and a
    file in it named by joining its name; only a file that is itself a link is resolved on
    its own. A folder found missing is kept in :attr:`missing`. Make a new instance to see
    folders made or changed since. A relative path is taken from the working folder of the
    moment.
    """

    def __init__(self, root: str | os.PathLike[str], allowed: Sequence[str] = (), *,
                 outside: str = OUTSIDE_THE_PORTFOLIO) -> None:
        self.root = os.fspath(root)
        #: What a refusal says of where the root and the allowed folders are.
        self.outside = outside
        self.allowed = tuple(os.path.join(self.root, folder) for folder in allowed)
        #: Folders found not to exist (or to be a file).
        self.missing: set[str] = set()
        #: Folders found to exist.
        self._present: set[str] = set()
        #: By folder as given and the working folder it was given in: what :meth:`name`
        #: puts before the name of a file in it, or where it lies (_ALLOWED, _OUTSIDE).
        self._places: dict[tuple[str, str], str] = {}
        #: The allowed folders resolved, by the working folder.
        self._allowed_real: dict[str, tuple[str, ...]] = {}

    def file(self, path: str) -> os.stat_result | None:
        """What is at ``path``, an input: None when nothing is, else its stat (through a link,
        of what it leads to), a regular file's or a folder's.

        Raises :class:`RefusedInput` naming ``path`` for a link to nothing (its own, or that
        of a folder on its way), a device, pipe or socket, and what resolves outside the
        root and the allowed folders (a missing file too, when its folder does); each before
        anything is opened.
        """
        try:
            info = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            self._absent(path)
            return None
        except OSError as err:
            raise RefusedInput(path, f"cannot be read: {err.strerror or err}") from None
        linked = stat.S_ISLNK(info.st_mode)
        if linked:
            try:
                info = os.stat(path)
            except OSError as err:
                raise RefusedInput(path, dangling_link(path) or "is a symbolic link that leads"
                                   f" nowhere ({err.strerror or err})") from None
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise RefusedInput(path, "is not a regular file (a device, pipe or socket)")
        self._name(path, linked=linked)
        return info

    def name(self, path: str) -> str:
        """The name of the input at ``path`` among an output's inputs: relative to the root,
        with ``/`` (``products/besponsa.xml``; a symlink by where it leads); in a folder
        ``[inputs] allow`` names outside the root, its path as given. One that resolves
        outside them all is a :class:`RefusedInput`."""
        return self._name(path, linked=os.path.islink(path))

    def _name(self, path: str, *, linked: bool) -> str:
        folder, base = os.path.split(path)
        if not linked and base not in ("", ".", ".."):
            key = (folder, "" if os.path.isabs(folder) else os.getcwd())
            place = self._places.get(key)
            if place is None:
                place = self._places[key] = self._place(folder or os.curdir)
            if place is _ALLOWED:
                return Path(path).as_posix()
            if place is not _OUTSIDE:
                return place + base
        # A link, or a name in a folder outside: resolved on its own (the root itself lies
        # in a folder outside it).
        inside = resolved_relative(path, self.root)
        if inside is not None:
            return inside
        if self._allows(path):
            return Path(path).as_posix()
        raise self._outside(path)

    def _place(self, folder: str) -> str:
        """What :meth:`name` puts before the name of a file in ``folder``: its path under the
        root with ``/`` after it; or _ALLOWED, _OUTSIDE."""
        inside = resolved_relative(_absolute(folder), _absolute(self.root))
        if inside is not None:
            return "" if inside == "." else inside + "/"
        return _ALLOWED if self._allows(folder) else _OUTSIDE

    def _allows(self, path: str) -> bool:
        """Whether ``path`` resolves inside a folder ``[inputs] allow`` names."""
        if not self.allowed:
            return False
        key = "" if os.path.isabs(self.root) else os.getcwd()
        folders = self._allowed_real.get(key)
        if folders is None:
            folders = self._allowed_real[key] = tuple(
                os.path.realpath(_absolute(folder)) for folder in self.allowed)
        real = os.path.realpath(_absolute(path))
        return any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)
                   for folder in folders)

    def _outside(self, path: str) -> RefusedInput:
        return RefusedInput(path, f"resolves to {os.path.realpath(path)}, {self.outside}")

    def _absent(self, path: str) -> None:
        """Nothing is at ``path``: a :class:`RefusedInput` when a link to nothing on its way
        is why, or when its folder lies outside; else its folder is remembered as present
        or missing."""
        folder = os.path.dirname(path)
        if folder in self.missing:
            return
        if folder not in self._present:
            probe = folder
            while probe and not os.path.lexists(probe):
                parent = os.path.dirname(probe)
                if parent == probe:
                    break
                probe = parent
            if probe and not os.path.exists(probe):  # there, but a link to nothing
                raise RefusedInput(probe, dangling_link(probe)
                                   or "is a symbolic link that leads nowhere")
            if probe != folder or not os.path.isdir(folder or os.curdir):
                self.missing.add(folder)
                return
            self._present.add(folder)
        self._name(path, linked=False)  # where it would be must lie inside too


#: What :class:`Boundary` keeps for a folder that lies in an allowed folder outside the
#: root, and for one that lies outside them all.
_ALLOWED = "\0allowed"
_OUTSIDE = "\0outside"


def resolved_relative(path: str, root: str | os.PathLike[str]) -> str | None:
    """``path`` resolved, relative to ``root`` resolved, with ``/``; None outside it.

    A relative path or root is taken from the working folder of the moment.
    """
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None


def _absolute(path: str) -> str:
    """``path`` joined to the working folder as it is now, unresolved (``os.path.abspath``
    would fold ``link/..`` as if ``link`` were no symlink)."""
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
