"""Which section of the template each section of an SmPC is, and what the file lacks.

A section is known by its SPOR code; where it has none, or one of another list, by its
numbered heading (``4.1.``), or by the words of its heading in English, German or
Spanish. A section the template has and the file does not give is looked for in the text
of the section before it and of its parent, where files merge it (4.8 written at the end
of 4.7, 6.1 in 6 under a paragraph "List of excipients"): found there, it becomes a
section ``merged_into`` that one, reported so; otherwise it is reported missing. Unresolved
template placeholders (``<tomar>``, ``{MM/AAAA}``, ``[To be completed nationally]``) are
reported in every document, with the line they stand on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.products import shown
from smpc_manager.sources import qrd
from smpc_manager.sources.document import Block, Document, Section

#: A QRD placeholder left in the text: a choice in angle brackets (``<tomar><usar>``), a
#: field in braces (``{MM/AAAA}``), a national part in square brackets.
PLACEHOLDER = re.compile(
    r"<[^<>\d\s=][^<>=]{0,80}>|\{[^{}]{1,40}\}"
    r"|\[[^\[\]]{0,60}(?:complet|auszuf|nationally|national)[^\[\]]{0,60}\]",
    re.IGNORECASE)


def classify(document: Document, path: str) -> tuple[Document, list[Problem]]:
    """``document`` with its sections numbered, and what it lacks: for an SmPC (or a
    document whose sections are an SmPC's), each section of the template missing or merged
    into another; for every document, its unresolved placeholders."""
    findings: list[Problem] = []
    sections = tuple(_numbered(s, findings) for s in document.sections)
    kind = document.kind or _kind_of(sections)
    if kind == "smpc":
        classified = dataclasses.replace(document, kind=kind, sections=sections)
        merged = _merged_and_missing(classified, findings)
        classified = dataclasses.replace(classified, merged=merged)
    else:
        # Another document's numbered headings are its own: none is an SmPC section.
        findings.clear()
        classified = dataclasses.replace(document, kind=kind, sections=tuple(
            _unnumbered(s) for s in document.sections))
    findings.extend(_placeholders(classified, path))
    return classified, findings


def _kind_of(sections: tuple[Section, ...]) -> str:
    """``smpc`` for a document the file does not type whose sections are an SmPC's: coded
    so, or headed with the words of at least three of the template's headings."""
    walked = [s for top in sections for s in top.walk()]
    coded = any(s.found_by == "code" or s.code == qrd.SMPC_ROOT for s in walked)
    headed = {qrd.key_for_heading(s.title) for s in walked} - {None}
    return "smpc" if coded or len(headed) >= 3 else ""


def _unnumbered(section: Section) -> Section:
    return dataclasses.replace(section, subsections=tuple(
        _unnumbered(s) for s in section.subsections))


def _numbered(section: Section, findings: list[Problem]) -> Section:
    """``section`` and those below it, each with its number and how it was found."""
    key, found_by = _key(section)
    number = qrd.heading_number(section.title)
    if key is not None and found_by == "code" and number not in (None, key) \
            and _known(number or ""):
        findings.append(Problem(
            section.location, f"§{key} ({qrd.section(key).heading('en')}) is headed"
            f" '{section.title}'; it is taken as §{key}, as its code says",
            Severity.WARNING, field="heading"))
    return dataclasses.replace(
        section, key=key, found_by=found_by,
        subsections=tuple(_numbered(s, findings) for s in section.subsections))


def _known(key: str) -> bool:
    try:
        qrd.section(key)
    except KeyError:
        return False
    return True


def _key(section: Section) -> tuple[str | None, str]:
    if section.code is not None:
        if section.code in qrd.SUBSECTION_CODES:
            return None, ""
        by_code = qrd.key_for_code(section.code)
        if by_code is not None:
            return by_code, "code"
    number = qrd.heading_number(section.title)
    if number is not None:
        # A number the template has not (2.2, 4.2.1) is a sub-section's, whatever its words.
        return (number, "heading") if _known(number) else (None, "")
    by_words = qrd.key_for_heading(section.title)
    return (by_words, "heading") if by_words is not None else (None, "")


def _merged_and_missing(document: Document, findings: list[Problem]) -> tuple[Section, ...]:
    given: dict[str, Section] = {}
    for section in document.walk():
        if section.key is None:
            continue
        if section.key in given:
            first = given[section.key].location.line
            findings.append(Problem(
                section.location, f"§{section.key} is given twice (first on line {first});"
                " the first is used", Severity.WARNING, field="duplicate"))
            continue
        given[section.key] = section
    merged: list[Section] = []
    for place, template in enumerate(qrd.SMPC_SECTIONS):
        if template.key in given:
            continue
        found = _merged(template, place, given)
        if found is None:
            findings.append(Problem(
                document.location, f"§{template.key} ({template.heading('en')}) is missing",
                Severity.WARNING, field="missing"))
            continue
        merged.append(found)
        heading = found.title
        findings.append(Problem(
            found.location, f"§{template.key} ({template.heading('en')}) is not a section of"
            f" its own: it is merged into §{found.merged_into}, under '{heading}'",
            Severity.WARNING, field="merged"))
    return tuple(merged)


def _merged(template: qrd.QrdSection, place: int, given: dict[str, Section]
            ) -> Section | None:
    """The section ``template`` as found in the text of the section before it or of its
    parent: its heading as a block, and the blocks up to the next heading of the
    template."""
    earlier = next((given[s.key] for s in reversed(qrd.SMPC_SECTIONS[:place])
                    if s.key in given), None)
    parent = given.get(template.parent or "")
    for host in dict.fromkeys(s for s in (earlier, parent) if s is not None):
        for part in host.walk():
            text = part.blocks
            for i, block in enumerate(text):
                if not qrd.is_heading_of(block.text.rstrip(":"), template.key):
                    continue
                end = next((j for j in range(i + 1, len(text)) if _any_heading(text[j])),
                           len(text))
                return Section(template.key, None, block.text, text[i + 1:end], (),
                               SourceLocation(host.location.path, block.line),
                               found_by="merged", merged_into=part.key or host.key)
    return None


def _any_heading(block: Block) -> bool:
    return qrd.key_for_heading(block.text.rstrip(":")) is not None


def _placeholders(document: Document, path: str) -> Iterator[Problem]:
    """One finding per placeholder and section: the first line it stands on."""
    for section in document.walk():
        seen: set[str] = set()
        name = f"§{section.key}" if section.key else f"section '{shown(section.title)}'"
        where = f"{name} of the {KIND_NAMES.get(document.kind, 'document')}"
        for text, line in [(section.title, section.location.line),
                           *((b.text, b.line) for b in section.blocks)]:
            for match in PLACEHOLDER.finditer(text):
                if match.group(0) in seen:
                    continue
                seen.add(match.group(0))
                yield Problem(SourceLocation(path, line),
                              f"{where}: unresolved template placeholder '{match.group(0)}'",
                              Severity.WARNING, field="placeholder")


#: How a finding names each type of document.
KIND_NAMES = {"smpc": "SmPC", "leaflet": "package leaflet", "annex-ii": "annex II",
          "labelling": "labelling"}
