"""ATC codes that went out of date: the WHO's alterations of the ATC index, as data.

Once a year the WHO Collaborating Centre for Drug Statistics Methodology moves substances
to other codes (in 2022 every monoclonal antibody of L01XC to the new L01F: inotuzumab
ozogamicin's L01XC26 became L01FB01). An SmPC keeps printing the old code until its
holder varies it, and a summary must print what its SmPC prints; so a changed code is a
warning by default, something to watch, and an error where the portfolio's policy says so
(``policy.atc-code-changed = "error"``).

The alterations ship as data, ``data/atc-alterations.toml`` beside this module, each group
with the day the ATC index that made it took effect and where it is published; a
portfolio adds its own in ``smpc.toml`` in the same form (``[[atc-alterations]]``), and
one of its own replaces a shipped one of the same previous code.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.files import read_bytes
from smpc_manager.model import Product
from smpc_manager.portfolio import CONFIG_FILE, MAX_CONFIG_BYTES, Portfolio
from smpc_manager.rules.dates import Finding

#: The shipped alterations.
ALTERATIONS_FILE = Path(__file__).resolve().parent / "data" / "atc-alterations.toml"
#: The name of the table of alterations, in the shipped file and in ``smpc.toml``.
TABLE = "atc-alterations"
RULE = "atc-code-changed"
_GROUP_KEYS = {"from", "source", "codes"}
_CODE_KEYS = {"previous", "new", "substance"}
#: An ATC code of any level: L, L01, L01F, L01FB, L01FB01.
_ATC = re.compile(r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?")
_HEADER = re.compile(rf"\s*\[\[\s*{TABLE}\s*\]\]")


@dataclass(frozen=True, slots=True)
class Alteration:
    """A substance's ATC code changed: ``previous`` is ``new`` from the day ``start``."""

    previous: str
    new: str
    substance: str
    start: dt.date
    source: str
    location: SourceLocation


class Alterations:
    """A table of alterations, by previous code."""

    def __init__(self, alterations: Iterable[Alteration] = ()) -> None:
        self._by_code: dict[str, Alteration] = {a.previous: a for a in alterations}

    def __len__(self) -> int:
        return len(self._by_code)

    def __add__(self, other: Alterations) -> Alterations:
        """This table with ``other``'s alterations, which replace those of the same code."""
        return Alterations([*self._by_code.values(), *other._by_code.values()])

    def changes(self, code: str, as_of: dt.date) -> tuple[Alteration, ...]:
        """The alterations in effect on ``as_of`` that lead from ``code`` to the code of
        today, in order (a code changed twice has two); none for a code not changed."""
        found: list[Alteration] = []
        seen = {code}
        step = self._by_code.get(code)
        while step is not None and step.start <= as_of and step.new not in seen:
            found.append(step)
            seen.add(step.new)
            step = self._by_code.get(step.new)
        return tuple(found)


# ------------------------------------------------------------------------ the rule


def atc_findings(product: Product, alterations: Alterations, as_of: dt.date,
                 severity: Severity = Severity.WARNING) -> list[Problem]:
    """The product's atc-code, if the ATC index has changed it as of ``as_of``: one
    finding naming the code of today (``severity``: the portfolio's policy)."""
    code = product.atc_code
    changes = alterations.changes(code.value, as_of)
    if not changes:
        return []
    last = changes[-1]
    steps = ", then ".join(f"{a.new} from {a.start} ({a.source})" for a in changes)
    return [Finding(
        code.location,
        f"atc-code {code.value} ({changes[0].substance}) is {steps} in the ATC index: keep"
        f" {code.value} while the approved SmPC prints it, and print {last.new} once a"
        " variation of its section 5.1 does",
        severity=severity, field="atc-code", rule=RULE, date=last.start.isoformat(),
    )]


# ------------------------------------------------------------------------ the tables


@cache
def shipped_alterations() -> Alterations:
    """The alterations that ship with the tool, read once."""
    data = ALTERATIONS_FILE.read_bytes()
    return parse_alterations(data.decode("utf-8"), str(ALTERATIONS_FILE))


def alterations_for(portfolio: Portfolio) -> Alterations:
    """The shipped alterations with those the portfolio's ``smpc.toml`` adds.

    Raises :class:`ProblemsError` naming ``smpc.toml:line`` for a table that is not of the
    documented form."""
    shipped = shipped_alterations()
    if not portfolio.atc_alterations:
        return shipped
    config = portfolio.root / CONFIG_FILE
    try:
        text = read_bytes(config, limit=MAX_CONFIG_BYTES).decode("utf-8", "replace")
    except OSError:  # read and checked by the portfolio's loader; lines are a courtesy
        text = ""
    return shipped + _alterations(portfolio.atc_alterations, str(config), text.splitlines())


def parse_alterations(text: str, path: str) -> Alterations:
    """The ``[[atc-alterations]]`` of a TOML text; :class:`ProblemsError` for anything
    wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProblemsError([Problem(SourceLocation(path), f"is not valid TOML: {err}")]) \
            from None
    return _alterations(data.get(TABLE, ()), path, text.splitlines())


def _alterations(groups: Any, path: str, lines: list[str]) -> Alterations:
    """The alterations of the groups of ``[[atc-alterations]]`` read from ``path``."""
    headers = [n for n, line in enumerate(lines, 1) if _HEADER.match(line)]
    problems: list[Problem] = []
    found: dict[str, Alteration] = {}
    if not isinstance(groups, list):
        groups = [groups]
    for index, group in enumerate(groups):
        header = headers[index] if index < len(headers) else 0
        where = SourceLocation(path, header)
        for alteration in _group(group, where, lines, problems):
            if alteration.previous in found:
                problems.append(Problem(alteration.location, f"{TABLE}: {alteration.previous}"
                                        " is altered twice; give each previous code once",
                                        field=TABLE))
            found[alteration.previous] = alteration
    if problems:
        raise ProblemsError(problems)
    return Alterations(found.values())


def _group(group: Any, where: SourceLocation, lines: list[str],
           problems: list[Problem]) -> list[Alteration]:
    """One ``[[atc-alterations]]`` table: its day, its source and its codes."""
    def problem(message: str, location: SourceLocation = where) -> None:
        problems.append(Problem(location, f"{TABLE}: {message}", field=TABLE))

    if not isinstance(group, Mapping):
        problem(f"each entry must be a table of {', '.join(sorted(_GROUP_KEYS))}, found"
                f" {group!r}")
        return []
    for key in sorted(set(group) - _GROUP_KEYS):
        problem(f"unknown key '{key}' (known: {', '.join(sorted(_GROUP_KEYS))})")
    start, source, codes = group.get("from"), group.get("source"), group.get("codes")
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        problem("from must be the day the alterations took effect, as a TOML date"
                f" (from = 2022-01-01), found {start!r}")
    if not isinstance(source, str) or not source.strip():
        problem(f"source must say where the alterations are published, found {source!r}")
    if not isinstance(codes, list) or not codes:
        problem("codes must list the alterations, { previous = \"L01XC26\", new = \"L01FB01\","
                f" substance = \"inotuzumab ozogamicin\" }} each, found {codes!r}")
        return []
    if not isinstance(start, dt.date) or not isinstance(source, str):
        return []
    found = []
    for code in codes:
        location = _line_of(code, where, lines)
        if not isinstance(code, Mapping) or set(code) != _CODE_KEYS or not all(
                isinstance(code[k], str) for k in _CODE_KEYS):
            problem("each of codes must be { previous = …, new = …, substance = … }, found"
                    f" {code!r}", location)
            continue
        bad = [code[k] for k in ("previous", "new") if not _ATC.fullmatch(code[k])]
        if bad:
            problem(f"{', '.join(repr(b) for b in bad)} is not an ATC code (e.g. L01FB01)",
                    location)
            continue
        found.append(Alteration(code["previous"], code["new"], code["substance"], start,
                                source.strip(), location))
    return found


def _line_of(code: Any, where: SourceLocation, lines: list[str]) -> SourceLocation:
    """The line of ``code`` in its group (by its previous code), else the group's."""
    if isinstance(code, Mapping) and isinstance(code.get("previous"), str):
        pattern = re.compile(rf"previous\s*=\s*[\"']{re.escape(code['previous'])}[\"']")
        for number in range(max(where.line, 1), len(lines) + 1):
            if pattern.search(lines[number - 1]):
                return SourceLocation(where.path, number)
    return where
