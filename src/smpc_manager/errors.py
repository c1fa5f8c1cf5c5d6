"""One small exception tree; each class knows its exit code; and the problems they carry.

The library raises these; only :mod:`smpc_manager.cli` prints them and exits. A
:class:`Problem` and its :class:`SourceLocation` live here rather than with the model
(:mod:`smpc_manager.model`), so that what only reports problems (the settings, the build's
plan) does not depend on the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """Where something came from: a path, and where known a 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        # A file name may hold a newline, an escape sequence or (from os.fsdecode) an
        # undecodable byte: shown escaped, the line stays one line and drives no terminal.
        out = printable(self.path)
        if self.line:
            out += f":{self.line}"
            if self.column:
                out += f":{self.column}"
        return out


def printable(text: str) -> str:
    r"""``text`` with each character that is not printable written as Python writes it in a
    string literal: a newline as ``\n``, ESC as ``\x1b``, a C1 control as ``\x9b``, a bidi
    control as ``\u202e``, and an undecodable byte of a file name (``os.fsdecode`` gives it
    as a lone surrogate) as ``\udce9``.

    >>> printable("caf\udce9\n\x1b[2J.xml")
    'caf\\udce9\\n\\x1b[2J.xml'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def json_safe(text: str) -> str:
    r"""``text`` fit for any JSON reader: a lone surrogate (an undecodable byte of a file
    name) written as the text ``\udce9``; every other character kept.

    >>> json_safe("caf\udce9.xml")
    'caf\\udce9.xml'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the input: where, what was wrong, and what was found."""

    location: SourceLocation
    message: str
    severity: Severity = Severity.ERROR
    #: The element or field the problem is about (``atc-code``, ``contraindications``).
    field: str | None = None

    def __post_init__(self) -> None:
        # Whatever a message quotes (a value from a file, a file name, a link's target) is
        # shown escaped here, once for every way a problem is printed.
        if not self.message.isprintable():
            object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.location}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "path": json_safe(self.location.path),
            "line": self.location.line or None,
            "column": self.location.column or None,
            "field": None if self.field is None else json_safe(self.field),
            "message": self.message,
        }


class SmpcError(Exception):
    """An expected failure: bad input, a refused render. Printed as one line, exit 1."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The lines to print, one per problem."""
        return [str(self)]


class UsageError(SmpcError):
    """The command line itself is wrong (unknown market, bad option value). Exit 2."""

    exit_code = 2


class ProblemsError(SmpcError):
    """One or more problems found in the input, each with its source location."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
