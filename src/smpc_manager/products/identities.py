"""libxml2's messages about ids and references (schema 2) in our words, naming both places.

Schema 2 gives substances, presentations, packs and indications ids (``xs:ID``: unique in
the file, whatever they name), checks the references that name one id with keyrefs
(``strength/@substance``, ``dose/@indication``) and allows one code per market with
``xs:unique``. libxml2 says ``'p1' is not a valid value of the atomic type 'Id'`` for an id
given twice and ``No match found for key-sequence ['s9'] of keyref 'strength-substance'``,
at one line; an editor reads where the id is already used, or which ids there are and
where.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from smpc_manager.errors import Problem, SourceLocation
from smpc_manager.products.positions import StartTags
from smpc_manager.products.reader import shown

_KEYREF = re.compile(
    r"No match found for key-sequence \['(.*)'\] of keyref '(?:\{[^}]*\})?([\w-]+)'"
)
_DUPLICATE = re.compile(
    r"Duplicate key-sequence \['(.*)'\] in (?:unique|key) identity-constraint"
    r" '(?:\{[^}]*\})?([\w-]+)'"
)
#: What each keyref of the schema refers to: the kind of element, and the path to those
#: elements from the root.
_REFERS_TO = {
    "strength-substance": ("substance", ("active-substances", "substance")),
    "dose-indication": ("indication", ("indications", "indication")),
}
#: libxml2's second word on a value it found invalid, which the first already reported.
NO_VALUE = "No precomputed value available"


def identity_problem(
    rest: str,
    element: str,
    line: int,
    *,
    node: etree._Element | None,
    root: etree._Element,
    where: SourceLocation,
    tags: StartTags,
) -> Problem | None:
    """Our words for a keyref or uniqueness message (``rest``, after libxml2's ``Element
    'x': ``) about ``element`` on ``line``; None for any other message.

    libxml2 gives no node path for these: the element is the one of that name on the line
    (``node``, where its path could be followed, is used first).
    """
    keyref = _KEYREF.search(rest)
    duplicate = _DUPLICATE.search(rest) if keyref is None else None
    if keyref is None and duplicate is None:
        return None
    if node is None or etree.QName(node).localname != element:
        node = _on_line(root, element, line)
    place = tags.place(node, element) if node is not None else (line, 0)
    location = SourceLocation(where.path, *place)
    if keyref is not None:
        value, constraint = keyref.groups()
        kind, path = _REFERS_TO.get(constraint, ("element", ()))
        defined = [(e.get("id") or "", line_of(e)) for e in _at(root, path) if e.get("id")]
        listed = ", ".join(f"{shown(i)} on line {n}" for i, n in defined)
        found = (f"the {kind}s with an id: {listed}" if defined
                 else f'no {kind} has an id; give it one, as in <{kind} id="...">')
        return Problem(location, f"{element} names {kind} '{shown(value)}', which is not"
                                 f" defined ({found})", field=kind)
    assert duplicate is not None
    value, constraint = duplicate.groups()
    attribute = ("id" if constraint.endswith("-id")
                 else "lang" if constraint.endswith("-lang") else "market")
    lines = [] if node is None else [
        line_of(e) for e in node.itersiblings(node.tag, preceding=True)
        if (e.get(attribute) or "").strip() == value
    ]
    before = f" (the first is on line {lines[-1]})" if lines else ""
    return Problem(location, f"a second {element} for {attribute} {shown(value)}{before}",
                   field=element)


def duplicate_id(
    value: str, node: etree._Element | None, root: etree._Element
) -> tuple[str, int] | None:
    """Where the id ``value`` of ``node`` is given before: the element's local name and
    line; None where no earlier element has it (the id is malformed instead)."""
    if node is None:
        return None
    for element in root.iter(etree.Element):
        if element is node:
            return None
        if element.get("id") == value:
            return etree.QName(element).localname, line_of(element)
    return None


def line_of(element: etree._Element) -> int:
    """The line libxml2 gives ``element`` (0 where it gives none)."""
    line: int = element.sourceline or 0  # type: ignore[assignment]
    return line


def _on_line(root: etree._Element, name: str, line: int) -> etree._Element | None:
    return next((e for e in root.iter(etree.Element)
                 if line_of(e) == line and etree.QName(e).localname == name), None)


def _at(root: etree._Element, path: tuple[str, ...]) -> Iterator[etree._Element]:
    """The elements at ``path`` (local names) below ``root``."""
    found = [root]
    for name in path:
        found = [c for e in found for c in e
                 if isinstance(c.tag, str) and etree.QName(c).localname == name]
    return iter(found)

