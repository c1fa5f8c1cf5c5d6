"""The immutable model: a product as loaded from its XML, and the problems found in input.

Every value that came from a file carries the :class:`SourceLocation` it came from, so that a
check, a translation or a refusal can point at ``products/besponsa.xml:31:3``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from smpc_manager.errors import SourceLocation

T = TypeVar("T")

#: The namespace of the product XML, schema 1 (schemas/product.xsd).
PRODUCT_NAMESPACE = "urn:smpc-manager:product:1"
#: The namespace of schema 2 (schemas/product-2.xsd).
PRODUCT_NAMESPACE_2 = "urn:smpc-manager:product:2"
#: The schema version a product file follows, by the namespace of its root element.
SCHEMA_VERSIONS = {PRODUCT_NAMESPACE: 1, PRODUCT_NAMESPACE_2: 2}
#: Where XML editors find schema 2: the href of a product file's ``<?xml-model?>``
#: instruction, which ``schemas/catalog.xml`` maps to the shipped file.
SCHEMA_2_LOCATION = "https://smpc-manager.org/schemas/product-2.xsd"


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value read from the XML, with the location of the element that held it."""

    value: T
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Text:
    """A translatable piece of text: one gettext message of the product's domain.

    ``source`` is the message as it appears in the catalog: the element's text with inline
    ``sup``/``sub``/``em`` kept as tags and ``&``, ``<``, ``>`` escaped, so a translator
    sees exactly the markup a translation must keep.
    """

    context: str
    source: str
    location: SourceLocation
    #: What the field means, for the translator (from the schema's documentation).
    note: str = ""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date that may be given to the month only (``2022-02``), as SmPC revision dates are."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError for an impossible date.

        >>> PartialDate.parse("2022-02").last_day()
        datetime.date(2022, 2, 28)
        """
        parts = text.strip().split("-")
        if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(f"'{text}' is not a date (expected YYYY-MM or YYYY-MM-DD)")
        year, month = int(parts[0]), int(parts[1])
        day = int(parts[2]) if len(parts) == 3 else None
        dt.date(year, month, day or 1)  # raises ValueError for month 13 or 30 February
        return cls(year, month, day)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    def last_day(self) -> dt.date:
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    postal_code: str | None
    city: Text
    country: Located[str]


@dataclass(frozen=True, slots=True)
class Holder:
    """A marketing authorisation holder."""

    name: str
    address: Address
    location: SourceLocation
    #: The markets this holder holds the authorisation in, where it is not the first
    #: holder (schema 2); () for the first, which holds it everywhere else.
    markets: tuple[str, ...] = ()

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class Authorisation:
    """A marketing authorisation, for the markets it covers (``EU`` for a centralised one)."""

    markets: tuple[str, ...]
    type: str
    numbers: tuple[str, ...]
    first_authorisation: Located[dt.date]
    renewal: Located[dt.date] | None
    valid_until: Located[dt.date] | None
    location: SourceLocation
    #: Schema 2: each number with the presentations it is limited to (the same numbers as
    #: ``numbers``); () for schema 1, whose numbers are all of the one product.
    number_entries: tuple[AuthorisationNumber, ...] = ()

    def covers(self, market: str) -> bool:
        """Whether this authorisation applies in ``market``; ``EU`` covers the member states."""
        return covers(self.markets, market)

    def numbers_of(self, presentation: str) -> tuple[str, ...]:
        """The numbers that hold for the presentation with the id ``presentation``: those
        limited to it and those of every presentation."""
        if not self.number_entries:
            return self.numbers
        return tuple(n.value for n in self.number_entries
                     if not n.presentations or presentation in n.presentations)


@dataclass(frozen=True, slots=True)
class AuthorisationNumber:
    """A number of a marketing authorisation (schema 2), limited to some presentations where
    a national authorisation numbers each strength on its own; () is every presentation."""

    value: str
    presentations: tuple[str, ...]
    location: SourceLocation


def covers(markets: tuple[str, ...], market: str) -> bool:
    """Whether a list of markets names ``market``; ``EU`` names every member state.

    >>> covers(("EU",), "AT"), covers(("GB",), "AT")
    (True, False)
    """
    return market in markets or ("EU" in markets and market in EU_MEMBER_STATES)


#: Member states of the European Union (EEA members follow centralised authorisations too).
EU_MEMBER_STATES = frozenset((
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
))


@dataclass(frozen=True, slots=True)
class AdditionalMonitoring:
    """A stretch of days on which the product is under additional monitoring (the ▼) in
    some markets (``EU`` for the member states, as an authorisation names them).

    ``start`` and ``until`` are the first and the last day listed, each where it is
    written (the attribute's place); ``None`` is an open end.
    """

    markets: tuple[str, ...]
    start: Located[dt.date] | None
    until: Located[dt.date] | None
    location: SourceLocation

    def covers(self, market: str) -> bool:
        """Whether the entry names ``market``; ``EU`` covers the member states."""
        return covers(self.markets, market)

    def listed_on(self, day: dt.date) -> bool:
        """Whether ``day`` lies from ``start`` up to and including ``until``."""
        return (self.start is None or self.start.value <= day) and (
            self.until is None or day <= self.until.value
        )


@dataclass(frozen=True, slots=True)
class MarketCode:
    """A code that holds in one market: a prescription status, a controlled-drug category, a
    reimbursement status."""

    market: str
    code: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost excluding VAT of a stated pack in one market."""

    market: str
    currency: str
    amount: Decimal
    pack: Text
    location: SourceLocation


# ---------------------------------------------------------------------- schema 2


@dataclass(frozen=True, slots=True)
class MarketName:
    """A name of the product that replaces its first name in some markets (schema 2)."""

    markets: tuple[str, ...]
    name: Located[str]

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class Substance:
    """An active substance: its INN (a message) and the id strengths name it by, if any."""

    id: str | None
    name: Text
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Strength:
    """The amount of one active substance in a presentation, as written (``0.25 mg``); the
    substance's id, or None where the product has one substance or the strength is the
    presentation's as printed (``80 mg/12.5 mg``)."""

    value: Located[str]
    substance: str | None


@dataclass(frozen=True, slots=True)
class MarketNumber:
    """An authorisation number of a pack in some markets."""

    markets: tuple[str, ...]
    value: str
    location: SourceLocation

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class Price:
    """The price of a pack excluding VAT in some markets, from a day on (``start``, where
    written; None: since before any day that matters)."""

    markets: tuple[str, ...]
    currency: str
    amount: Decimal
    start: Located[dt.date] | None
    location: SourceLocation

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class Pack:
    """A marketed pack of a presentation: its size (a message), numbers and prices."""

    id: str | None
    size: Text
    numbers: tuple[MarketNumber, ...]
    prices: tuple[Price, ...]
    location: SourceLocation
    #: The ids of every presentation the pack holds, where it holds several (a treatment
    #: initiation pack of two strengths); () for the one presentation it stands in.
    presentations: tuple[str, ...] = ()

    def number_for(self, market: str) -> MarketNumber | None:
        return next((n for n in self.numbers if n.covers(market)), None)

    def price_on(self, market: str, day: dt.date) -> Price | None:
        """The price in force in ``market`` on ``day``: of those that cover the market and
        have begun, the one that began last (one without a start began first)."""
        begun = [p for p in self.prices
                 if p.covers(market) and (p.start is None or p.start.value <= day)]
        return max(begun, key=lambda p: dt.date.min if p.start is None else p.start.value,
                   default=None)


@dataclass(frozen=True, slots=True)
class Presentation:
    """One strength (of each active substance) in one pharmaceutical form, with its
    composition (SmPC section 2) and packs."""

    id: str
    strengths: tuple[Strength, ...]
    form: Text
    composition: tuple[Text, ...]
    packs: tuple[Pack, ...]
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Excipient:
    """An excipient (a message), in every presentation or, where ``presentations`` names
    some, in those only."""

    text: Text
    presentations: tuple[str, ...] = ()

    def in_presentation(self, presentation: str) -> bool:
        return not self.presentations or presentation in self.presentations


@dataclass(frozen=True, slots=True)
class ExcipientGroup:
    """Excipients under a heading (``Capsule shell``), limited to some presentations or
    not. A flat list of excipients is one group without a heading."""

    heading: Text | None
    excipients: tuple[Excipient, ...]
    presentations: tuple[str, ...]
    location: SourceLocation

    def in_presentation(self, presentation: str) -> bool:
        return not self.presentations or presentation in self.presentations


@dataclass(frozen=True, slots=True)
class Indication:
    """One therapeutic indication: its heading (its name), where it has one, and its
    paragraphs. Indications given as plain paragraphs are one item without id or heading."""

    id: str | None
    heading: Text | None
    paragraphs: tuple[Text, ...]
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Dose:
    """The posology of the indication with the id ``indication``."""

    indication: str
    paragraphs: tuple[Text, ...]
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Representative:
    """The local representative of the holder in some markets."""

    markets: tuple[str, ...]
    name: str
    address: Address
    phone: str | None
    email: str | None
    location: SourceLocation

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class AdverseEventContact:
    """The company adverse events are also reported to in some markets, and how."""

    markets: tuple[str, ...]
    name: str
    phone: str | None
    email: str | None
    url: str | None
    location: SourceLocation

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class MarketDate:
    """A date that holds in some markets: the prescribing information's date."""

    markets: tuple[str, ...]
    date: Located[PartialDate]

    def covers(self, market: str) -> bool:
        return covers(self.markets, market)


@dataclass(frozen=True, slots=True)
class SmpcSource:
    """Where the approved SmPC in one language lies (``smpc-source``), relative to the
    portfolio's root, where a product names it rather than keeping it at the conventional
    ``sources/<id>/<lang>.xml`` or ``.json``."""

    lang: str
    path: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Product:
    """One medicinal product, loaded and validated. Build it with :func:`loader.load_product`.

    ``schema`` is the version of the file it was read from. The fields up to
    ``additional_monitoring`` are schema 1's, and a schema 2 product fills them with what
    means the same: its first name and holder, every substance, excipient and indication
    paragraph in document order, its general posology. Schema 1's ``strength``,
    ``pharmaceutical_form`` and ``composition`` are, for schema 2, those of the first
    presentation (its strengths joined with ``/``), and ``warnings`` and ``costs`` are
    empty: schema 2 has ``precautions`` and ``label_warnings``, and prices per pack. The
    fields after them are schema 2's, empty for a schema 1 product.
    """

    id: str
    lang: str
    path: str
    location: SourceLocation
    name: Located[str]
    strength: Located[str]
    pharmaceutical_form: Text
    active_substances: tuple[Text, ...]
    composition: tuple[Text, ...]
    excipients: tuple[Text, ...]
    indications: tuple[Text, ...]
    posology: tuple[Text, ...]
    contraindications: tuple[Text, ...]
    warnings: tuple[Text, ...]
    undesirable_effects: tuple[Text, ...]
    pharmacotherapeutic_group: Text
    atc_code: Located[str]
    holder: Holder
    authorisations: tuple[Authorisation, ...]
    prescription_status: tuple[MarketCode, ...]
    costs: tuple[Cost, ...]
    revision_date: Located[PartialDate]
    review_by: Located[dt.date]
    #: Where and when the product is under additional monitoring, in document order.
    additional_monitoring: tuple[AdditionalMonitoring, ...] = ()
    #: The schema version of the file: 1 (``urn:smpc-manager:product:1``) or 2.
    schema: int = 1
    #: Schema 2: the names that replace ``name`` in some markets.
    names: tuple[MarketName, ...] = ()
    #: Schema 2: the active substances (``active_substances`` holds their names).
    substances: tuple[Substance, ...] = ()
    presentations: tuple[Presentation, ...] = ()
    #: Schema 2: the excipients, in groups; a flat list is one group without a heading.
    excipient_groups: tuple[ExcipientGroup, ...] = ()
    #: Schema 2: the indications as items (``indications`` holds all their paragraphs).
    indication_items: tuple[Indication, ...] = ()
    #: Schema 2: the posology of each indication (``posology`` holds the general part).
    doses: tuple[Dose, ...] = ()
    #: SmPC 4.4 as the English prescribing information prints it (IE, GB).
    precautions: tuple[Text, ...] = ()
    #: SmPC 4.5.
    interactions: tuple[Text, ...] = ()
    #: SmPC 4.6.
    pregnancy_lactation: tuple[Text, ...] = ()
    #: The side effects as in the package leaflet (DE, § 4 (1) Nr. 6 HWG).
    leaflet_side_effects: tuple[Text, ...] = ()
    #: The warnings required on the container and carton (DE "Warnhinweise", § 4 (1) Nr. 7
    #: HWG).
    label_warnings: tuple[Text, ...] = ()
    #: Schema 2: every holder, the first (``holder``) included.
    holders: tuple[Holder, ...] = ()
    local_representatives: tuple[Representative, ...] = ()
    adverse_event_contacts: tuple[AdverseEventContact, ...] = ()
    controlled_drugs: tuple[MarketCode, ...] = ()
    reimbursements: tuple[MarketCode, ...] = ()
    #: When the prescribing information was drawn up or last revised (ABPI, IPHA), per
    #: market; not the SmPC's ``revision_date``.
    prescribing_information_dates: tuple[MarketDate, ...] = ()
    #: Schema 2: the SmPC files the product names, one per language, where they are not at
    #: the conventional place.
    smpc_sources: tuple[SmpcSource, ...] = ()
    #: Every translatable text in document order (the product's gettext messages).
    texts: tuple[Text, ...] = field(default=(), repr=False)
    #: The sha256 of the file's bytes as they were read: the product an output is made
    #: from, named by what was loaded rather than by the file, which may change meanwhile.
    sha256: str = field(default="", repr=False, compare=False)

    def messages(self) -> Iterator[Text]:
        """The translatable texts in document order, one per gettext message."""
        return iter(self.texts)

    def section(self, name: str) -> tuple[Text, ...]:
        """The texts of a section by its element name (``contraindications``)."""
        value = getattr(self, name.replace("-", "_"))
        if isinstance(value, Text):
            return (value,)
        if isinstance(value, tuple):
            return value
        raise KeyError(name)

    def prescription_code(self, market: str) -> MarketCode | None:
        return next((s for s in self.prescription_status if s.market == market), None)

    def controlled_drug(self, market: str) -> MarketCode | None:
        return next((s for s in self.controlled_drugs if s.market == market), None)

    def reimbursement(self, market: str) -> MarketCode | None:
        return next((s for s in self.reimbursements if s.market == market), None)

    def name_in(self, market: str) -> Located[str]:
        """The product's name in ``market``: the one named for it, or the first."""
        return next((n.name for n in self.names if n.covers(market)), self.name)

    def holder_in(self, market: str) -> Holder:
        """The marketing authorisation holder in ``market``: the one named for it, or the
        first."""
        return next((h for h in self.holders if h.markets and h.covers(market)), self.holder)

    def representative_in(self, market: str) -> Representative | None:
        return next((r for r in self.local_representatives if r.covers(market)), None)

    def adverse_event_contact_in(self, market: str) -> AdverseEventContact | None:
        return next((c for c in self.adverse_event_contacts if c.covers(market)), None)

    def prescribing_information_date(self, market: str) -> Located[PartialDate] | None:
        return next((d.date for d in self.prescribing_information_dates if d.covers(market)),
                    None)

    def presentation(self, presentation_id: str) -> Presentation:
        """The presentation with the id ``presentation_id``; KeyError if there is none."""
        found = next((p for p in self.presentations if p.id == presentation_id), None)
        if found is None:
            raise KeyError(presentation_id)
        return found

    def dose_for(self, indication: str) -> Dose | None:
        """The posology of the indication with the id ``indication``, where given."""
        return next((d for d in self.doses if d.indication == indication), None)

    def cost(self, market: str) -> Cost | None:
        return next((c for c in self.costs if c.market == market), None)

    def authorisations_for(self, market: str) -> tuple[Authorisation, ...]:
        return tuple(a for a in self.authorisations if a.covers(market))

    def cover(self, market: str) -> tuple[int, ...]:
        """Which authorisations cover ``market``, by their places in :attr:`authorisations`:
        markets with the same cover are checked alike. (Places rather than the
        authorisations themselves: a small key, where an authorisation would be compared
        field by field, places in the file included.)"""
        return tuple(i for i, a in enumerate(self.authorisations) if a.covers(market))

    def monitoring_for(self, market: str) -> tuple[AdditionalMonitoring, ...]:
        """The additional-monitoring entries that name ``market`` (whatever their days)."""
        return tuple(m for m in self.additional_monitoring if m.covers(market))

    def under_additional_monitoring(self, market: str, day: dt.date) -> bool:
        """Whether the product is under additional monitoring in ``market`` on ``day``: the
        ▼ statement is printed then. ``until`` is the last day listed.
        """
        return any(m.listed_on(day) for m in self.monitoring_for(market))
