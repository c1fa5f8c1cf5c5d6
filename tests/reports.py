"""The JSON reports of the command line, read as a program reads them: each parsed and held
to its JSON Schema, ``schemas/json/<command>.schema.json``, so that every report a test
reads is one the schema admits."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from tests.conftest import REPO

SCHEMAS = REPO / "schemas" / "json"


@cache
def validator(command: str) -> Draft202012Validator:
    """The validator of ``command``'s report, checking formats (``as_of`` is a date)."""
    schema = json.loads((SCHEMAS / f"{command}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def valid(data: object, command: str) -> dict[str, Any]:
    """The report ``data`` of ``command``, after it passed its schema as JSON."""
    return read_report(json.dumps(data), command)


def read_report(text: str, command: str) -> dict[str, Any]:
    """The report of ``command`` in ``text``, after it passed its schema."""
    data = json.loads(text)
    validator(command).validate(data)
    assert isinstance(data, dict)
    return data
