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
        out = self.path
        if self.line:
            out += f":{self.line}"
            if self.column:
                out += f":{self.column}"
        return out


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the input: where, what was wrong, and what was found."""

    location: SourceLocation
    message: str
    severity: Severity = Severity.ERROR
    #: The element or field the problem is about (``atc-code``, ``contraindications/2``).
    field: str | None = None

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.location}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "path": self.location.path,
            "line": self.location.line or None,
            "column": self.location.column or None,
            "field": self.field,
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
