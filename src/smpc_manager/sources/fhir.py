"""The documents of a FHIR ePI, from its XML or its JSON form.

A Bundle holds Compositions, one per document, directly or in nested Bundles (the EMA's
``collection`` of ``document`` Bundles). Only what a document says of itself is read: its
type, language, title and sections, each section's title, codes, narrative and
sub-sections. Nothing else must be right: real ePIs have bare UUIDs as ``fullUrl``,
references to nothing (``subjectReference``), sections without a code or with a code
from another list, and FHIR R4 and R5 write these elements alike. What a section is, is
decided later (:mod:`.sections`).

The JSON form is read with the line each object starts on, so that a section is reported
where it stands; its narrative is a string of XHTML, parsed with the same hardened parser
as the XML form.
"""

from __future__ import annotations

import html.entities
import json
import json.decoder
import json.scanner
import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any, cast

from lxml import etree

from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.products import parse, shown
from smpc_manager.sources import qrd
from smpc_manager.sources.document import Block, Document, Section
from smpc_manager.sources.xhtml import XHTML, blocks, line_of, local

FHIR = "http://hl7.org/fhir"
_F = "{" + FHIR + "}"
#: How deep Bundles may nest, and sections in a document: far beyond any real ePI.
MAX_DEPTH = 32
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


class _Reading:
    """What is found while one file is read: its path, and problems that do not stop it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Problem] = []

    def at(self, line: int) -> SourceLocation:
        return SourceLocation(self.path, line)

    def warn(self, line: int, message: str) -> None:
        self.findings.append(Problem(self.at(line), message, Severity.WARNING))


def _kind(code: str | None) -> str:
    """The document type a Composition's type code names; "" where it names none."""
    return qrd.DOCUMENT_TYPES.get(qrd.term_id(code or "") or "", "")


def _section_code(codes: list[tuple[str, str]]) -> str | None:
    """The SPOR term of a section's codes: the one of the template's list where one is,
    else the first that is a term id at all (a document type, or a code of nowhere)."""
    terms = [(system, qrd.term_id(code)) for system, code in codes]
    for system, term in terms:
        if term is not None and (qrd.SECTION_LIST in system or qrd.key_for_code(term)):
            return term
    return next((term for _, term in terms if term is not None),
                codes[0][1] if codes else None)


# ---------------------------------------------------------------------------------- XML


def xml_documents(root: etree._Element, path: str) -> tuple[tuple[Document, ...],
                                                              list[Problem]]:
    """The documents under ``root``, a FHIR ``Bundle`` or a lone ``Composition``, and what
    was found wrong on the way."""
    reading = _Reading(path)
    if etree.QName(root).namespace != FHIR or local(root) not in ("Bundle", "Composition"):
        raise ProblemsError([Problem(reading.at(line_of(root)), (
            f"the root element is <{local(root)}>"
            f"{' in ' + repr(etree.QName(root).namespace) if etree.QName(root).namespace else ''}"
            f"; an ePI file holds a FHIR <Bundle> (namespace {FHIR})"))])
    documents = tuple(_xml_compositions(reading, root, 0))
    return documents, reading.findings


def _value(element: etree._Element, name: str) -> str | None:
    """The ``value`` of the child ``name`` (FHIR XML writes a primitive so)."""
    found = element.find(_F + name)
    return found.get("value") if found is not None else None


def _xml_compositions(reading: _Reading, element: etree._Element, depth: int
                      ) -> Iterator[Document]:
    if depth > MAX_DEPTH:
        raise ProblemsError([Problem(reading.at(line_of(element)),
                                     f"Bundles nested deeper than {MAX_DEPTH} levels")])
    if local(element) == "Composition":
        yield _xml_composition(reading, element)
        return
    for resource in element.iterfind(f"{_F}entry/{_F}resource/*"):
        if local(resource) in ("Composition", "Bundle"):
            yield from _xml_compositions(reading, resource, depth + 1)


def _xml_composition(reading: _Reading, element: etree._Element) -> Document:
    kind = next((c.get("value") for c in element.iterfind(f"{_F}type/{_F}coding/{_F}code")),
                None)
    sections = tuple(_xml_section(reading, s, 0) for s in element.iterfind(f"{_F}section"))
    return Document(_kind(kind), _value(element, "language") or "",
                    _value(element, "title") or "", sections, reading.at(line_of(element)))


def _xml_section(reading: _Reading, element: etree._Element, depth: int) -> Section:
    line = line_of(element)
    if depth > MAX_DEPTH:
        raise ProblemsError([Problem(reading.at(line),
                                     f"sections nested deeper than {MAX_DEPTH} levels")])
    codes = [(_value(c, "system") or "", _value(c, "code") or "")
             for c in element.iterfind(f"{_F}code/{_F}coding")]
    div = element.find(f"{_F}text/{{{XHTML}}}div")
    found = blocks(div, lambda e: line_of(e) or line) if div is not None else ()
    return Section(None, _section_code(codes), (_value(element, "title") or "").strip(),
                   found, tuple(_xml_section(reading, s, depth + 1)
                                for s in element.iterfind(f"{_F}section")),
                   reading.at(line))


# --------------------------------------------------------------------------------- JSON


#: The standard library's parser of a JSON object and its scanner in Python, which calls
#: the decoder's ``parse_object`` (its C scanner parses objects itself).
_JSON_OBJECT: Any = cast(Any, json.decoder).JSONObject
_PY_SCANNER: Any = cast(Any, json.scanner).py_make_scanner


class _Object(dict[str, Any]):
    """A JSON object, with the line it starts on."""

    line = 0


def load_json(text: str, path: str) -> Any:
    """``text`` parsed as JSON, each object an :class:`_Object` that knows its line.

    Raises :class:`ProblemsError` with the line and column of a syntax error, or for
    nesting too deep to follow.
    """
    newlines = [m.start() for m in re.finditer("\n", text)]

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_Object, int]:
        found, end = _JSON_OBJECT(s_and_end, *args)
        made = _Object(found)
        made.line = bisect_right(newlines, s_and_end[1] - 1) + 1  # the line of its '{'
        return made, end

    # The standard decoder with its object parser wrapped; the C scanner would not call it.
    decoder: Any = json.JSONDecoder()
    decoder.parse_object = parse_object
    decoder.scan_once = _PY_SCANNER(decoder)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as err:
        raise ProblemsError([Problem(SourceLocation(path, err.lineno, err.colno),
                                     f"the JSON is not well formed: {err.msg.lower()}")]
                            ) from None
    except RecursionError:
        raise ProblemsError([Problem(SourceLocation(path, 1),
                                     "the JSON is nested too deeply to be an ePI")]) from None


def json_documents(data: Any, path: str) -> tuple[tuple[Document, ...], list[Problem]]:
    """The documents of a parsed JSON ePI (:func:`load_json`), and what was found wrong."""
    reading = _Reading(path)
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in ("Bundle", "Composition"):
        what = f"resourceType {kind!r}" if isinstance(kind, str) else "no resourceType"
        raise ProblemsError([Problem(reading.at(getattr(data, "line", 1)),
                                     f"the JSON has {what}; an ePI file holds a FHIR Bundle")])
    return tuple(_json_compositions(reading, data, 0)), reading.findings


def _json_list(value: Any, name: str) -> list[Any]:
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


def _json_text(value: Any, name: str) -> str:
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


def _json_compositions(reading: _Reading, value: Any, depth: int) -> Iterator[Document]:
    if depth > MAX_DEPTH:
        raise ProblemsError([Problem(reading.at(getattr(value, "line", 0)),
                                     f"Bundles nested deeper than {MAX_DEPTH} levels")])
    if value.get("resourceType") == "Composition":
        yield _json_composition(reading, value)
        return
    for entry in _json_list(value, "entry"):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") in ("Composition",
                                                                           "Bundle"):
            yield from _json_compositions(reading, resource, depth + 1)


def _codings(concept: Any) -> list[tuple[str, str]]:
    """The (system, code) of each coding of a CodeableConcept."""
    return [(_json_text(c, "system"), _json_text(c, "code"))
            for c in _json_list(concept, "coding")]


def _json_composition(reading: _Reading, value: _Object) -> Document:
    kind = next((code for _, code in _codings(value.get("type"))), None)
    sections = tuple(_json_section(reading, s, 0) for s in _json_list(value, "section")
                     if isinstance(s, dict))
    return Document(_kind(kind), _json_text(value, "language"), _json_text(value, "title"),
                    sections, reading.at(value.line))


def _json_section(reading: _Reading, value: Any, depth: int) -> Section:
    line = getattr(value, "line", 0)
    if depth > MAX_DEPTH:
        raise ProblemsError([Problem(reading.at(line),
                                     f"sections nested deeper than {MAX_DEPTH} levels")])
    title = _json_text(value, "title").strip()
    narrative = value.get("text")
    found: tuple[Block, ...] = ()
    div = _json_text(narrative, "div")
    if div:
        element = _xhtml(reading, div, getattr(narrative, "line", line), title)
        text_line = getattr(narrative, "line", line)
        found = blocks(element, lambda _: text_line) if element is not None else ()
    return Section(None, _section_code(_codings(value.get("code"))), title, found,
                   tuple(_json_section(reading, s, depth + 1)
                         for s in _json_list(value, "section") if isinstance(s, dict)),
                   reading.at(line))


def _xhtml(reading: _Reading, div: str, line: int, title: str) -> etree._Element | None:
    """A narrative's XHTML string as an element; HTML's named entities (``&nbsp;``), which
    XHTML in FHIR may not use but real files do, are taken as their characters. A
    narrative that is not well-formed is reported, and read as no text."""
    text = _ENTITY.sub(_character, div)
    try:
        return parse(text.encode("utf-8"), SourceLocation(reading.path, line),
                     noun="narrative", document="div")
    except ProblemsError as err:
        reason = err.problems[0].message if err.problems else str(err)
        reading.warn(line, f"section '{shown(title)}': its XHTML is refused ({reason}); its"
                           " text is left out")
        return None


def _character(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    return html.entities.html5.get(name + ";", match.group(0))
