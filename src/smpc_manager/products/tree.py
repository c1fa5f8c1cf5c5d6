"""Turn a product tree the schema has accepted into the :class:`~smpc_manager.model.Product`.

The schema has checked what the walk relies on: every required element is there and every
value has its form (a date, an amount), so the walk does not check them again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from lxml import etree

from smpc_manager import inline
from smpc_manager.errors import SourceLocation
from smpc_manager.model import (
    PRODUCT_NAMESPACE,
    AdditionalMonitoring,
    Address,
    Authorisation,
    Cost,
    Holder,
    Located,
    MarketCode,
    PartialDate,
    Product,
    Text,
)
from smpc_manager.products.positions import DeferredLocation, StartTags
from smpc_manager.products.schema import field_notes

_NS = "{" + PRODUCT_NAMESPACE + "}"


def build_product(root: etree._Element, path: Path, tags: StartTags, sha256: str) -> Product:
    """The product under ``root``, read from ``path`` whose bytes hash to ``sha256``.

    Every value is located where ``tags`` finds its element; a value the schema let through
    but Python cannot read raises ValueError or ArithmeticError.
    """
    b = _Builder(path, tags)
    top = _children(root)

    def one(children: dict[str, list[etree._Element]], tag: str) -> etree._Element:
        found = children.get(_NS + tag)
        assert found, tag  # guaranteed by the schema
        return found[0]

    def section(tag: str) -> list[etree._Element]:
        """The paragraphs of an optional section (none where it is absent)."""
        found = top.get(_NS + tag)
        return _children(found[0]).get(_NS + "p", []) if found else []

    name = b.located(one(top, "name"), "name")
    strength = b.located(one(top, "strength"), "strength")
    form = b.text(one(top, "pharmaceutical-form"), "pharmaceutical-form",
                  "pharmaceutical-form", "pharmaceutical-form")
    composition = _children(one(top, "composition"))
    actives = b.items(composition.get(_NS + "active-substance", []), "active-substance",
                      "active-substance")
    composition_texts = b.items(composition.get(_NS + "p", []), "p", "composition")
    excipients = b.items(_children(one(top, "excipients")).get(_NS + "excipient", []),
                         "excipient", "excipients")
    sections = {
        tag: b.items(section(tag), "p", tag)
        for tag in ("indications", "posology", "contraindications", "warnings",
                    "undesirable-effects")
    }
    group = b.text(one(top, "pharmacotherapeutic-group"), "pharmacotherapeutic-group",
                   "pharmacotherapeutic-group", "pharmacotherapeutic-group")
    atc = b.located(one(top, "atc-code"), "atc-code")

    holder_el = one(top, "marketing-authorisation-holder")
    holder_parts = _children(holder_el)
    address = _children(one(holder_parts, "address"))
    postal = address.get(_NS + "postal-code")
    holder = Holder(
        name=_plain(one(holder_parts, "name")),
        address=Address(
            street=_plain(one(address, "street")),
            postal_code=_plain(postal[0]) if postal else None,
            city=b.text(one(address, "city"), "city", "marketing-authorisation-holder/city",
                        "city"),
            country=b.located(one(address, "country"), "country"),
        ),
        location=b.loc(holder_el, "marketing-authorisation-holder"),
    )

    authorisations = []
    for ma in top.get(_NS + "marketing-authorisation", ()):
        parts = _children(ma)
        renewal = parts.get(_NS + "renewal")
        valid_until = parts.get(_NS + "valid-until")
        authorisations.append(
            Authorisation(
                markets=tuple((ma.get("markets") or "").split()),
                type=ma.get("type", "standard").strip(),
                numbers=tuple(_plain(n) for n in parts.get(_NS + "number", ())),
                first_authorisation=b.date(one(parts, "first-authorisation"),
                                           "first-authorisation"),
                renewal=b.date(renewal[0], "renewal") if renewal else None,
                valid_until=b.date(valid_until[0], "valid-until") if valid_until else None,
                location=b.loc(ma, "marketing-authorisation"),
            )
        )
    monitoring = tuple(
        AdditionalMonitoring(
            markets=tuple((el.get("markets") or "").split()),
            start=b.date_attribute(el, "additional-monitoring", "from"),
            until=b.date_attribute(el, "additional-monitoring", "until"),
            location=b.loc(el, "additional-monitoring"),
        )
        for el in top.get(_NS + "additional-monitoring", ())
    )
    statuses = tuple(
        MarketCode((el.get("market") or "").strip(), _plain(el), b.loc(el, "prescription-status"))
        for el in top.get(_NS + "prescription-status", ())
    )
    costs = []
    for el in top.get(_NS + "cost", ()):
        market = (el.get("market") or "").strip()
        costs.append(
            Cost(
                market=market,
                currency=(el.get("currency") or "").strip(),
                amount=Decimal((el.get("amount") or "0").strip()),
                pack=b.text(el, "cost", f"cost/{market}", "cost"),
                location=b.loc(el, "cost"),
            )
        )
    revision_el = one(top, "revision-date")
    return Product(
        id=(root.get("id") or "").strip(),
        lang=(root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip(),
        path=str(path),
        location=b.loc(root, "product"),
        name=name,
        strength=strength,
        pharmaceutical_form=form,
        active_substances=actives,
        composition=composition_texts,
        excipients=excipients,
        indications=sections["indications"],
        posology=sections["posology"],
        contraindications=sections["contraindications"],
        warnings=sections["warnings"],
        undesirable_effects=sections["undesirable-effects"],
        pharmacotherapeutic_group=group,
        atc_code=atc,
        holder=holder,
        authorisations=tuple(authorisations),
        prescription_status=statuses,
        costs=tuple(costs),
        revision_date=Located(PartialDate.parse(_plain(revision_el)),
                              b.loc(revision_el, "revision-date")),
        review_by=b.date(one(top, "review-by"), "review-by"),
        additional_monitoring=monitoring,
        texts=tuple(b.texts),
        sha256=sha256,
    )


def _plain(element: etree._Element) -> str:
    """The element's text with any inline elements' text, whitespace folded."""
    if not len(element):  # no children, not even a comment: its text is all there is
        return " ".join((element.text or "").split())
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _markup(element: etree._Element) -> str:
    """The element's content as a message: inline elements as tags, whitespace folded."""
    if not len(element):
        return " ".join(inline.escape(element.text or "").split())
    parts = [inline.escape(element.text or "")]
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            tag = tag[tag.find("}") + 1 :]  # its local name, as etree.QName gives it
            parts.append(f"<{tag}>{inline.escape(child.text or '')}</{tag}>")
        parts.append(inline.escape(child.tail or ""))
    return " ".join("".join(parts).split())


def _children(parent: etree._Element) -> dict[str, list[etree._Element]]:
    """A parent's child elements by tag, in document order: one walk instead of a find per tag.

    ``children[tag]`` is what ``parent.findall(tag)`` returns (comments and processing
    instructions, whose tag is a function, are left out as findall leaves them out).
    """
    children: dict[str, list[etree._Element]] = {}
    for child in parent:
        tag = child.tag
        if isinstance(tag, str):  # a comment's or a processing instruction's is a function
            found = children.get(tag)
            if found is None:
                children[tag] = [child]
            else:
                found.append(child)
    return children


class _Builder:
    """What the walk over one product collects: located values, and its translatable texts
    in document order."""

    def __init__(self, path: Path, tags: StartTags) -> None:
        self.path = str(path)
        self.tags = tags
        self.texts: list[Text] = []
        self.notes = field_notes()

    def loc(self, element: etree._Element, name: str) -> SourceLocation:
        """Where ``element`` (local name ``name``, which the caller looked it up by) starts:
        found when first asked (:class:`DeferredLocation`)."""
        return DeferredLocation(self.path, self.tags, element, name)

    def located(self, element: etree._Element, name: str) -> Located[str]:
        return Located(_plain(element), self.loc(element, name))

    def text(self, element: etree._Element, name: str, context: str, note_key: str,
             source: str | None = None) -> Text:
        """The translatable text of ``element``; ``source``, if given, is its message
        (:func:`_markup`), already made by the caller."""
        text = Text(context, _markup(element) if source is None else source,
                    self.loc(element, name), self.notes.get(note_key, ""))
        self.texts.append(text)
        return text

    def items(self, elements: Sequence[etree._Element], tag: str, section: str
              ) -> tuple[Text, ...]:
        """Repeated items of a section (``elements``, each named ``tag``), each with the
        context ``section``.

        A message is known by its field and its English, never by its position: inserting,
        removing or moving a paragraph leaves every other paragraph's message, and so its
        translation, as it was (the position is in the ``#:`` reference). The same English
        a second time in one field is ``section#2``, a third time ``section#3``: an
        occurrence count of that text, which other paragraphs do not change.
        """
        note_key = section if tag == "p" else tag
        seen: Counter[str] = Counter()
        texts = []
        for child in elements:
            source = _markup(child)
            seen[source] += 1
            context = section if seen[source] == 1 else f"{section}#{seen[source]}"
            texts.append(self.text(child, tag, context, note_key, source))
        return tuple(texts)

    def date(self, element: etree._Element, name: str) -> Located[dt.date]:
        return Located(dt.date.fromisoformat(_plain(element)), self.loc(element, name))

    def date_attribute(
        self, element: etree._Element, name: str, attribute: str
    ) -> Located[dt.date] | None:
        """A date given as an attribute, where it is written; None when it is absent."""
        value = element.get(attribute)
        if value is None:
            return None
        place = self.tags.place_attribute(element, name, attribute)
        return Located(dt.date.fromisoformat(value.strip()), SourceLocation(self.path, *place))
