"""Where a template's ``{% include %}``, ``{% extends %}`` and ``{% import %}`` are read from:
the portfolio's ``templates/`` folder and the shipped templates, and nothing else.

Jinja2's ``FileSystemLoader`` follows a symbolic link wherever it leads, so a portfolio's
``templates/x.j2`` linked to ``/etc/passwd`` would be copied into every output. This loader
takes a template name as a path inside one of its folders (no ``..``, no absolute name) and
reads a file only when it lies inside that folder once every link is resolved, is a regular
file, and holds at most :data:`MAX_TEMPLATE_BYTES`; a link to nothing is an error naming it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Sequence

import jinja2

from smpc_manager.boundary import Boundary, RefusedInput
from smpc_manager.files import read_bytes

#: A template is a page of markup; anything this large is refused unread.
MAX_TEMPLATE_BYTES = 1024 * 1024

#: What a template name is split into: its path's parts, ``/`` or ``\`` between them.
_PARTS = re.compile(r"[/\\]")


class TemplateFolders(jinja2.BaseLoader):
    """Templates by name from ``folders``, searched in order (the portfolio's own first)."""

    def __init__(self, folders: Sequence[str]) -> None:
        self.folders = tuple(folders)

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        parts = [part for part in _PARTS.split(template) if part not in ("", ".")]
        if not parts or ".." in parts or os.path.isabs(template) or template[:1] in "/\\":
            raise jinja2.TemplateNotFound(
                template, f"'{template}' is not a template name: a template names another by"
                " its path inside the templates folder, without '..' and not from the root")
        for folder in self.folders:
            path = os.path.join(folder, *parts)
            try:
                info = Boundary(folder, outside="outside the templates folder; refused unread"
                                ).file(path)
            except RefusedInput as err:
                raise jinja2.TemplateNotFound(template, f"{template} {err.reason}") from None
            if info is None or not stat.S_ISREG(info.st_mode):
                continue
            try:
                data = read_bytes(path, limit=MAX_TEMPLATE_BYTES)
            except OSError as err:
                raise jinja2.TemplateNotFound(
                    template, f"{template} cannot be read: {err.strerror or err}") from None
            return data.decode("utf-8"), path, functools.partial(_unchanged, path,
                                                                 info.st_mtime_ns)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: str, stamp: int) -> bool:
    """Whether the file at ``path`` still has the modification time it was read with."""
    try:
        return os.stat(path).st_mtime_ns == stamp
    except OSError:
        return False
