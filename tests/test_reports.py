"""The JSON reports' one shape (:mod:`smpc_manager.reports`) and their schemas in
``schemas/json/``: valid draft 2020-12 schemas, one definition of a problem, the rules
``check`` knows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import ValidationError

from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.reports import REPORT_VERSION, report, validation_report
from smpc_manager.rules import RULE_IDS
from tests.reports import SCHEMAS, valid, validator

COMMANDS = ("build", "check", "impact", "stats", "validate")


def schema(command: str) -> dict[str, Any]:
    data = json.loads((SCHEMAS / f"{command}.schema.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_schema_for_each_report() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == [
        f"{c}.schema.json" for c in COMMANDS]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_schema_is_draft_2020_12_of_the_one_shape(command: str) -> None:
    data = schema(command)
    validator(command)  # checks the schema itself
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"version", "command", "summary", "items"} <= set(data["required"])
    assert data["properties"]["version"] == {
        "const": REPORT_VERSION, "description": "The version of the reports' shape."}
    assert data["properties"]["command"] == {"const": command}


def test_a_problem_is_defined_once_for_every_report() -> None:
    definitions = [schema(c)["$defs"]["problem"] for c in COMMANDS
                   if "problem" in schema(c).get("$defs", {})]
    assert len(definitions) == 3  # validate, check, build
    assert all(d == definitions[0] for d in definitions)
    assert set(definitions[0]["required"]) == set(
        Problem(SourceLocation("x"), "m").as_dict())


def test_the_check_schema_knows_every_rule() -> None:
    finding = schema("check")["$defs"]["finding"]
    assert set(finding["properties"]["rule"]["enum"]) == RULE_IDS


def test_the_envelope() -> None:
    data = report("stats", {"catalogs": 0, "complete": 0, "incomplete": 0}, iter([]))
    assert data == {"version": REPORT_VERSION, "command": "stats",
                    "summary": {"catalogs": 0, "complete": 0, "incomplete": 0}, "items": []}
    valid(data, "stats")


def test_a_validation_report_counts_errors_and_warnings() -> None:
    problems = [Problem(SourceLocation("a.xml", 3, 5), "bad", field="atc-code"),
                Problem(SourceLocation("a.xml"), "odd", Severity.WARNING)]
    data = valid(validation_report(2, problems), "validate")
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 1, "ok": False}
    assert data["items"][1] == {"severity": "warning", "path": "a.xml", "line": None,
                                "column": None, "field": None, "message": "odd"}


def test_a_report_that_breaks_its_schema_is_refused() -> None:
    data = validation_report(1, [])
    data["summary"] = {"files": 1}
    with pytest.raises(ValidationError, match="required property"):
        valid(data, "validate")
