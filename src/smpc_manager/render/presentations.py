"""What the product's presentations and packs print in a market's block: the name line with
every strength and form, the composition of each presentation, the excipients in their
groups, the pack sizes, the prices and the authorisation numbers.

Where a product has several presentations, each piece that belongs to some of them says
which, by the presentation's label (:func:`labels`): ``0,5 mg: Jede Hartkapsel enthält …``,
``Eisen(III)-oxid (E 172) (nur 1 mg)``. The handlers follow :mod:`~smpc_manager.render.fields`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smpc_manager import inline
from smpc_manager.errors import Problem
from smpc_manager.model import AuthorisationNumber
from smpc_manager.render.fields import PRESENTATION, SUBHEADING, Handler, Piece, RunIn, Value
from smpc_manager.render.l10n import format_price, join_list
from smpc_manager.render.shapes import held_in, limited_to, marketed_in

if TYPE_CHECKING:
    from smpc_manager.markets import Element
    from smpc_manager.model import Pack, Presentation, Price
    from smpc_manager.render.compose import Composer

#: Between the names of presentations of different forms on the name line.
NAMES_SEPARATOR = "; "
#: Between the entries of different presentations or packs (compositions aside, which are
#: sentences).
ENTRIES_SEPARATOR = "; "


def labels(composer: Composer) -> dict[str, str]:
    """The label of each presentation, by id: its strength where all share one form, its
    form where all share one strength, else both (``10 mg Filmtabletten``); "" for the one
    presentation of a product that has only one."""
    found = composer.product.presentations
    if len(found) < 2:
        return {p.id: "" for p in found}
    strengths = {p.id: composer.strength(p) for p in found}
    one_form = len({p.form.source for p in found}) == 1
    one_strength = len(set(strengths.values())) == 1
    out = {}
    for p in found:
        form = composer.plain_text(p.form)
        out[p.id] = strengths[p.id] if one_form else form if one_strength \
            else f"{strengths[p.id]} {form}"
    return out


def _prefixed(label: str, text: str, kind: str = PRESENTATION) -> Piece:
    """Plain ``text`` after the plain run-in heading ``label`` of the class ``kind`` (none
    where it is ""), as a piece of a field's text."""
    message = inline.escape(text)
    return RunIn(kind, inline.escape(label), message) if label else message


def _pack_label(composer: Composer, presentation: Presentation, pack: Pack) -> str:
    """What tells a pack's presentations from the product's others: the label of the one
    it stands in, or the labels of all it holds (``0,23 mg und 0,46 mg``)."""
    held = held_in(pack, presentation, composer.product)
    return composer.listed([composer.label(p) for p in held])


def _name(composer: Composer, element: Element) -> Value | None:
    """The product's name in the market with every strength and form: the strengths of one
    form joined by ``/`` (by commas where a strength has a ``/`` itself, as a combination's
    has), one name per form."""
    product = composer.product
    name = product.name_in(composer.market).value
    forms: dict[str, list[Presentation]] = {}
    for presentation in product.presentations:
        forms.setdefault(presentation.form.source, []).append(presentation)
    names = []
    for members in forms.values():
        strengths = list(dict.fromkeys(composer.strength(p) for p in members))
        joiner = ", " if any("/" in s for s in strengths) else "/"
        names.append(f"{name} {joiner.join(strengths)} {composer.plain_text(members[0].form)}")
    return composer.plain(NAMES_SEPARATOR.join(names))


def _composition(composer: Composer, element: Element) -> Value | None:
    """Each presentation's composition, after its label where there are several."""
    pieces: list[Piece] = []
    for presentation in composer.product.presentations:
        label = inline.escape(composer.label(presentation))
        pieces.extend(composer.headed(label, composer.texts(presentation.composition),
                                      PRESENTATION))
    return composer.messages(pieces) if pieces else None


def _only(composer: Composer, presentations: tuple[str, ...]) -> str:
    """`` (only 1 mg)``: the profile's ``presentation-note`` for an excipient or group
    limited to some presentations; "" for one in every presentation."""
    chosen = limited_to(presentations, composer.product)
    if not chosen:
        return ""
    note = composer.profile.presentation_note
    if note is None:
        composer.problems.append(Problem(
            composer.profile.source, f"the {composer.market} profile has no presentation-note"
            " to say that an excipient is in some presentations only", field="presentation-note"))
        return ""
    return " " + composer.fill(note, presentations=composer.listed(
        [composer.label(p) for p in chosen]))


def _excipients(composer: Composer, element: Element) -> Value | None:
    """The excipients in their groups (``Kapselinhalt: …; Kapselhülle: …``), each group's
    joined as the profile's ``list-style`` says, those of some presentations only marked."""
    groups = [g for g in composer.product.excipient_groups if g.excipients]
    if not groups:
        return None
    listed = []
    for group in groups:
        items = [composer.plain_text(e.text) + _only(composer, e.presentations)
                 for e in group.excipients]
        text = join_list(items, composer.profile.list_style, composer.locale)
        heading = "" if group.heading is None else \
            composer.plain_text(group.heading) + _only(composer, group.presentations)
        listed.append(_prefixed(heading, text, SUBHEADING))
    return composer.messages(listed, ENTRIES_SEPARATOR)


def _packs(composer: Composer, element: Element) -> Value | None:
    """The sizes of the packs marketed in the market, by the presentations they hold."""
    sizes: dict[str, list[str]] = {}
    for presentation in composer.product.presentations:
        for pack in presentation.packs:
            if marketed_in(pack, composer.market):
                sizes.setdefault(_pack_label(composer, presentation, pack), []).append(
                    composer.plain_text(pack.size))
    if not sizes:
        return None
    entries = [_prefixed(label, ", ".join(found)) for label, found in sizes.items()]
    count = sum(len(found) for found in sizes.values())
    return composer.messages(entries, ENTRIES_SEPARATOR)._replace(items=count)


def _cost(composer: Composer, element: Element) -> Value | None:
    """The price of each pack in force in the market on the day, with the pack and the day
    it applies from (``cost-format``, ``dated-cost-format``), by the presentations it
    holds."""
    entries = []
    for presentation in composer.product.presentations:
        for pack in presentation.packs:
            price = pack.price_on(composer.market, composer.day)
            if price is not None:
                entries.append(_prefixed(_pack_label(composer, presentation, pack),
                                         _price(composer, price, pack)))
    return composer.messages(entries, ENTRIES_SEPARATOR) if entries else None


def _price(composer: Composer, price: Price, pack: Pack) -> str:
    profile = composer.profile
    amount = format_price(price.amount, price.currency, composer.locale)
    size = composer.plain_text(pack.size)
    if price.start is not None and profile.dated_cost_format is not None:
        return composer.fill(profile.dated_cost_format, price=amount, pack=size,
                             date=composer.date(price.start.value, profile.price_date_format))
    if profile.cost_format is not None:
        return composer.fill(profile.cost_format, price=amount, pack=size)
    return f"{amount}, {size}"


def _numbers(composer: Composer, element: Element) -> Value | None:
    """The authorisation numbers in the market: those of the authorisations covering it
    (each with the presentations it is limited to) and those of its packs (each with the
    presentations it holds and its size), listed once each."""
    product, market = composer.product, composer.market
    entries: dict[tuple[str, str], None] = {}
    for authorisation in product.authorisations_for(market):
        numbers = authorisation.number_entries or tuple(
            AuthorisationNumber(n, (), authorisation.location) for n in authorisation.numbers)
        for number in numbers:
            chosen = limited_to(number.presentations, product)
            entries[number.value, composer.listed([composer.label(p) for p in chosen])
                    if chosen else ""] = None
    packs = [(p, pack) for p in product.presentations for pack in p.packs]
    for presentation, pack in packs:
        pack_number = pack.number_for(market)
        if pack_number is not None:
            label = ", ".join(filter(None, (_pack_label(composer, presentation, pack),
                                            composer.plain_text(pack.size)))) \
                if len(packs) > 1 else ""
            entries[pack_number.value, label] = None
    if not entries:
        return None
    printed = list(dict.fromkeys(n for n, _ in entries))
    if not any(label for _, label in entries):
        return composer.plain(", ".join(printed), len(printed))
    return composer.plain(ENTRIES_SEPARATOR.join(
        f"{number} ({label})" if label else number for number, label in entries),
        len(printed))


HANDLERS: dict[str, Handler] = {
    "name": _name,
    "composition": _composition,
    "excipients": _excipients,
    "packs": _packs,
    "cost": _cost,
    "marketing-authorisation": _numbers,
}
