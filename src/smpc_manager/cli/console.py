"""What the commands print, and where: results on standard output, everything about the run
on standard error, in colour where that is wanted.

The rule is the one GNU tools and ruff follow, so that ``smpc … > file`` or ``| jq`` gets the
result alone:

- **standard output** carries what the command was asked to produce: the rendered text, a
  ``--format json`` document, the ``stats`` table, the findings of ``validate`` and
  ``check``. Nothing else, and it does not depend on ``--quiet``, ``--verbose`` or colour.
- **standard error** carries the diagnostics: the problems that made a command fail (a
  refused rendering, a product that does not load), warnings about the inputs, the
  progress bar, the one-line summary, and with ``--verbose`` a line per file. Commands
  whose result is files (``extract``, ``init``, ``update``, ``compile``, ``build``) print
  only here.

``--quiet`` leaves the errors alone on standard error; ``--verbose`` adds a line per file.
Colour follows ``--color``: ``always``, ``never``, or ``auto``, where a stream is coloured
only when it is a terminal, ``NO_COLOR`` is unset or empty and ``TERM`` is not ``dumb``
(https://no-color.org). The decision is set on the click context, which ``click.echo``
consults: text is styled freely and the styles are dropped where colour is off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import IntEnum, StrEnum
from typing import Any

import click

from smpc_manager.errors import Problem, Severity


class Verbosity(IntEnum):
    """How much a command says on standard error besides its errors."""

    QUIET = 0  #: errors only
    NORMAL = 1  #: errors, warnings, progress and the one-line summary
    VERBOSE = 2  #: all that, and a line per file


class Tone(StrEnum):
    """How a summary line is coloured: what it says about the run."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


COLOR_CHOICES = ("auto", "always", "never")
_TONES: dict[Tone, dict[str, Any]] = {
    Tone.OK: {"fg": "green"}, Tone.WARNING: {"fg": "yellow"},
    Tone.ERROR: {"fg": "red", "bold": True}}
_META = "smpc_manager.verbosity"


def color_setting(choice: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """What ``--color CHOICE`` means for click: True or False, or None for "where the stream
    is a terminal". ``NO_COLOR`` (any value but the empty one) and ``TERM=dumb`` turn
    ``auto`` off."""
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return None


def configure(ctx: click.Context, *, color: str, quiet: bool, verbose: bool) -> None:
    """Apply the global options to the context the commands run under."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other", ctx)
    ctx.color = color_setting(color)
    ctx.meta[_META] = (Verbosity.QUIET if quiet else Verbosity.VERBOSE if verbose
                       else Verbosity.NORMAL)


def verbosity() -> Verbosity:
    """The verbosity of the command running (normal outside one)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_META, Verbosity.NORMAL) if ctx is not None else Verbosity.NORMAL


# ------------------------------------------------------------------------ the two streams


def result(text: str = "", *, nl: bool = True) -> None:
    """Print part of the command's result on standard output."""
    click.echo(text, nl=nl)


def error(text: str) -> None:
    """Print an error on standard error, whatever the verbosity."""
    click.echo(text, err=True)


def warning(text: str) -> None:
    """Print a warning about the inputs on standard error, unless --quiet."""
    if verbosity() >= Verbosity.NORMAL:
        click.echo(text, err=True)


def summary(text: str, tone: Tone = Tone.OK) -> None:
    """Print the one line a command ends with on standard error, unless --quiet; coloured
    by what it says (``tone``)."""
    if verbosity() >= Verbosity.NORMAL:
        click.echo(click.style(text, **_TONES[tone]), err=True)


def detail(text: str) -> None:
    """Print a line about one file on standard error, with --verbose only."""
    if verbosity() >= Verbosity.VERBOSE:
        click.echo(text, err=True)


# ------------------------------------------------------------------------ styles


def styled_path(path: object) -> str:
    """A path (``products/besponsa.xml:37:3``) as the head of a line: bold."""
    return click.style(str(path), bold=True)


def marker(severity: Severity) -> str:
    """``error`` or ``warning``, coloured: red or yellow."""
    return click.style(severity.value, **(_TONES[Tone.ERROR] if severity is Severity.ERROR
                                          else _TONES[Tone.WARNING]))


def styled_problem(problem: Problem) -> str:
    """A problem's line, ``str(problem)`` word for word, with its place in bold and a
    ``warning:`` marker in yellow."""
    prefix = f"{marker(problem.severity)}: " if problem.severity is Severity.WARNING else ""
    return f"{styled_path(problem.location)}: {prefix}{problem.message}"


def tone_of(errors: int, warnings: int = 0) -> Tone:
    """The tone of a summary that counts ``errors`` and ``warnings``."""
    return Tone.ERROR if errors else Tone.WARNING if warnings else Tone.OK


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 catalog``, ``2 catalogs``."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
