"""Composing a block: a market profile's elements, in order, as paragraphs of parts.

Each element of the profile becomes a part (its label and its text, plain and as HTML) or
nothing (an optional element the product lacks, a statement that does not apply on the
day); run-in elements join the paragraph before them. Every problem is collected, so that a
refusal lists them all.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from smpc_manager.errors import Problem
from smpc_manager.inline import InlineError, to_html, to_text
from smpc_manager.render.domains import Content, Words
from smpc_manager.render.l10n import (
    format_price,
    format_revision_date,
    join_list,
    localize_numbers,
    territories,
)

if TYPE_CHECKING:
    from smpc_manager.markets import Element, MarketProfile
    from smpc_manager.model import Product, Text

_SENTENCE_END = (".", "!", "?", ":")

#: Countries whose addresses put the postal code after the town (``Sandwich CT13 9NJ``);
#: elsewhere it comes first (``1050 Brüssel``). The holder's country decides, not the locale.
POSTCODE_AFTER_CITY = frozenset({"AU", "CA", "GB", "IE", "IM", "JE", "GG", "US"})


class Part(NamedTuple):
    """One element of the block as printed: its label and its text, plain and as HTML."""

    field: str
    label: str | None
    text: str
    html: str


class Paragraph(NamedTuple):
    """Parts printed as one paragraph (an element and those run in after it)."""

    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """A composed block: its title, its paragraphs, and the sha256 of every input it was
    composed from, by name (the format's template aside)."""

    title: str
    paragraphs: tuple[Paragraph, ...]
    inputs: dict[str, str]


def escape(text: str) -> str:
    """Text as HTML (quotes stay: the parts are element content, never attributes)."""
    return html.escape(text, quote=False)


class Composer:
    """Turns a profile's elements into paragraphs of parts, collecting every problem."""

    def __init__(self, product: Product, profile: MarketProfile, locale: str, words: Words,
                 content: Content, *, monitored: bool | None = False,
                 html: bool = True) -> None:
        self.product = product
        self.profile = profile
        self.locale = locale
        self.words = words
        self.content = content
        #: Whether the product is under additional monitoring in the market on the day
        #: rendered; None when that depends on a day that was not given.
        self.monitored = monitored
        #: Whether the parts carry their HTML; a plain-text block needs none (their
        #: ``html`` is then empty).
        self.html = html
        self.problems: list[Problem] = []

    def paragraphs(self) -> tuple[Paragraph, ...]:
        paragraphs: list[list[Part]] = []
        for element in self.profile.elements:
            part = self._part(element)
            if part is None:
                continue
            if element.run_in and paragraphs:
                paragraphs[-1].append(part)
            else:
                paragraphs.append([part])
        return tuple(Paragraph(tuple(p)) for p in paragraphs)

    def _part(self, element: Element) -> Part | None:
        if element.field == "additional-monitoring":
            return self._monitoring(element)
        if element.phrase is not None:
            text = self.words.get(element.phrase, self.problems)
            return self._finish(element, None, text, self._escape(text))
        assert element.field is not None
        if element.when == "single-active-not-in-name" and not self._single_active_not_in_name():
            return None
        values = self._value(element)
        if values is None:
            return None
        plain, html = values
        label = self.words.get(element.label, self.problems) if element.label else None
        return self._finish(element, label, plain, html)

    def _monitoring(self, element: Element) -> Part | None:
        """The ▼ statement (the element's phrase) on a day the product is under additional
        monitoring in the market; nothing on the others."""
        if self.monitored is None:
            entry = self.product.monitoring_for(self.profile.market)[0]
            self.problems.append(Problem(
                entry.location,
                f"additional-monitoring: whether the {self.profile.market} text carries the ▼"
                " statement depends on the day, and none was given (render as of a day)",
                field="additional-monitoring",
            ))
            return None
        if not self.monitored:
            return None
        assert element.phrase is not None  # the profile loader requires it
        text = self.words.get(element.phrase, self.problems)
        label = self.words.get(element.label, self.problems) if element.label else None
        return self._finish(element, label, text, self._escape(text))

    def _finish(self, element: Element, label: str | None, text: str, html: str) -> Part:
        if element.end and not text.rstrip().endswith(_SENTENCE_END):
            text += element.end
            html += self._escape(element.end)
        return Part(element.name, label, text, html)

    def _missing(self, element: Element, what: str) -> None:
        if not element.optional:
            self.problems.append(Problem(
                self.product.location,
                f"{element.name}: the {self.profile.market} profile requires {what}, and the"
                f" product has none",
                field=element.name,
            ))

    def _texts(self, texts: Sequence[Text]) -> list[str]:
        return [self.content.get(t, self.problems) for t in texts]

    def _messages(self, messages: Sequence[str], joiner: str = " ") -> tuple[str, str]:
        """Messages joined, as plain text and as HTML (each escaped, inline tags kept)."""
        try:
            plain = joiner.join([to_text(m) for m in messages])
            html = escape(joiner).join([to_html(m) for m in messages]) if self.html \
                else ""
        except InlineError:  # reported by the translation check
            plain = joiner.join(messages)
            html = self._escape(plain)
        return plain, html

    def _plain(self, text: str) -> tuple[str, str]:
        return text, self._escape(text)

    def _escape(self, text: str) -> str:
        return escape(text) if self.html else ""

    def _value(self, element: Element) -> tuple[str, str] | None:
        product, name = self.product, element.field
        if name == "name":
            form = to_text(self.content.get(product.pharmaceutical_form, self.problems))
            strength = localize_numbers(product.strength.value, self.locale)
            return self._plain(f"{product.name.value} {strength} {form}")
        if name == "active-substance":
            return self._messages(self._texts(product.active_substances), ", ")
        if name == "excipients":
            if not product.excipients:
                self._missing(element, "the excipients")
                return None
            items = [to_text(t) for t in self._texts(product.excipients)]
            return self._plain(join_list(items, self.profile.list_style, self.locale))
        if name in ("composition", "indications", "posology", "contraindications", "warnings",
                    "undesirable-effects"):
            texts = product.section(name)
            if not texts:
                self._missing(element, f"the {name} section")
                return None
            return self._messages(self._texts(texts))
        if name == "pharmacotherapeutic-group":
            return self._messages(self._texts([product.pharmacotherapeutic_group]))
        if name == "atc-code":
            return self._plain(product.atc_code.value)
        if name == "marketing-authorisation-holder":
            return self._plain(self._holder())
        if name == "marketing-authorisation":
            numbers = [n for a in product.authorisations_for(self.profile.market)
                       for n in a.numbers]
            if not numbers:
                self._missing(element, f"a marketing-authorisation covering"
                                       f" {self.profile.market}")
                return None
            return self._plain(", ".join(dict.fromkeys(numbers)))
        if name == "prescription-status":
            return self._prescription(element)
        if name == "cost":
            return self._cost(element)
        if name == "revision-date":
            return self._plain(format_revision_date(product, self.profile, self.locale))
        raise AssertionError(name)  # pragma: no cover - the profile loader checks fields

    def _single_active_not_in_name(self) -> bool:
        actives = self.product.active_substances
        if len(actives) != 1:
            return False
        name = self.product.name.value.casefold()
        translated = to_text(self.content.get(actives[0], []))
        return not any(s.casefold() in name for s in (actives[0].source, translated))

    def _holder(self) -> str:
        holder = self.product.holder
        address = holder.address
        city = to_text(self.content.get(address.city, self.problems))
        if not address.postal_code:
            town = city
        elif address.country.value in POSTCODE_AFTER_CITY:
            town = f"{city} {address.postal_code}"
        else:
            town = f"{address.postal_code} {city}"
        country = territories(self.locale).get(address.country.value,
                                                address.country.value)
        return ", ".join([holder.name, address.street, town, country])

    def _prescription(self, element: Element) -> tuple[str, str] | None:
        market = self.profile.market
        status = self.product.prescription_code(market)
        if status is None:
            self._missing(element, f"a prescription-status for {market}")
            return None
        wording = self.profile.prescription.get(status.code)
        if wording is None:
            known = ", ".join(self.profile.prescription) or "none"
            self.problems.append(Problem(
                status.location,
                f"prescription-status '{status.code}' is not a code of the {market} profile"
                f" (known: {known})",
                field="prescription-status",
            ))
            return None
        if element.print == "code":
            return self._plain(status.code)
        return self._plain(self.words.get(wording, self.problems))

    def _cost(self, element: Element) -> tuple[str, str] | None:
        cost = self.product.cost(self.profile.market)
        if cost is None:
            self._missing(element, f"a cost for {self.profile.market}")
            return None
        price = format_price(cost.amount, cost.currency, self.locale)
        pack = to_text(self.content.get(cost.pack, self.problems))
        if self.profile.cost_format is None:
            return self._plain(f"{price}, {pack}")
        pattern = self.words.get(self.profile.cost_format, self.problems)
        try:
            return self._plain(pattern % {"price": price, "pack": pack})
        except (KeyError, ValueError, TypeError):  # placeholders are checked by get()
            return self._plain(f"{price}, {pack}")
