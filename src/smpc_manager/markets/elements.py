"""The parts of a market profile a block is made of: its ``[[element]]`` tables, the wordings
of the market's codes, and the patterns with ``%(name)s`` placeholders; each read from the
profile's TOML with the line it stands on, so that every problem names ``path:line``.

:mod:`.profiles` reads the whole profile with them. The fields an element may print are
:data:`FIELDS`; ``docs/markets.md`` says what each prints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smpc_manager.errors import Problem, SourceLocation

#: The product fields an element can print (the product XML's element names, and
#: ``packs``, ``cost`` and ``adverse-event-reporting``, which the block composes).
FIELDS = (
    "additional-monitoring",
    "name",
    "active-substance",
    "composition",
    "excipients",
    "indications",
    "posology",
    "contraindications",
    "precautions",
    "warnings",
    "interactions",
    "pregnancy-lactation",
    "undesirable-effects",
    "leaflet-side-effects",
    "label-warnings",
    "pharmacotherapeutic-group",
    "atc-code",
    "marketing-authorisation-holder",
    "local-representative",
    "marketing-authorisation",
    "prescription-status",
    "controlled-drug",
    "reimbursement",
    "packs",
    "cost",
    "adverse-event-reporting",
    "revision-date",
    "prescribing-information-date",
)
#: Fields printed as the element's ``phrase`` on the days the product's data says so, and
#: not at all on the others: none of them is required.
DATED_FIELDS = ("additional-monitoring",)
#: Fields whose text is the element's ``phrase``, filled in from the product's data.
PHRASE_FIELDS = (*DATED_FIELDS, "adverse-event-reporting")
#: Fields whose value is a code of the market, worded by the profile's table of that name.
CODED_FIELDS = ("prescription-status", "controlled-drug", "reimbursement")
#: Fields that print a list of like items (numbers, substances, pack sizes), whose label
#: may have a plural form for when they print more than one (``plural-label``).
COUNTED_FIELDS = ("active-substance", "marketing-authorisation", "packs")
#: Conditions an element may be printed under.
CONDITIONS = ("single-active-not-in-name",)
PRINT_MODES = ("wording", "code")
#: The placeholders each pattern may use.
PLACEHOLDERS = {
    "cost-format": ("price", "pack"),
    "dated-cost-format": ("price", "pack", "date"),
    "presentation-note": ("presentations",),
    "contact-format": ("company", "contact"),
    "phone-format": ("phone",),
    "email-format": ("email",),
    "adverse-event-reporting": ("company",),
}

ELEMENT_KEYS = {"field", "phrase", "label", "plural-label", "run-in", "end", "optional",
                "when", "print", "fallback", "contact-format", "smpc"}

#: The section of the SmPC (its number in the QRD template) each field is taken from: what
#: an element's ``smpc`` key relates the element to.
SMPC_SECTION_OF = {
    "name": "1", "active-substance": "2", "composition": "2", "excipients": "6.1",
    "indications": "4.1", "posology": "4.2", "contraindications": "4.3", "precautions": "4.4",
    "warnings": "4.4", "interactions": "4.5", "pregnancy-lactation": "4.6",
    "undesirable-effects": "4.8", "pharmacotherapeutic-group": "5.1", "atc-code": "5.1",
    "marketing-authorisation-holder": "7", "marketing-authorisation": "8",
    "revision-date": "10",
}
#: How an element relates to its section of the SmPC (``smpc``): printed word for word
#: (``smpc check`` holds it to the SmPC's text), or consistent with it. Without the key, the
#: element is free of it.
SMPC_RELATIONS = ("verbatim", "consistent")
#: The fields printed in the product's own words, which can be held to the SmPC's word for
#: word (the others are composed: an address, a date, a list of numbers).
VERBATIM_FIELDS = ("active-substance", "composition", "excipients", "indications",
                   "posology", "contraindications", "precautions", "warnings", "interactions",
                   "pregnancy-lactation", "undesirable-effects", "pharmacotherapeutic-group")


@dataclass(frozen=True, slots=True)
class Message:
    """A ``smpc``-domain message: its English ``msgid`` and where a profile defines it."""

    msgid: str
    location: SourceLocation
    #: For the translator: what the message is (``AT label of contraindications``).
    note: str = ""


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a profile: a product field or a fixed phrase, in print order."""

    location: SourceLocation
    field: str | None = None
    phrase: Message | None = None
    label: Message | None = None
    #: The label printed instead of ``label`` where the field prints more than one item
    #: (``Marketing authorisation numbers``); None: ``label`` whatever the count.
    plural_label: Message | None = None
    run_in: bool = False
    end: str = "."
    optional: bool = False
    when: str | None = None
    print: str = "wording"
    #: The field printed instead where the product has no data for ``field``.
    fallback: str | None = None
    #: How the company adverse events are reported to is named with its contact details
    #: (``adverse-event-reporting``).
    contact_format: Message | None = None
    #: How the element relates to its section of the SmPC (:data:`SMPC_RELATIONS`); None:
    #: free of it.
    smpc: str | None = None

    @property
    def name(self) -> str:
        """The field name, or ``phrase`` for a fixed phrase."""
        return self.field or "phrase"

    def messages(self) -> list[Message]:
        """The ``smpc`` messages of the element, in file order."""
        return [m for m in (self.label, self.plural_label, self.phrase, self.contact_format)
                if m is not None]


class Lines:
    """Finds the line of a key in a profile's text, for ``path:line`` in problems."""

    def __init__(self, path: str, lines: list[str], prefix: str) -> None:
        self.path = path
        self.lines = lines
        self.prefix = re.escape(prefix)
        header = re.compile(rf"\s*\[\[\s*{self.prefix}element\s*\]\]")
        self.element_lines = [n for n, line in enumerate(lines, 1) if header.match(line)]
        self.base = 1
        if prefix:
            table = re.compile(rf"\s*\[{re.escape(prefix.rstrip('.'))}\]")
            self.base = next((n for n, line in enumerate(lines, 1) if table.match(line)), 1)

    def key(self, key: str, start: int = 0, section: str | None = None) -> SourceLocation:
        """The first line at or after ``start`` (or the ``[section]`` header) holding ``key``."""
        first = start or self.base
        if section is not None:
            header = re.compile(rf"\s*\[{self.prefix}{re.escape(section)}\]")
            first = next((n for n, line in enumerate(self.lines, 1) if header.match(line)),
                         first)
        pattern = re.compile(rf'\s*"?{re.escape(key)}"?\s*=')
        for number in range(first, len(self.lines) + 1):
            if pattern.match(self.lines[number - 1]):
                return SourceLocation(self.path, number)
        return SourceLocation(self.path, first if first > 1 or start else 0)

    def element(self, index: int) -> SourceLocation:
        if index < len(self.element_lines):
            return SourceLocation(self.path, self.element_lines[index])
        return SourceLocation(self.path)


class _Blank(dict[str, str]):
    """Any placeholder's value: empty."""

    def __missing__(self, key: str) -> str:
        return ""


def pattern_problems(kind: str, text: str) -> list[str]:
    """What is wrong with a pattern of ``kind`` (a key of :data:`PLACEHOLDERS`): a
    placeholder it may not use, or a ``%`` that is not one (write ``%%``).

    >>> pattern_problems("cost-format", "%(price)s per %(pack)s")
    []
    >>> pattern_problems("cost-format", "%(amount)s")
    ['uses %(amount)s; only %(price)s and %(pack)s exist']
    >>> pattern_problems("cost-format", "%(price)s, 100%")
    ['has a % that is no placeholder (write %% for a percent sign)']
    """
    allowed = PLACEHOLDERS[kind]
    found = [f"uses %({name})s; only {' and '.join(f'%({a})s' for a in allowed)} exist"
             for name in re.findall(r"%\((\w+)\)s", text) if name not in allowed]
    try:
        _ = text % _Blank()  # a trial: does the pattern fill in, whatever its names?
    except (ValueError, TypeError):
        found.append("has a % that is no placeholder (write %% for a percent sign)")
    return found


def parse_codes(table: str, value: Any, where: Lines, market: str,
                problems: list[Problem]) -> dict[str, Message]:
    """A table of the market's codes (``[prescription]``, ``[controlled-drug]``,
    ``[reimbursement]``): each code with the wording printed for it."""
    if not isinstance(value, dict):
        problems.append(Problem(where.key(table), f"[{table}] must be a table of code ="
                                " wording", field=table))
        return {}
    out: dict[str, Message] = {}
    what = "prescription code" if table == "prescription" else f"{table} code"
    for code, wording in value.items():
        location = where.key(code, section=table)
        if not isinstance(wording, str) or not wording.strip():
            problems.append(Problem(location, f"{table}.{code} must be the wording of the"
                                    f" code, found {wording!r}", field=table))
            continue
        out[code] = Message(wording, location, f"{market} wording of {what} {code}")
    return out


def parse_elements(value: Any, where: Lines, market: str,
                   problems: list[Problem]) -> tuple[Element, ...]:
    """The ``[[element]]`` tables, in order."""
    if not isinstance(value, list) or not value:
        if value != []:
            problems.append(Problem(where.key("element"), "element must be a list of"
                                    " [[element]] tables", field="element"))
        return ()
    elements: list[Element] = []
    for index, item in enumerate(value):
        location = where.element(index)
        if not isinstance(item, dict):
            problems.append(Problem(location, f"element {index + 1} must be a table",
                                    field="element"))
            continue
        element = _element(item, index, location, where=where, market=market,
                           problems=problems)
        if element is not None:
            elements.append(element)
    return tuple(elements)


def _smpc_problems(smpc: Any, field_name: Any) -> list[str]:
    """What is wrong with an element's ``smpc`` key (nothing where it has none)."""
    if smpc is None:
        return []
    if smpc not in SMPC_RELATIONS or field_name not in SMPC_SECTION_OF:
        return [f"smpc = {smpc!r} relates a field taken from the SmPC to it, as"
                f" {' or '.join(repr(r) for r in SMPC_RELATIONS)} (fields:"
                f" {', '.join(SMPC_SECTION_OF)})"]
    if smpc == "verbatim" and field_name not in VERBATIM_FIELDS:
        return [f"field '{field_name}' is composed, not printed in the SmPC's words: it can"
                " be 'consistent', not 'verbatim' (verbatim fields:"
                f" {', '.join(VERBATIM_FIELDS)})"]
    return []


def _label_problems(item: Mapping[str, Any], field_name: Any) -> list[tuple[str, str]]:
    """What is wrong with an element's ``label`` and ``plural-label``, by key."""
    found = []
    label, plural = item.get("label"), item.get("plural-label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        found.append(("label", f"label must be a non-empty text, found {label!r}"))
    if plural is not None and (not isinstance(plural, str) or not plural.strip()
                               or label is None or field_name not in COUNTED_FIELDS):
        found.append(("plural-label", "plural-label is a non-empty text, the label's plural,"
                      " for an element with a label that prints one of"
                      f" {', '.join(COUNTED_FIELDS)}"))
    return found


def _element(item: Mapping[str, Any], index: int, location: SourceLocation, *,
             where: Lines, market: str, problems: list[Problem]) -> Element | None:
    start = location.line
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(Problem(where.key(key, start) if key in item else location,
                                f"element {index + 1}: {message}", field=f"element.{key}"))

    for key in sorted(set(item) - ELEMENT_KEYS):
        bad(key, f"unknown key '{key}' (known: {', '.join(sorted(ELEMENT_KEYS))})")
    field_name, phrase = item.get("field"), item.get("phrase")
    if field_name in PHRASE_FIELDS:
        if phrase is None:
            bad("field", f"field '{field_name}' needs a 'phrase': "
                + ("the statement printed while the product is under it"
                   if field_name in DATED_FIELDS else "the statement it prints"))
    elif (field_name is None) == (phrase is None):
        bad("field", "needs exactly one of 'field' (a product field) or 'phrase' (a fixed"
            " text)")
    if field_name is not None and field_name not in FIELDS:
        bad("field", f"field '{field_name}' is not a product field (known: "
            f"{', '.join(FIELDS)})")
    if phrase is not None and (not isinstance(phrase, str) or not phrase.strip()):
        bad("phrase", f"phrase must be a non-empty text, found {phrase!r}")
    elif field_name == "adverse-event-reporting" and isinstance(phrase, str):
        for found in pattern_problems(field_name, phrase):
            bad("phrase", f"phrase {found}")
    for key, problem in _label_problems(item, field_name):
        bad(key, problem)
    for key in ("run-in", "optional"):
        if key in item and not isinstance(item[key], bool):
            bad(key, f"{key} must be true or false, found {item[key]!r}")
    end = item.get("end", ".")
    if not isinstance(end, str):
        bad("end", f"end must be a text, found {end!r}")
    when = item.get("when")
    if when is not None and when not in CONDITIONS:
        bad("when", f"condition '{when}' is unknown (known: {', '.join(CONDITIONS)})")
    mode = item.get("print", "wording")
    if mode not in PRINT_MODES or (mode == "code" and field_name not in CODED_FIELDS):
        bad("print", f"print = {mode!r} is only for {', '.join(CODED_FIELDS)}, as 'wording'"
            " or 'code'")
    fallback = item.get("fallback")
    if fallback is not None and (fallback not in FIELDS or fallback in PHRASE_FIELDS
                                 or field_name is None or field_name in PHRASE_FIELDS):
        bad("fallback", f"fallback = {fallback!r} must name a product field printed where"
            " the product has no data for the element's field")
    contact = item.get("contact-format")
    if contact is not None:
        if field_name != "adverse-event-reporting" or not isinstance(contact, str) \
                or not contact.strip():
            bad("contact-format", "contact-format is a text, for adverse-event-reporting")
        else:
            for found in pattern_problems("contact-format", contact):
                bad("contact-format", f"contact-format {found}")
    for problem in _smpc_problems(item.get("smpc"), field_name):
        bad("smpc", problem)
    if index == 0 and item.get("run-in"):
        bad("run-in", "the first element cannot run in: there is no paragraph before it")
    if len(problems) > before:
        return None
    what = field_name or "phrase"
    label, plural = item.get("label"), item.get("plural-label")
    phrase_note = f"{market} fixed phrase"
    if field_name == "additional-monitoring":
        phrase_note = f"{market} additional monitoring statement; keep the black triangle ▼"
    elif field_name == "adverse-event-reporting":
        phrase_note = (f"{market} adverse event reporting statement; %(company)s is the"
                       " company adverse events are also reported to")
    return Element(
        location=location,
        field=field_name,
        phrase=Message(phrase, where.key("phrase", start), phrase_note)
        if phrase is not None else None,
        label=Message(label, where.key("label", start), f"{market} label of {what}")
        if label is not None else None,
        plural_label=Message(plural, where.key("plural-label", start),
                             f"{market} label of {what} where it lists more than one")
        if plural is not None else None,
        run_in=bool(item.get("run-in", False)),
        end=end,
        optional=bool(item.get("optional", False)),
        when=when,
        print=mode,
        fallback=fallback,
        contact_format=Message(contact, where.key("contact-format", start),
                               f"{market} company adverse events are reported to:"
                               " %(company)s is its name, %(contact)s its phone, e-mail or"
                               " web address") if contact is not None else None,
        smpc=item.get("smpc"),
    )
