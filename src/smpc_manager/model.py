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

#: The namespace of the product XML (schemas/product.xsd).
PRODUCT_NAMESPACE = "urn:smpc-manager:product:1"


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
    """The marketing authorisation holder."""

    name: str
    address: Address
    location: SourceLocation


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

    def covers(self, market: str) -> bool:
        """Whether this authorisation applies in ``market``; ``EU`` covers the member states."""
        return market in self.markets or ("EU" in self.markets and market in EU_MEMBER_STATES)


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
        return market in self.markets or ("EU" in self.markets and market in EU_MEMBER_STATES)

    def listed_on(self, day: dt.date) -> bool:
        """Whether ``day`` lies from ``start`` up to and including ``until``."""
        return (self.start is None or self.start.value <= day) and (
            self.until is None or day <= self.until.value
        )


@dataclass(frozen=True, slots=True)
class MarketCode:
    """A code that holds in one market: a prescription status."""

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


@dataclass(frozen=True, slots=True)
class Product:
    """One medicinal product, loaded and validated. Build it with :func:`loader.load_product`."""

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
