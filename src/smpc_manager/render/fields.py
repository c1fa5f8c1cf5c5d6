"""What the product's sections, parties, codes and dates print in a market's block.

Each handler takes the :class:`~smpc_manager.render.compose.Composer` and the profile's
element and returns the field's text, plain and as HTML, or None when the product has no
data for it in the market (the composer then tries the element's ``fallback``, or reports
the field missing unless it is optional). A handler that finds data it cannot print (a code
the profile does not know) reports it and returns :data:`NOTHING`: the problem refuses the
rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from smpc_manager.errors import Problem
from smpc_manager.render.l10n import join_list, territories

if TYPE_CHECKING:
    from smpc_manager.markets import Element, Message
    from smpc_manager.model import Address, MarketCode, PartialDate, Product
    from smpc_manager.render.compose import Composer


class Value(NamedTuple):
    """A field's text, plain and as HTML (empty when the block needs none), and how many
    like items it lists (numbers, substances, pack sizes), for the element's
    ``plural-label``."""

    text: str
    html: str
    items: int = 1


class RunIn(NamedTuple):
    """A message after a run-in heading (``Multiple sclerosis: …``, ``0,5 mg: …``), itself a
    message: printed as the heading, a colon and the message, and in HTML with the heading
    and its colon in a span of the class ``kind``, so that artwork can set it as
    SmPC-based texts do (in italics or bold)."""

    kind: str
    heading: str
    message: str


#: The classes of run-in headings: the name of an indication or of a group of excipients,
#: and the label of a presentation (its strength or form).
SUBHEADING = "subheading"
PRESENTATION = "presentation"
#: A piece of a field's text: a message, or a message after its run-in heading.
Piece = str | RunIn

#: What prints a field: the field's text, or None when the product has no data for it.
Handler = Callable[["Composer", "Element"], "Value | None"]
#: The text of a field whose data the market cannot print; its problem refuses the block.
NOTHING = Value("", "")

#: How the countries that put the postal code after the town write the two
#: (``Sandwich CT13 9NJ``; an Irish Eircode after a comma, ``Dublin 15, D15 T867``, as
#: Irish SmPCs and An Post write it); elsewhere the code comes first
#: (:data:`TOWN_DEFAULT`, ``1050 Brüssel``). The address's country decides, not the locale.
TOWN_PATTERNS = {
    **dict.fromkeys(("AU", "CA", "GB", "IM", "JE", "GG", "US"), "{city} {code}"),
    "IE": "{city}, {code}",
}
TOWN_DEFAULT = "{code} {city}"

#: What a market needs of a field the product lacks, where it is more than the section.
_MISSING = {
    "excipients": "the excipients",
    "marketing-authorisation": "a marketing-authorisation covering {market}",
    "prescription-status": "a prescription-status for {market}",
    "controlled-drug": "a controlled-drug for {market}",
    "reimbursement": "a reimbursement for {market}",
    "cost": "a cost for {market} (the price of a pack in force on {day})",
    "packs": "a pack marketed in {market}",
    "local-representative": "a local-representative for {market}",
    "prescribing-information-date": "a prescribing-information-date for {market}",
}


def missing(field: str, composer: Composer) -> str:
    """What the market requires of ``field``, in words (``a cost for GB (…)``)."""
    what = _MISSING.get(field, f"the {field} section")
    return what.format(market=composer.market, day=composer.day.isoformat())


# ------------------------------------------------------------------------ sections


def _section(name: str) -> Handler:
    """The paragraphs of the section ``name``, run together."""

    def section(composer: Composer, element: Element) -> Value | None:
        texts = composer.product.section(name)
        return composer.messages(composer.texts(texts)) if texts else None

    return section


def _active_substances(composer: Composer, element: Element) -> Value | None:
    actives = composer.product.active_substances
    return composer.messages(composer.texts(actives), ", ")._replace(items=len(actives))


def _indications(composer: Composer, element: Element) -> Value | None:
    """Each indication's paragraphs, after its heading where it has one."""
    pieces: list[Piece] = []
    for item in composer.product.indication_items:
        heading = composer.text(item.heading) if item.heading is not None else ""
        pieces.extend(composer.headed(heading, composer.texts(item.paragraphs)))
    return composer.messages(pieces) if pieces else None


def _posology(composer: Composer, element: Element) -> Value | None:
    """The posology for every indication, then each indication's, after its heading."""
    product = composer.product
    pieces: list[Piece] = [*composer.texts(product.posology)]
    for item in product.indication_items:
        dose = product.dose_for(item.id) if item.id is not None else None
        if dose is not None:
            heading = composer.text(item.heading) if item.heading is not None else ""
            pieces.extend(composer.headed(heading, composer.texts(dose.paragraphs)))
    return composer.messages(pieces) if pieces else None


def _group(composer: Composer, element: Element) -> Value | None:
    return composer.messages([composer.text(composer.product.pharmacotherapeutic_group)])


def _atc(composer: Composer, element: Element) -> Value | None:
    return composer.plain(composer.product.atc_code.value)


# ------------------------------------------------------------------------ parties


def _address(composer: Composer, name: str, address: Address) -> str:
    """A company's name and address, the town written as its country writes it."""
    city = composer.plain_text(address.city)
    town = TOWN_PATTERNS.get(address.country.value, TOWN_DEFAULT).format(
        city=city, code=address.postal_code) if address.postal_code else city
    country = territories(composer.locale).get(address.country.value, address.country.value)
    return ", ".join([name, address.street, town, country])


def _holder(composer: Composer, element: Element) -> Value | None:
    holder = composer.product.holder_in(composer.market)
    return composer.plain(_address(composer, holder.name, holder.address))


def _representative(composer: Composer, element: Element) -> Value | None:
    """The representative in the market: name, address, and its phone and e-mail each as
    the profile's ``phone-format`` and ``email-format`` label it (``Tel.: …``)."""
    found = composer.product.representative_in(composer.market)
    if found is None:
        return None
    profile = composer.profile
    contact = [composer.fill(pattern, **{key: value}) if pattern is not None else value
               for key, value, pattern in (("phone", found.phone, profile.phone_format),
                                           ("email", found.email, profile.email_format))
               if value]
    return composer.plain(", ".join([_address(composer, found.name, found.address), *contact]))


def _adverse_event_reporting(composer: Composer, element: Element) -> Value | None:
    """The statement on reporting adverse events (the element's phrase), naming the company
    they are also reported to: the market's adverse-event contact with its phone, e-mail and
    web address (the element's ``contact-format``), or else the holder in the market."""
    assert element.phrase is not None  # the profile loader requires it
    product, market = composer.product, composer.market
    contact = product.adverse_event_contact_in(market)
    company = contact.name if contact is not None else product.holder_in(market).name
    details = [d for d in (contact.phone, contact.email, contact.url) if d] if contact else []
    if details and element.contact_format is not None:
        company = composer.fill(element.contact_format, company=company,
                                contact=join_list(details, "or", composer.locale))
    statement = composer.fill(element.phrase, company=company)
    if company.endswith("."):  # "… to Example B.V." ends the sentence with its own point
        statement = statement.replace(f"{company}.", company)
    return composer.plain(statement)


# ------------------------------------------------------------------------ codes and dates


def _coded(kind: str, code_of: Callable[[Product, str], MarketCode | None],
           wordings: Callable[[Composer], dict[str, Message]]) -> Handler:
    """A code the product gives for the market (``kind``), printed as the profile words it,
    or as the code itself with ``print = "code"``."""

    def coded(composer: Composer, element: Element) -> Value | None:
        code = code_of(composer.product, composer.market)
        if code is None:
            return None
        table = wordings(composer)
        wording = table.get(code.code)
        if wording is None:
            known = ", ".join(table) or "none"
            composer.problems.append(Problem(
                code.location, f"{kind} '{code.code}' is not a code of the {composer.market}"
                f" profile (known: {known})", field=kind))
            return NOTHING
        if element.print == "code":
            return composer.plain(code.code)
        return composer.plain(composer.word(wording))

    return coded


def _month(composer: Composer, date: PartialDate) -> Value:
    return composer.plain(composer.date(date.first_day(), composer.profile.revision_date_format))


def _revision_date(composer: Composer, element: Element) -> Value | None:
    return _month(composer, composer.product.revision_date.value)


def _prescribing_information_date(composer: Composer, element: Element) -> Value | None:
    found = composer.product.prescribing_information_date(composer.market)
    return None if found is None else _month(composer, found.value)


HANDLERS: dict[str, Handler] = {
    "active-substance": _active_substances,
    "indications": _indications,
    "posology": _posology,
    **{name: _section(name) for name in (
        "contraindications", "precautions", "interactions", "pregnancy-lactation",
        "undesirable-effects", "leaflet-side-effects", "label-warnings")},
    # Schema 1's name of the precautions (a schema 1 product's warnings are both).
    "warnings": _section("precautions"),
    "pharmacotherapeutic-group": _group,
    "atc-code": _atc,
    "marketing-authorisation-holder": _holder,
    "local-representative": _representative,
    "adverse-event-reporting": _adverse_event_reporting,
    "prescription-status": _coded("prescription-status", lambda p, m: p.prescription_code(m),
                                  lambda c: dict(c.profile.prescription)),
    "controlled-drug": _coded("controlled-drug", lambda p, m: p.controlled_drug(m),
                              lambda c: dict(c.profile.controlled_drug)),
    "reimbursement": _coded("reimbursement", lambda p, m: p.reimbursement(m),
                            lambda c: dict(c.profile.reimbursement)),
    "revision-date": _revision_date,
    "prescribing-information-date": _prescribing_information_date,
}
