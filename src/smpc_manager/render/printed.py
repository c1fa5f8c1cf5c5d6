"""The product's own words a field prints: the messages that go into a block as they are.

A block's element prints some of the product's messages in the market's language, joined
and labelled (``0,5 mg: Jede Hartkapsel enthält …``, ``Sucrose, Polysorbat 80``). Where a
market prints an element word for word from the SmPC (``smpc = "verbatim"``), each of
those messages must stand in the SmPC's section as it is: :func:`printed_messages` names
them, for the fields that print the product's words (the others compose what they print: an
address, a date, a list of numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smpc_manager.render.shapes import in_schema_2

if TYPE_CHECKING:
    from smpc_manager.model import Product, Text


def _composition(product: Product) -> tuple[Text, ...]:
    return tuple(t for p in product.presentations for t in p.composition)


def _excipients(product: Product) -> tuple[Text, ...]:
    return tuple(t for g in product.excipient_groups
                 for t in ((g.heading,) if g.heading is not None else ())
                 + tuple(e.text for e in g.excipients))


def _indications(product: Product) -> tuple[Text, ...]:
    return tuple(t for i in product.indication_items
                 for t in ((i.heading,) if i.heading is not None else ()) + i.paragraphs)


def _posology(product: Product) -> tuple[Text, ...]:
    doses = (product.dose_for(i.id) for i in product.indication_items if i.id is not None)
    return product.posology + tuple(t for d in doses if d is not None for t in d.paragraphs)


def _section(name: str) -> Callable[[Product], tuple[Text, ...]]:
    return lambda product: product.section(name)


#: The messages each field prints, read from the product in schema 2's shapes.
_MESSAGES: dict[str, Callable[[Product], tuple[Text, ...]]] = {
    "active-substance": lambda product: product.active_substances,
    "composition": _composition,
    "excipients": _excipients,
    "indications": _indications,
    "posology": _posology,
    **{name: _section(name) for name in (
        "contraindications", "precautions", "interactions", "pregnancy-lactation",
        "undesirable-effects")},
    # Schema 1's name of the precautions (a schema 1 product's warnings are both).
    "warnings": _section("precautions"),
    "pharmacotherapeutic-group": lambda product: (product.pharmacotherapeutic_group,),
}


def printed_messages(product: Product, field: str) -> tuple[Text, ...]:
    """The product's messages ``field`` prints, in print order (the headings of its
    indications and excipient groups among them); KeyError for a field that composes what
    it prints (:data:`~smpc_manager.markets.VERBATIM_FIELDS` are those that do not)."""
    return _MESSAGES[field](in_schema_2(product))
