"""What a product says, without where it says it: a schema 1 product and its migration to
schema 2 must say the same (the tests of ``smpc migrate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smpc_manager.model import Product, Text
from tests.conftest import DATA

MIGRATE = DATA / "migrate"
#: The example portfolio (BESPONSA, with its German catalog) and the GB data as they were in
#: schema 1, before they were migrated themselves.
SCHEMA_1 = MIGRATE / "schema-1"


def schema_1_portfolio(name: str) -> Path:
    """A portfolio of schema 1 files by name: ``example`` or ``gb``."""
    return SCHEMA_1 / name


def _sources(texts: tuple[Text, ...]) -> list[str]:
    return [t.source for t in texts]


def _common(product: Product) -> dict[str, Any]:
    """The fields both schemas fill, as values (no locations)."""
    holder = product.holder
    return {
        "id": product.id,
        "lang": product.lang,
        "name": product.name.value,
        "strength": product.strength.value,
        "form": product.pharmaceutical_form.source,
        "substances": _sources(product.active_substances),
        "composition": _sources(product.composition),
        "excipients": _sources(product.excipients),
        "indications": _sources(product.indications),
        "posology": _sources(product.posology),
        "contraindications": _sources(product.contraindications),
        "undesirable-effects": _sources(product.undesirable_effects),
        "group": product.pharmacotherapeutic_group.source,
        "atc": product.atc_code.value,
        "holder": (holder.name, holder.address.street, holder.address.postal_code,
                   holder.address.city.source, holder.address.country.value),
        "authorisations": [(a.markets, a.type, a.numbers, a.first_authorisation.value,
                            a.renewal and a.renewal.value, a.valid_until and a.valid_until.value)
                           for a in product.authorisations],
        "monitoring": [(m.markets, m.start and m.start.value, m.until and m.until.value)
                       for m in product.additional_monitoring],
        "status": [(s.market, s.code) for s in product.prescription_status],
        "revision": product.revision_date.value,
        "review": product.review_by.value,
    }


def assert_same_product(old: Product, new: Product) -> None:
    """``new`` (schema 2) says everything ``old`` (schema 1) says: the common fields alike,
    the warnings both as precautions and as label warnings, each cost as a price of a pack
    of the one presentation."""
    assert (old.schema, new.schema) == (1, 2)
    assert _common(new) == _common(old)
    assert _sources(new.precautions) == _sources(old.warnings)
    assert _sources(new.label_warnings) == _sources(old.warnings)
    empty = ("interactions", "pregnancy_lactation", "leaflet_side_effects", "local_representatives",
             "adverse_event_contacts", "controlled_drugs", "reimbursements",
             "prescribing_information_dates", "doses")
    assert [name for name in empty if getattr(new, name)] == []
    assert len(new.names) == 1
    (presentation,) = new.presentations
    assert presentation.id == "p1"
    assert [s.substance for s in presentation.strengths] == [None]
    prices = sorted((price.markets, price.currency, price.amount, pack.size.source)
                    for pack in presentation.packs for price in pack.prices)
    assert prices == sorted(((c.market,), c.currency, c.amount, c.pack.source)
                            for c in old.costs)
    assert all(price.start is None for pack in presentation.packs for price in pack.prices)
    assert len({pack.size.source for pack in presentation.packs}) == len(presentation.packs)
    assert [h.name for h in new.holders] == [old.holder.name]
