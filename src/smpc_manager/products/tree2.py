"""Turn a schema 2 product tree the schema has accepted into the
:class:`~smpc_manager.model.Product`.

The schema has checked what the walk relies on, as for schema 1 (:mod:`.tree`), whose
builder this walk shares: a text's message, its location and its gettext context are made
the same way for both versions. A field that schema 1 has keeps its context (a presentation's
form is ``pharmaceutical-form``, a substance ``active-substance``, a paragraph of 4.3
``contraindications``), so that a catalog made for a schema 1 file stays translated when the
file is migrated. The notes a translator reads come from the documentation in
``schemas/product-2.xsd``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from smpc_manager.model import (
    PRODUCT_NAMESPACE_2,
    AdditionalMonitoring,
    Address,
    AdverseEventContact,
    Authorisation,
    AuthorisationNumber,
    Dose,
    Excipient,
    ExcipientGroup,
    Holder,
    Indication,
    Located,
    MarketCode,
    MarketDate,
    MarketName,
    MarketNumber,
    Pack,
    PartialDate,
    Presentation,
    Price,
    Product,
    Representative,
    SmpcSource,
    Strength,
    Substance,
    Text,
)
from smpc_manager.products.positions import StartTags
from smpc_manager.products.schema import schema_documentation
from smpc_manager.products.tree import _Builder, _children, _plain

_NS = "{" + PRODUCT_NAMESPACE_2 + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The note of each field: the documentation of the element in ``product-2.xsd`` that
#: says what its text is and where it is printed, by the key the builder looks notes up
#: by (the field of a paragraph, the element's name otherwise).
_NOTE_SOURCES = {
    "substance": "active-substances/substance",
    "pharmaceutical-form": "presentation/pharmaceutical-form",
    "composition": "presentation/composition",
    "pack": "pack/size",
    "excipient": "excipients/excipient",
    "excipient-group": "group/heading",
    "indications": "indications/p",
    "indication-heading": "indication/heading",
    "posology": "posology/p",
    "city": "Address/city",
    **{name: f"product/{name}" for name in (
        "contraindications", "precautions", "interactions", "pregnancy-lactation",
        "undesirable-effects", "leaflet-side-effects", "label-warnings",
        "pharmacotherapeutic-group")},
}
#: The sections of paragraphs after the contraindications, by element name.
_SECTIONS = ("contraindications", "precautions", "interactions", "pregnancy-lactation",
             "undesirable-effects", "leaflet-side-effects", "label-warnings")

Children = dict[str, list[etree._Element]]


@cache
def _notes() -> dict[str, str]:
    documentation = schema_documentation(2)
    return {key: documentation.get(source, "") for key, source in _NOTE_SOURCES.items()}


def build_product_2(root: etree._Element, path: Path, tags: StartTags, sha256: str) -> Product:
    """The schema 2 product under ``root``, read from ``path`` whose bytes hash to ``sha256``.

    Every value is located where ``tags`` finds its element; a value the schema let through
    but Python cannot read raises ValueError or ArithmeticError.
    """
    walk = _Walk(path, tags)
    return walk.product(root, sha256)


def _one(children: Children, tag: str) -> etree._Element:
    found = children.get(_NS + tag)
    assert found, tag  # guaranteed by the schema
    return found[0]


def _all(children: Children, tag: str) -> list[etree._Element]:
    return children.get(_NS + tag, [])


def _optional(children: Children, tag: str) -> str | None:
    found = children.get(_NS + tag)
    return _plain(found[0]) if found else None


def _markets(element: etree._Element, attribute: str = "markets") -> tuple[str, ...]:
    return tuple((element.get(attribute) or "").split())


def _presentations(element: etree._Element) -> tuple[str, ...]:
    return _markets(element, "presentations")


class _Walk:
    """The walk over one schema 2 product, with the builder that collects its texts."""

    def __init__(self, path: Path, tags: StartTags) -> None:
        self.b = _Builder(path, tags)
        self.b.notes = _notes()

    def product(self, root: etree._Element, sha256: str) -> Product:
        b = self.b
        top = _children(root)
        names = tuple(MarketName(_markets(e), b.located(e, "name")) for e in _all(top, "name"))
        monitoring = tuple(
            AdditionalMonitoring(
                markets=_markets(e),
                start=b.date_attribute(e, "additional-monitoring", "from"),
                until=b.date_attribute(e, "additional-monitoring", "until"),
                location=b.loc(e, "additional-monitoring"),
            )
            for e in _all(top, "additional-monitoring")
        )
        substance_elements = _all(_children(_one(top, "active-substances")), "substance")
        substances = tuple(
            Substance((e.get("id") or "").strip() or None, text, b.loc(e, "substance"))
            for e, text in zip(substance_elements,
                               self.b.items(substance_elements, "substance", "active-substance"),
                               strict=True)
        )
        presentations = tuple(self.presentation(e) for e in
                              _all(_children(_one(top, "presentations")), "presentation"))
        groups = self.excipients(_one(top, "excipients"))
        indications = self.indications(_one(top, "indications"))
        posology = top.get(_NS + "posology")
        general, doses = self.posology(posology[0]) if posology else ((), ())
        sections = {tag: self.b.items(_all(_children(found[0]), "p"), "p", tag)
                    for tag in _SECTIONS if (found := top.get(_NS + tag))}
        group = _one(top, "pharmacotherapeutic-group")
        group_text = b.text(group, "pharmacotherapeutic-group", "pharmacotherapeutic-group",
                            "pharmacotherapeutic-group")
        atc = b.located(_one(top, "atc-code"), "atc-code")
        holders = tuple(self.holder(e) for e in _all(top, "marketing-authorisation-holder"))
        representatives = tuple(self.representative(e)
                                for e in _all(top, "local-representative"))
        contacts = tuple(self.contact(e) for e in _all(top, "adverse-event-contact"))
        authorisations = tuple(self.authorisation(e)
                               for e in _all(top, "marketing-authorisation"))
        revision = _one(top, "revision-date")
        first = presentations[0]
        return Product(
            id=(root.get("id") or "").strip(),
            lang=(root.get(_XML_LANG) or "").strip(),
            path=b.path,
            location=b.loc(root, "product"),
            name=names[0].name,
            strength=Located("/".join(s.value.value for s in first.strengths),
                             first.strengths[0].value.location),
            pharmaceutical_form=first.form,
            active_substances=tuple(s.name for s in substances),
            composition=first.composition,
            excipients=tuple(e.text for g in groups for e in g.excipients),
            indications=tuple(p for i in indications for p in i.paragraphs),
            posology=general,
            contraindications=sections["contraindications"],
            warnings=(),
            undesirable_effects=sections.get("undesirable-effects", ()),
            pharmacotherapeutic_group=group_text,
            atc_code=atc,
            holder=holders[0],
            authorisations=authorisations,
            prescription_status=self.codes(top, "prescription-status"),
            costs=(),
            revision_date=Located(PartialDate.parse(_plain(revision)),
                                  b.loc(revision, "revision-date")),
            review_by=b.date(_one(top, "review-by"), "review-by"),
            additional_monitoring=monitoring,
            schema=2,
            names=names,
            substances=substances,
            presentations=presentations,
            excipient_groups=groups,
            indication_items=indications,
            doses=doses,
            precautions=sections.get("precautions", ()),
            interactions=sections.get("interactions", ()),
            pregnancy_lactation=sections.get("pregnancy-lactation", ()),
            leaflet_side_effects=sections.get("leaflet-side-effects", ()),
            label_warnings=sections.get("label-warnings", ()),
            holders=holders,
            local_representatives=representatives,
            adverse_event_contacts=contacts,
            controlled_drugs=self.codes(top, "controlled-drug"),
            reimbursements=self.codes(top, "reimbursement"),
            prescribing_information_dates=tuple(
                MarketDate(_markets(e), Located(PartialDate.parse(_plain(e)),
                                                b.loc(e, "prescribing-information-date")))
                for e in _all(top, "prescribing-information-date")
            ),
            smpc_sources=tuple(
                SmpcSource((e.get("lang") or "").strip(), (e.get("path") or "").strip(),
                           b.loc(e, "smpc-source"))
                for e in _all(top, "smpc-source")
            ),
            texts=tuple(b.texts),
            sha256=sha256,
        )

    def presentation(self, element: etree._Element) -> Presentation:
        b = self.b
        parts = _children(element)
        strengths = tuple(
            Strength(b.located(e, "strength"), (e.get("substance") or "").strip() or None)
            for e in _all(parts, "strength")
        )
        form = b.text(_one(parts, "pharmaceutical-form"), "pharmaceutical-form",
                      "pharmaceutical-form", "pharmaceutical-form")
        composition = self.b.items(_all(_children(_one(parts, "composition")), "p"), "p",
                                 "composition")
        packs = tuple(self.pack(e) for e in _all(parts, "pack"))
        return Presentation((element.get("id") or "").strip(), strengths, form, composition,
                            packs, b.loc(element, "presentation"))

    def pack(self, element: etree._Element) -> Pack:
        b = self.b
        parts = _children(element)
        size = b.text(_one(parts, "size"), "size", "pack", "pack")
        numbers = tuple(MarketNumber(_markets(e), _plain(e), b.loc(e, "number"))
                        for e in _all(parts, "number"))
        prices = tuple(
            Price(
                markets=_markets(e),
                currency=(e.get("currency") or "").strip(),
                amount=Decimal(_plain(e)),
                start=b.date_attribute(e, "price", "from"),
                location=b.loc(e, "price"),
            )
            for e in _all(parts, "price")
        )
        return Pack((element.get("id") or "").strip() or None, size, numbers, prices,
                    b.loc(element, "pack"), _presentations(element))

    def excipients(self, element: etree._Element) -> tuple[ExcipientGroup, ...]:
        """The groups of excipients; a flat list is one group without a heading."""
        b = self.b
        parts = _children(element)
        flat = _all(parts, "excipient")
        if flat:
            return (ExcipientGroup(None, self.excipient_list(flat), (),
                                   b.loc(element, "excipients")),)
        groups = []
        for group in _all(parts, "group"):
            members = _children(group)
            heading = b.text(_one(members, "heading"), "heading", "excipient-group",
                             "excipient-group")
            groups.append(ExcipientGroup(heading,
                                         self.excipient_list(_all(members, "excipient")),
                                         _presentations(group), b.loc(group, "group")))
        return tuple(groups)

    def excipient_list(self, elements: list[etree._Element]) -> tuple[Excipient, ...]:
        texts = self.b.items(elements, "excipient", "excipients")
        return tuple(Excipient(text, _presentations(e))
                     for e, text in zip(elements, texts, strict=True))

    def indications(self, element: etree._Element) -> tuple[Indication, ...]:
        """The indications as items; paragraphs are one item without id or heading."""
        b = self.b
        parts = _children(element)
        paragraphs = _all(parts, "p")
        if paragraphs:
            return (Indication(None, None, self.b.items(paragraphs, "p", "indications"),
                               b.loc(element, "indications")),)
        items = []
        for indication in _all(parts, "indication"):
            members = _children(indication)
            heading = members.get(_NS + "heading")
            items.append(Indication(
                (indication.get("id") or "").strip() or None,
                b.text(heading[0], "heading", "indication-heading", "indication-heading")
                if heading else None,
                self.b.items(_all(members, "p"), "p", "indications"),
                b.loc(indication, "indication"),
            ))
        return tuple(items)

    def posology(self, element: etree._Element
                 ) -> tuple[tuple[Text, ...], tuple[Dose, ...]]:
        """The general paragraphs of the posology, and the dose of each indication."""
        parts = _children(element)
        general = self.b.items(_all(parts, "p"), "p", "posology")
        doses = tuple(
            Dose((e.get("indication") or "").strip(),
                 self.b.items(_all(_children(e), "p"), "p", "posology"), self.b.loc(e, "dose"))
            for e in _all(parts, "dose")
        )
        return general, doses

    def address(self, element: etree._Element, city_context: str) -> Address:
        b = self.b
        parts = _children(element)
        return Address(
            street=_plain(_one(parts, "street")),
            postal_code=_optional(parts, "postal-code"),
            city=b.text(_one(parts, "city"), "city", city_context, "city"),
            country=b.located(_one(parts, "country"), "country"),
        )

    def holder(self, element: etree._Element) -> Holder:
        parts = _children(element)
        return Holder(
            name=_plain(_one(parts, "name")),
            address=self.address(_one(parts, "address"), "marketing-authorisation-holder/city"),
            location=self.b.loc(element, "marketing-authorisation-holder"),
            markets=_markets(element),
        )

    def representative(self, element: etree._Element) -> Representative:
        parts = _children(element)
        return Representative(
            markets=_markets(element),
            name=_plain(_one(parts, "name")),
            address=self.address(_one(parts, "address"), "local-representative/city"),
            phone=_optional(parts, "phone"),
            email=_optional(parts, "email"),
            location=self.b.loc(element, "local-representative"),
        )

    def contact(self, element: etree._Element) -> AdverseEventContact:
        parts = _children(element)
        return AdverseEventContact(
            markets=_markets(element),
            name=_plain(_one(parts, "name")),
            phone=_optional(parts, "phone"),
            email=_optional(parts, "email"),
            url=_optional(parts, "url"),
            location=self.b.loc(element, "adverse-event-contact"),
        )

    def authorisation(self, element: etree._Element) -> Authorisation:
        b = self.b
        parts = _children(element)
        renewal = parts.get(_NS + "renewal")
        valid_until = parts.get(_NS + "valid-until")
        numbers = tuple(AuthorisationNumber(_plain(e), _presentations(e), b.loc(e, "number"))
                        for e in _all(parts, "number"))
        return Authorisation(
            markets=_markets(element),
            type=element.get("type", "standard").strip(),
            numbers=tuple(n.value for n in numbers),
            first_authorisation=b.date(_one(parts, "first-authorisation"),
                                       "first-authorisation"),
            renewal=b.date(renewal[0], "renewal") if renewal else None,
            valid_until=b.date(valid_until[0], "valid-until") if valid_until else None,
            location=b.loc(element, "marketing-authorisation"),
            number_entries=numbers,
        )

    def codes(self, top: Children, tag: str) -> tuple[MarketCode, ...]:
        return tuple(MarketCode((e.get("market") or "").strip(), _plain(e), self.b.loc(e, tag))
                     for e in _all(top, tag))
