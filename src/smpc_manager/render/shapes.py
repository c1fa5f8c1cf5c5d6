"""The product as the renderer reads it: in schema 2's shapes, whichever schema it came from.

A schema 1 product has one presentation, a flat list of excipients, its indications as
paragraphs, one field (``warnings``) for both the precautions and the warnings of the label,
and a cost per market where schema 2 prices each pack. :func:`in_schema_2` fills the schema 2
fields of such a product with them, as ``smpc migrate`` writes them into a schema 2 file, so
that the markets lay out one shape and a migrated file prints what its schema 1 file printed.
The texts keep their schema 1 contexts, so that the schema 1 catalogs translate them.

Besides, what a market's text says about presentations and packs: the strengths in the
order of the substances, which presentations a pack holds or an excipient belongs to, and
which packs are marketed in a market.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from smpc_manager.model import (
    Excipient,
    ExcipientGroup,
    Indication,
    Pack,
    Presentation,
    Price,
    Strength,
    Substance,
)

if TYPE_CHECKING:
    from smpc_manager.model import Located, Product

#: The id the one presentation of a schema 1 product has (as ``smpc migrate`` names it).
SCHEMA_1_PRESENTATION = "p1"


def in_schema_2(product: Product) -> Product:
    """``product`` with its schema 2 fields filled; a schema 2 product as it is.

    A schema 1 product's strength, form, composition and costs become one presentation
    whose packs are the costs' packs, each priced in its cost's market (a price without a
    day it begins); its substances, excipients (one group without a heading) and
    indications (one item without a heading) the schema 2 lists; its ``warnings`` both the
    ``precautions`` and the ``label_warnings``; its holder the only one.
    """
    if product.schema != 1:
        return product
    packs = tuple(
        Pack(None, cost.pack, (),
             (Price((cost.market,), cost.currency, cost.amount, None, cost.location),),
             cost.location)
        for cost in product.costs
    )
    presentation = Presentation(SCHEMA_1_PRESENTATION, (Strength(product.strength, None),),
                                product.pharmaceutical_form, product.composition, packs,
                                product.strength.location)
    return replace(
        product,
        substances=tuple(Substance(None, t, t.location) for t in product.active_substances),
        presentations=(presentation,),
        excipient_groups=(ExcipientGroup(None, tuple(Excipient(t) for t in product.excipients),
                                         (), product.location),) if product.excipients else (),
        indication_items=(Indication(None, None, product.indications, product.location),)
        if product.indications else (),
        precautions=product.warnings,
        label_warnings=product.warnings,
        holders=(product.holder,),
    )


def ordered_strengths(product: Product, presentation: Presentation) -> list[Located[str]]:
    """The strengths of ``presentation`` in the order of the product's substances (a
    strength without a substance, the one of a single substance or the presentation's as
    printed, stands first)."""
    order = {s.id: index for index, s in enumerate(product.substances) if s.id is not None}
    ranked = sorted(presentation.strengths,
                    key=lambda s: -1 if s.substance is None else order.get(s.substance, 0))
    return [s.value for s in ranked]


def marketed_in(pack: Pack, market: str) -> bool:
    """Whether ``pack`` is marketed in ``market``: in the markets its numbers and prices
    name, or, where it names none, in every market."""
    if not pack.numbers and not pack.prices:
        return True
    return any(n.covers(market) for n in pack.numbers) or \
        any(p.covers(market) for p in pack.prices)


def held_in(pack: Pack, presentation: Presentation, product: Product
            ) -> tuple[Presentation, ...]:
    """The presentations ``pack`` holds, in the product's order: those it names (a treatment
    initiation pack of two strengths), or else ``presentation``, the one it stands in."""
    if not pack.presentations:
        return (presentation,)
    return tuple(p for p in product.presentations if p.id in pack.presentations)


def limited_to(presentations: tuple[str, ...], product: Product) -> tuple[Presentation, ...]:
    """The presentations an excipient or group is limited to, in the product's order; () when
    it is in every one (no limit, or one that names them all)."""
    if not presentations:
        return ()
    chosen = tuple(p for p in product.presentations if p.id in presentations)
    return () if len(chosen) == len(product.presentations) else chosen


def price_changes(product: Product, markets: Sequence[str]) -> set[dt.date]:
    """The days a price of ``product`` in one of ``markets`` begins on: from each, the text
    prints another price (a price without a day began before any day that matters)."""
    return {price.start.value
            for presentation in in_schema_2(product).presentations
            for pack in presentation.packs for price in pack.prices
            if price.start is not None and any(price.covers(m) for m in markets)}
