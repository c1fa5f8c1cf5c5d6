"""The one shape of every machine-readable report: ``smpc validate``, ``check`` and ``stats``
with ``--format json``, and the file ``smpc build --report`` writes.

.. code-block:: json

    {"version": 1, "command": "check", "summary": {"errors": 0, "ok": true},
     "items": [{"severity": "error", "path": "products/besponsa.xml", "line": 55}]}

``summary`` holds what the command's one-line summary states, ``items`` one record per thing
reported on: a problem (``validate``), a finding (``check``), a catalog (``stats``), an output
(``build``). A report may add keys of its own beside them (``build`` lists its problems).
Within a version, keys may be added but none is removed or changes meaning; ``version``
changes when one is. Each command's report is described by a JSON Schema (draft 2020-12),
``schemas/json/<command>.schema.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from smpc_manager.errors import Problem, Severity

#: The version of the reports' shape.
REPORT_VERSION = 1


def report(command: str, summary: Mapping[str, object], items: Iterable[object],
           **more: object) -> dict[str, object]:
    """The report of ``command``: its summary and its items, in the one shape."""
    return {"version": REPORT_VERSION, "command": command, "summary": dict(summary),
            "items": list(items), **more}


def problems_summary(problems: Sequence[Problem]) -> dict[str, object]:
    """The counts a list of problems adds up to: errors, warnings, and ``ok`` (no error)."""
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    return {"errors": errors, "warnings": len(problems) - errors, "ok": errors == 0}


def validation_report(files: int, problems: Sequence[Problem]) -> dict[str, object]:
    """The report of ``smpc validate`` over ``files`` product files."""
    return report("validate", {"files": files, **problems_summary(problems)},
                  (p.as_dict() for p in problems))
