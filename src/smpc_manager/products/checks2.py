"""The checks a schema 2 product must pass beyond its schema, each a small function in a list.

XSD 1.0 checks an id given twice and a reference that names one id (a strength's
substance, a dose's indication); these check what it cannot say: that each id of a list
(``presentations="p1 p2"``) names a presentation, that a pack of several presentations
names the one it stands in, that every market a name, a holder, a number, a price or a
date is given for is one the product is authorised in, that each market is given one of
each, that no two presentations are the same, and that each presentation states the
strength of every substance. Each problem stands at the element
that is wrong and names the other place it concerns (the presentations, the first of two,
the authorisations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from smpc_manager.errors import Problem, SourceLocation
from smpc_manager.model import Pack, Product

#: A check takes the product and the path it was read from, and yields its problems.
Rule = Callable[[Product, Path], Iterable[Problem]]


def rule_presentations_defined(product: Product, path: Path) -> Iterable[Problem]:
    """Every id an excipient, a group or an authorisation number is limited to, and every id
    a pack holds, names a presentation of the product."""
    ids = [p.id for p in product.presentations]
    where = product.presentations[0].location.line if product.presentations else 0
    others = {s.id: ("substance", s.location) for s in product.substances if s.id}
    others.update({i.id: ("indication", i.location) for i in product.indication_items if i.id})
    others.update({pack.id: ("pack", pack.location) for p in product.presentations
                   for pack in p.packs if pack.id})
    limited: list[tuple[str, SourceLocation, tuple[str, ...]]] = []
    for group in product.excipient_groups:
        if group.heading is not None:
            limited.append((f"excipient group '{group.heading.source}' is limited to",
                            group.location, group.presentations))
        limited += [(f"excipient '{e.text.source}' is limited to", e.text.location,
                     e.presentations) for e in group.excipients]
    limited += [(f"marketing-authorisation number '{n.value}' is limited to", n.location,
                 n.presentations) for a in product.authorisations for n in a.number_entries]
    limited += [(f"{_pack_name(pack)} holds", pack.location, pack.presentations)
                for p in product.presentations for pack in p.packs]
    for what, location, presentations in limited:
        for ref in dict.fromkeys(presentations):
            if ref in ids:
                continue
            kind = others.get(ref)
            found = (f"'{ref}', the id of the {kind[0]} on line {kind[1].line}, not of a"
                     " presentation" if kind else f"presentation '{ref}', which is not defined")
            yield Problem(
                location,
                f"{what} {found} (the presentations, from line {where}: {', '.join(ids)})",
                field="presentations",
            )


def rule_pack_holds_its_presentation(product: Product, path: Path) -> Iterable[Problem]:
    """A pack that names the presentations it holds names the one it stands in among them."""
    for presentation in product.presentations:
        for pack in presentation.packs:
            if pack.presentations and presentation.id not in pack.presentations:
                yield Problem(
                    pack.location,
                    f"{_pack_name(pack)} stands in presentation '{presentation.id}' (line"
                    f" {presentation.location.line}), but its presentations"
                    f" \"{' '.join(pack.presentations)}\" do not name it; name every"
                    " presentation the pack holds, this one among them",
                    field="presentations",
                )


def _pack_name(pack: Pack) -> str:
    """A pack in a problem's words: by its id, or else by its size."""
    return f"pack '{pack.id}'" if pack.id else f"pack '{pack.size.source}'"


def rule_markets_authorised(product: Product, path: Path) -> Iterable[Problem]:
    """Whatever is given for some markets is given for markets the product is authorised
    in (``EU`` where an authorisation names ``EU``)."""
    lines = ", ".join(str(a.location.line) for a in product.authorisations)
    covered = " ".join(dict.fromkeys(m for a in product.authorisations for m in a.markets))
    for what, location, markets in _market_entries(product):
        for market in dict.fromkeys(markets):
            if market == "EU":
                authorised = any("EU" in a.markets for a in product.authorisations)
            else:
                authorised = bool(product.authorisations_for(market))
            if not authorised:
                yield Problem(
                    location,
                    f"{what} for market {market}, but no marketing-authorisation of the"
                    f" product covers {market} (the marketing-authorisations on line(s)"
                    f" {lines} cover: {covered})",
                    field="markets",
                )


def rule_one_per_market(product: Product, path: Path) -> Iterable[Problem]:
    """Each market is given one name, holder, representative, contact and prescribing
    information date, and each pack one number and one price from a day per market."""
    groups: dict[str, list[tuple[SourceLocation, Sequence[str]]]] = {}
    for what, location, markets in _market_entries(product):
        if what not in ("price", "pack number"):  # a pack's own, below
            groups.setdefault(what, []).append((location, markets))
    for presentation in product.presentations:
        for pack in presentation.packs:
            groups_of_pack: dict[str, list[tuple[SourceLocation, Sequence[str]]]] = {
                "pack number in this pack": [(n.location, n.markets) for n in pack.numbers]}
            for price in pack.prices:
                day = "" if price.start is None else f" from {price.start.value}"
                groups_of_pack.setdefault(f"price{day} in this pack", []).append(
                    (price.location, price.markets))
            yield from _second_for_a_market(groups_of_pack)
    yield from _second_for_a_market(groups)


def _second_for_a_market(
    groups: dict[str, list[tuple[SourceLocation, Sequence[str]]]]
) -> Iterable[Problem]:
    """A problem for each entry of a group that names a market an earlier one names."""
    for what, entries in groups.items():
        seen: dict[str, SourceLocation] = {}
        for location, markets in entries:
            for market in markets:
                first = seen.setdefault(market, location)
                if first is not location:
                    yield Problem(location, f"a second {what} for market {market} (the first"
                                  f" is on line {first.line})", field="markets")


def rule_first_name_and_holder(product: Product, path: Path) -> Iterable[Problem]:
    """The first name and the first holder hold in every market and name none; every
    further one names the markets it holds in."""
    for what, entries in (
        ("name", [(n.name.location, n.markets) for n in product.names]),
        ("marketing-authorisation-holder", [(h.location, h.markets) for h in product.holders]),
    ):
        for index, (location, markets) in enumerate(entries):
            if index == 0 and markets:
                yield Problem(location, f"the first <{what}> holds in every market and names"
                              f" none; found markets=\"{' '.join(markets)}\" (put the"
                              f" <{what}> of every other market first)", field="markets")
            elif index and not markets:
                yield Problem(location, f"a second <{what}> without markets (the first, for"
                              f" every market, is on line {entries[0][0].line}); say where"
                              " this one holds, as in markets=\"GB\"", field="markets")


def rule_distinct_presentations(product: Product, path: Path) -> Iterable[Problem]:
    """No two presentations have the same strengths and pharmaceutical form."""
    seen: dict[tuple[object, ...], tuple[str, SourceLocation]] = {}
    for presentation in product.presentations:
        strengths = tuple(sorted((s.substance or "", " ".join(s.value.value.split()))
                                 for s in presentation.strengths))
        key = (strengths, presentation.form.source)
        first = seen.setdefault(key, (presentation.id, presentation.location))
        if first[0] != presentation.id:
            shown = " + ".join(value for _, value in strengths)
            yield Problem(
                presentation.location,
                f"presentation '{presentation.id}' has the same strength and form as"
                f" presentation '{first[0]}' on line {first[1].line} ({shown}"
                f" {presentation.form.source}); each presentation differs in one of them",
                field="presentation",
            )


def rule_strengths_name_substances(product: Product, path: Path) -> Iterable[Problem]:
    """Each presentation gives one strength of each substance: with one substance, one
    strength; with several, one naming each substance, or one without ``substance`` that
    is the presentation's strength as printed."""
    substances = product.substances
    names = {s.id: s for s in substances if s.id}
    for presentation in product.presentations:
        strengths = presentation.strengths
        if len(substances) == 1 or (len(strengths) == 1 and strengths[0].substance is None):
            if len(strengths) > 1:
                yield Problem(
                    strengths[1].value.location,
                    f"presentation '{presentation.id}' has {len(strengths)} strengths, but the"
                    f" product has one active substance (line {substances[0].location.line});"
                    " give one strength per active substance",
                    field="strength",
                )
            continue
        given: dict[str, SourceLocation] = {}
        for strength in strengths:
            if strength.substance is None:
                yield Problem(
                    strength.value.location,
                    f"strength '{strength.value.value}' does not say which substance it is of;"
                    f" the product has {len(substances)} active substances (from line"
                    f" {substances[0].location.line}): add substance=\"...\" naming one of"
                    f" {', '.join(names) or 'them (give each an id)'}",
                    field="substance",
                )
                continue
            first = given.setdefault(strength.substance, strength.value.location)
            if first is not strength.value.location:
                yield Problem(strength.value.location, f"a second strength of substance"
                              f" '{strength.substance}' in presentation '{presentation.id}'"
                              f" (the first is on line {first.line})", field="substance")
        if len(given) < len(strengths):
            continue  # a strength without its substance is reported above
        for substance in substances:
            if substance.id not in given:
                label = f"'{substance.id}'" if substance.id else "without an id"
                yield Problem(
                    presentation.location,
                    f"presentation '{presentation.id}' gives no strength of the substance"
                    f" {label} ({substance.name.source}, line {substance.location.line})",
                    field="strength",
                )


def _market_entries(product: Product) -> Iterable[tuple[str, SourceLocation, Sequence[str]]]:
    """Everything given for some markets: what it is, where, and the markets it names."""
    yield from (("name", n.name.location, n.markets) for n in product.names)
    yield from (("marketing-authorisation-holder", h.location, h.markets)
                for h in product.holders)
    yield from (("local-representative", r.location, r.markets)
                for r in product.local_representatives)
    yield from (("adverse-event-contact", c.location, c.markets)
                for c in product.adverse_event_contacts)
    for pack in (pack for p in product.presentations for pack in p.packs):
        yield from (("pack number", n.location, n.markets) for n in pack.numbers)
        yield from (("price", p.location, p.markets) for p in pack.prices)
    yield from (("prescription-status", c.location, (c.market,))
                for c in product.prescription_status)
    yield from (("controlled-drug", c.location, (c.market,)) for c in product.controlled_drugs)
    yield from (("reimbursement", c.location, (c.market,)) for c in product.reimbursements)
    yield from (("prescribing-information-date", d.date.location, d.markets)
                for d in product.prescribing_information_dates)


#: The rules every schema 2 product must pass, after the schema and the rules of both.
RULES_2: tuple[Rule, ...] = (
    rule_presentations_defined,
    rule_pack_holds_its_presentation,
    rule_markets_authorised,
    rule_one_per_market,
    rule_first_name_and_holder,
    rule_distinct_presentations,
    rule_strengths_name_substances,
)
