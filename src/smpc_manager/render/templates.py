"""The Jinja2 templates a format is laid out with, and the strings they translate.

A template is read once from the file the resolver names, and everything about it comes
from those bytes: the sha256 an output records, the ``{% trans %}`` strings (found with
Babel's Jinja2 extractor, as the ``smpc`` domain's extraction finds them), and the
compiled template. A portfolio's own template runs in Jinja2's sandbox: it cannot reach
Python objects beyond the values it is given, and a broken one is a problem naming its
``path:line``, never a traceback. This is the only module that imports Jinja2.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import traceback
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.messages.extract import extract
from jinja2.ext import babel_extract

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import read_bytes
from smpc_manager.markets import Message
from smpc_manager.render.formats import FORMATS
from smpc_manager.render.inputs import SHIPPED_TEMPLATES, Input, template_dir
from smpc_manager.render.loader import MAX_TEMPLATE_BYTES, TemplateFolders
from smpc_manager.render.sandbox import BoundedEnvironment, TemplateLimitError, render_bounded

#: What every string Jinja2's i18n extractor finds starts with: a ``trans`` block or a call
#: of ``_``, ``gettext`` and its plural and context variants.
_MAY_TRANSLATE = re.compile(rb"trans|gettext|\b_\s*\(")


class Template:
    """A format's template as read from its file: the sha256 of its bytes, the strings it
    translates, and the Jinja2 template compiled from those bytes when first run."""

    def __init__(self, item: Input, data: bytes, *, shipped: bool) -> None:
        self.input = item
        self.data = data
        self.sha256 = hashlib.sha256(data).hexdigest()
        #: Whether it is the tool's own (else a portfolio's, which runs in the sandbox).
        self.shipped = shipped
        self._messages: tuple[Message, ...] | None = None
        self._compiled: jinja2.Template | None = None

    @classmethod
    def read(cls, item: Input, *, shipped: bool) -> Template:
        """Read the template ``item`` names; one that cannot be read is a problem."""
        assert item.path is not None, item.name
        try:
            data = read_bytes(item.path, limit=MAX_TEMPLATE_BYTES)
        except OSError as err:
            raise ProblemsError([Problem(SourceLocation(item.name),
                                         f"cannot be read: {err.strerror or err}")]) from None
        return cls(item, data, shipped=shipped)

    @property
    def messages(self) -> tuple[Message, ...]:
        """The ``smpc`` messages of its ``{% trans %}`` blocks and ``gettext`` calls."""
        if self._messages is None:
            self._messages = _extract(self.data, self.input.name)
        return self._messages

    def run(self, **values: Any) -> str:
        """The template laid out with ``values``.

        A portfolio's own runs within the limits of one rendering
        (:mod:`~smpc_manager.render.sandbox`). Whatever stops it, a syntax error, an
        undefined name, a limit, an error of Python's (a division by zero), is one problem
        at its ``path:line``.
        """
        shown = self.input.name
        try:
            if self.shipped:
                return self._template().render(**values)
            return render_bounded(self._template(), values)
        except jinja2.TemplateSyntaxError as err:
            raise ProblemsError([Problem(SourceLocation(shown, err.lineno or 0),
                                         f"the template is not valid: {err.message}")]
                                ) from None
        except UnicodeDecodeError:
            raise ProblemsError([Problem(SourceLocation(shown),
                                         "the template is not valid: it is not UTF-8")]
                                ) from None
        except TemplateLimitError as err:
            line = _template_line(err, self.input.path)
            raise ProblemsError([Problem(SourceLocation(shown, line),
                                         f"the template was stopped: {err}")]) from None
        except jinja2.TemplateError as err:  # undefined names, the sandbox's refusals
            line = _template_line(err, self.input.path)
            raise ProblemsError([Problem(SourceLocation(shown, line),
                                         f"the template failed: {err}")]) from None
        except Exception as err:
            if self.shipped:  # the tool's own templates: a bug of ours, not the user's
                raise
            # What the template's own code raised: 1/0, an int() of a word, recursion.
            line = _template_line(err, self.input.path)
            what = str(err).split("\n", 1)[0]
            raise ProblemsError([Problem(SourceLocation(shown, line),
                                         f"the template failed: {type(err).__name__}:"
                                         f" {what}")]) from None

    def _template(self) -> jinja2.Template:
        if self._compiled is None:
            assert self.input.path is not None
            folder = os.path.dirname(self.input.path)
            env = _environment(None if self.shipped else folder)
            name = os.path.basename(self.input.path)
            code = env.compile(self.data.decode("utf-8"), name, self.input.path)
            # The environment's globals as one plain dict rather than a chain over them:
            # Jinja2 copies the template's globals into a new dict for every rendering.
            self._compiled = env.template_class.from_code(env, code, dict(env.globals))
        return self._compiled


def _environment(own: str | None) -> jinja2.Environment:
    """A Jinja2 environment: for the tool's templates, or in the sandbox for a portfolio's
    own folder ``own`` (which an ``{% include %}`` searches before the tool's)."""
    kind = jinja2.Environment if own is None else BoundedEnvironment
    folders = [str(template_dir())] if own is None else [own, str(template_dir())]
    env = kind(
        loader=TemplateFolders(folders),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # {% trans %} blocks call the ``gettext`` passed in with the variables as keywords.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    return env


@cache
def template_messages(name: str | None = None) -> tuple[Message, ...]:
    """The ``smpc`` messages of one shipped template (default: all), found with Babel's
    Jinja2 extractor; :mod:`smpc_manager.tooldomain` extracts them into ``smpc.pot``."""
    names = sorted(f.template for f in FORMATS.values() if f.template is not None)
    found: list[Message] = []
    for template in [name] if name is not None else names:
        try:
            data = (template_dir() / template).read_bytes()
        except OSError:
            continue
        found.extend(_extract(data, f"{SHIPPED_TEMPLATES}/{template}"))
    return tuple(found)


def _extract(data: bytes, shown: str) -> tuple[Message, ...]:
    """The messages of a template's bytes, each located in ``shown``; none from a template
    that does not compile (it is reported, with its line, when it is run)."""
    if not _MAY_TRANSLATE.search(data):
        return ()  # no {% trans %} block and no gettext call: nothing to extract
    found: list[Message] = []
    try:
        # Jinja2's extractor itself, the one Babel's "jinja2" method names: asking for it
        # by name would make Babel search the installed packages' entry points.
        for extracted in extract(babel_extract, io.BytesIO(data), options={
                "extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                "trimmed": "true"}):
            # (lineno, message, comments, context); the type stubs lag behind Babel.
            row: Any = extracted
            lineno, msgid = int(row[0]), row[1]
            text = msgid if isinstance(msgid, str) else msgid[0]
            found.append(Message(text, SourceLocation(shown, lineno),
                                 f"text of {Path(shown).name}"))
    except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
        return ()
    return tuple(found)


def _template_line(err: BaseException, path: str | None) -> int:
    """The line of a template in a Jinja2 error's traceback (Jinja2 maps its frames to the
    template's lines), 0 when it is not there."""
    if path is None:
        return 0
    wanted = os.path.realpath(path)
    lines = [frame.lineno or 0 for frame in traceback.extract_tb(err.__traceback__)
             if os.path.realpath(frame.filename) == wanted]
    return lines[-1] if lines else 0
