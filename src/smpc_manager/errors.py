"""One small exception tree; each class knows its exit code.

The library raises these; only :mod:`smpc_manager.cli` prints them and exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smpc_manager.model import Problem


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
