"""A product file (schema 2) drafted from the fields an SmPC gives (:mod:`.fields`).

Every element the schema requires is written, so that the draft validates: where the SmPC
does not give a value, a marker (:data:`TO_FILL`) or, for a code or a date, a value that
keeps the file valid stands in its place, and a note says so. The texts are the SmPC's
words as they are, so that what a market prints verbatim matches its section.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.inline import attribute, escape
from smpc_manager.model import EU_MEMBER_STATES, PRODUCT_NAMESPACE_2, SCHEMA_2_LOCATION
from smpc_manager.sources.fields import ExcipientGroup, Fields, Item, PresentationFields

#: What stands where the SmPC gives no text for a field the schema requires.
TO_FILL = "[to be completed]"
#: The order of the sections of paragraphs after the contraindications.
_OPTIONAL_SECTIONS = ("precautions", "interactions", "pregnancy-lactation",
                      "undesirable-effects")


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted product: its id, the text of its file, and the notes on what was not
    filled or is unsure, each at the SmPC's line."""

    product_id: str
    text: str
    notes: tuple[Problem, ...]


def product_id_for(name: str) -> str:
    """A product id made of a name: ``Humira`` -> ``humira``, ``Calcio/Vitamina D3 ROVI``
    -> ``calcio-vitamina-d3-rovi``."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:64].strip("-")
    return slug if slug and slug not in ("smpc", "templates") else "product"


def market_of(fields: Fields) -> tuple[str, bool]:
    """The market of the authorisation: ``EU`` for EU numbers, else the country of the
    SmPC's language (and False: a guess)."""
    if fields.numbers and all(n.startswith("EU/") for n, _ in fields.numbers):
        return "EU", True
    country = {"en": "GB", "el": "GR", "da": "DK", "sv": "SE", "cs": "CZ", "et": "EE",
               "sl": "SI"}.get(fields.lang.split("-")[0].lower(),
                               fields.lang.split("-")[0].upper())
    return (country if country in EU_MEMBER_STATES or country == "GB" else "EU"), False


class _Writer:
    def __init__(self, fields: Fields, path: str, product_id: str, today: dt.date) -> None:
        self.fields = fields
        self.path = path
        self.product_id = product_id
        self.today = today
        self.lines: list[str] = []
        self.notes: list[Problem] = list(fields.notes)

    def note(self, line: int, message: str, element: str) -> None:
        self.notes.append(Problem(SourceLocation(self.path, line or self.fields.line),
                                  message, Severity.WARNING, field=element))

    def add(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def element(self, depth: int, name: str, value: str, attributes: str = "",
                *, markup: bool = False) -> None:
        content = value if markup else escape(value)
        self.add(depth, f"<{name}{attributes}>{content}</{name}>")

    def texts(self, depth: int, name: str, items: list[Item], tag: str = "p") -> None:
        self.add(depth, f"<{name}>")
        for item in items or [Item(escape(TO_FILL), 0)]:
            self.element(depth + 1, tag, item.markup, markup=True)
        self.add(depth, f"</{name}>")


def draft_product(fields: Fields, path: str, product_id: str, today: dt.date, *,
                  sources: tuple[tuple[str, str], ...] = (), origin: str = "") -> Draft:
    """The product file drafted from ``fields``, taken from the SmPC at ``path``; ``today``
    is the day the review-by date is counted from; ``sources`` the (language, path) of the
    SmPCs the portfolio keeps elsewhere than at the conventional place; ``origin`` the name
    the draft's first comment gives the SmPC (by default ``path``)."""
    w = _Writer(fields, path, product_id, today)
    w.add(0, '<?xml version="1.0" encoding="UTF-8"?>')
    w.add(0, f'<?xml-model href="{SCHEMA_2_LOCATION}"'
             ' schematypens="http://www.w3.org/2001/XMLSchema"?>')
    w.add(0, f"<!-- Drafted by `smpc import` from {escape(_comment(origin or path))}: check every"
             " field against the SmPC. -->")
    w.add(0, f'<product xmlns="{PRODUCT_NAMESPACE_2}" id={attribute(product_id)}'
             f" xml:lang={attribute(fields.lang or 'en')}>")
    w.element(1, "name", fields.name or TO_FILL)
    if fields.monitored is not None:
        market = market_of(fields)[0]
        w.add(1, f'<additional-monitoring markets="{market}"/>')
        w.note(fields.monitored, "the SmPC says the medicine is under additional monitoring:"
               f" the draft lists it in {market} without dates; add from and until",
               "additional-monitoring")
    _substances(w)
    _presentations(w)
    _excipients(w)
    w.texts(1, "indications", fields.sections.get("indications", []))
    if "posology" in fields.sections:
        w.texts(1, "posology", fields.sections["posology"])
    w.texts(1, "contraindications", fields.sections.get("contraindications", []))
    for element in _OPTIONAL_SECTIONS:
        if element in fields.sections:
            w.texts(1, element, fields.sections[element])
    w.element(1, "pharmacotherapeutic-group",
              fields.group.markup if fields.group else escape(TO_FILL), markup=True)
    w.element(1, "atc-code", fields.atc or "V")
    if fields.atc is None:
        w.note(0, "atc-code: 'V' (various) stands in for the code §5.1 does not give",
               "atc-code")
    market = _holder_and_authorisation(w)
    _dates(w, market)
    for lang, where in sources:
        w.add(1, f"<smpc-source lang={attribute(lang)} path={attribute(where)}/>")
    w.add(0, "</product>")
    return Draft(product_id, "\n".join(w.lines) + "\n", tuple(w.notes))


def _comment(path: str) -> str:
    return path.replace("--", "-")


def _substances(w: _Writer) -> None:
    substances = w.fields.substances or [Item(escape(TO_FILL), 0)]
    w.add(1, "<active-substances>")
    for i, item in enumerate(substances, 1):
        attributes = f' id="s{i}"' if len(substances) > 1 else ""
        w.element(2, "substance", item.markup, attributes, markup=True)
    w.add(1, "</active-substances>")


def _presentations(w: _Writer) -> None:
    w.add(1, "<presentations>")
    seen: set[tuple[str | None, str]] = set()
    presentations = w.fields.presentations or [
        PresentationFields(Item(escape(TO_FILL), 0), None, None)]
    for i, presentation in enumerate(presentations, 1):
        strength, form = presentation.strength, presentation.form
        composition, line = presentation.composition, presentation.title.line
        form_text = form.markup if form else escape(TO_FILL)
        if (strength, form_text) in seen:
            w.note(line, f"§1 names '{strength} {form_text}' twice: the second presentation is"
                   " left out", "presentations")
            continue
        seen.add((strength, form_text))
        w.add(2, f'<presentation id="p{i}">')
        w.element(3, "strength", strength or TO_FILL)
        w.element(3, "pharmaceutical-form", form_text, markup=True)
        w.texts(3, "composition", composition)
        w.add(2, "</presentation>")
    w.add(1, "</presentations>")


def _excipients(w: _Writer) -> None:
    groups = w.fields.excipients
    w.add(1, "<excipients>")
    if not groups:
        w.element(2, "excipient", TO_FILL)
    elif all(g.heading is None and not g.presentations for g in groups):
        for group in groups:
            for item in group.excipients:
                w.element(2, "excipient", item.markup, markup=True)
    else:
        for group in groups:
            _group(w, group)
    w.add(1, "</excipients>")


def _group(w: _Writer, group: ExcipientGroup) -> None:
    limited = " ".join(f"p{i + 1}" for i in group.presentations)
    w.add(2, f"<group{f' presentations={attribute(limited)}' if limited else ''}>")
    if group.heading is not None:
        w.element(3, "heading", group.heading.markup, markup=True)
    else:
        presentations = w.fields.presentations
        title = (presentations[group.presentations[0]].title.markup if group.presentations
                 else escape(TO_FILL))
        w.element(3, "heading", title, markup=True)
        w.note(group.excipients[0].line, "§6.1 gives some excipients under no heading among"
               f" groups that have one: headed '{title}'", "excipients")
    for item in group.excipients:
        w.element(3, "excipient", item.markup, markup=True)
    w.add(2, "</group>")


def _holder_and_authorisation(w: _Writer) -> str:
    fields = w.fields
    market, certain = market_of(fields)
    holder = fields.holder
    w.add(1, "<marketing-authorisation-holder>")
    w.element(2, "name", holder.name if holder else TO_FILL)
    w.add(2, "<address>")
    w.element(3, "street", holder.street if holder and holder.street else TO_FILL)
    if holder and holder.postal_code:
        w.element(3, "postal-code", holder.postal_code)
    w.element(3, "city", holder.city.markup if holder and holder.city else escape(TO_FILL),
              markup=True)
    country = holder.country if holder and holder.country else None
    w.element(3, "country", country or (market if market != "EU" else "BE"))
    if country is None:
        w.note(0, "marketing-authorisation-holder: §7 names no country the tool knows: the"
               " country is a stand-in", "marketing-authorisation-holder")
    w.add(2, "</address>")
    w.add(1, "</marketing-authorisation-holder>")
    if not certain:
        w.note(0, f"marketing-authorisation: the numbers are not EU numbers; the market is"
               f" taken as {market}, from the SmPC's language", "marketing-authorisation")
    w.add(1, f'<marketing-authorisation markets="{market}">')
    known = {f"p{i}" for i in range(1, len(fields.presentations) + 1)}
    for number, limited in fields.numbers:
        ids = " ".join(f"p{i + 1}" for i in limited if f"p{i + 1}" in known)
        w.element(2, "number", number, f' presentations="{ids}"' if ids else "")
    first = fields.first_authorisation
    renewal = fields.renewal
    first_day = first.date() if first else None
    if renewal is not None and first_day is not None and renewal.date() < first_day:
        w.note(0, f"§9: the renewal '{renewal.written}' is before the first authorisation;"
               " left out", "marketing-authorisation")
        renewal = None
    if first_day is None:
        first_day = fields.revision.date() if fields.revision else w.today
        w.note(0, f"first-authorisation: {first_day.isoformat()} stands in for the date §9"
               " does not give", "first-authorisation")
    w.element(2, "first-authorisation", first_day.isoformat())
    if renewal is not None:
        w.element(2, "renewal", renewal.date().isoformat())
    w.add(1, "</marketing-authorisation>")
    return market


def _dates(w: _Writer, market: str) -> None:
    revision = w.fields.revision
    if revision is None:
        text = f"{w.today.year:04d}-{w.today.month:02d}"
        w.note(0, f"revision-date: {text} stands in for the date §10 does not give",
               "revision-date")
    else:
        text = revision.date().isoformat() if revision.day else revision.month_text()
    w.element(1, "revision-date", text)
    review = w.today.replace(year=w.today.year + 1, day=min(w.today.day, 28))
    w.element(1, "review-by", review.isoformat())
    w.note(0, f"review-by: {review.isoformat()}, a year from today; set the day by which the"
           f" summary is to be checked against the SmPC again (market {market})", "review-by")
