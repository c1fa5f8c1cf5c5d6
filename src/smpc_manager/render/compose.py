"""Composing a block: a market profile's elements, in order, as paragraphs of parts.

Each element of the profile becomes a part (its label and its text, plain and as HTML) or
nothing (an optional element the product lacks, a statement that does not apply on the
day); run-in elements join the paragraph before them. What each field prints is the table
:data:`FIELDS` (the product's sections, parties, codes and dates in
:mod:`~smpc_manager.render.fields`, its presentations and packs in
:mod:`~smpc_manager.render.presentations`); this module holds what they share. The product
is read in schema 2's shapes (:func:`~smpc_manager.render.shapes.in_schema_2`). Every problem
is collected, so that a refusal lists them all.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from smpc_manager import inline
from smpc_manager.errors import Problem
from smpc_manager.render.domains import Content, Words
from smpc_manager.render.fields import HANDLERS as SECTIONS
from smpc_manager.render.fields import SUBHEADING, Piece, RunIn, Value, missing
from smpc_manager.render.inputs import DOMAIN
from smpc_manager.render.l10n import format_month_year, join_list, localize_numbers
from smpc_manager.render.presentations import HANDLERS as PRESENTATIONS
from smpc_manager.render.presentations import labels
from smpc_manager.render.shapes import in_schema_2, ordered_strengths
from smpc_manager.rules import TranslationProblem

if TYPE_CHECKING:
    from smpc_manager.markets import Element, MarketProfile, Message
    from smpc_manager.model import Presentation, Product, Text
    from smpc_manager.render.fields import Handler

_SENTENCE_END = (".", "!", "?", ":")

#: What each product field prints, by its name in the profiles.
FIELDS: dict[str, Handler] = {**SECTIONS, **PRESENTATIONS}


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


def _text(piece: Piece) -> str:
    if isinstance(piece, RunIn):
        return f"{inline.to_text(piece.heading)}: {inline.to_text(piece.message)}"
    return inline.to_text(piece)


def _html(piece: Piece) -> str:
    if isinstance(piece, RunIn):
        return (f'<span class="{piece.kind}">{inline.to_html(piece.heading)}:</span>'
                f" {inline.to_html(piece.message)}")
    return inline.to_html(piece)


class Composer:
    """Turns a profile's elements into paragraphs of parts, collecting every problem.

    ``day`` is the day the text reads as of: the prices in force on it are printed.
    """

    def __init__(self, product: Product, profile: MarketProfile, locale: str, words: Words,
                 content: Content, *, day: dt.date, monitored: bool | None = False,
                 html: bool = True) -> None:
        self.product: Product = in_schema_2(product)
        self.profile: MarketProfile = profile
        self.market: str = profile.market
        self.locale: str = locale
        self.words: Words = words
        self.content: Content = content
        self.day: dt.date = day
        #: Whether the product is under additional monitoring in the market on the day
        #: rendered; None when that depends on a day that was not given.
        self.monitored = monitored
        #: Whether the parts carry their HTML; a plain-text block needs none (their
        #: ``html`` is then empty).
        self.html = html
        self.problems: list[Problem] = []
        self._labels: dict[str, str] | None = None

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

    # -------------------------------------------------------------------- elements

    def _part(self, element: Element) -> Part | None:
        if element.field == "additional-monitoring":
            return self._monitoring(element)
        if element.field is None:
            assert element.phrase is not None  # the profile loader requires one of them
            text = self.word(element.phrase)
            return self._finish(element, "phrase", None, text, self._escape(text))
        if element.when == "single-active-not-in-name" and not self._single_active_not_in_name():
            return None
        field, value = element.field, FIELDS[element.field](self, element)
        if value is None and element.fallback is not None:
            field, value = element.fallback, FIELDS[element.fallback](self, element)
        if value is None:
            self._missing(element)
            return None
        plural = element.plural_label is not None and value.items > 1
        label = element.plural_label if plural else element.label
        return self._finish(element, field, self.word(label) if label else None, value.text,
                            value.html)

    def _monitoring(self, element: Element) -> Part | None:
        """The ▼ statement (the element's phrase) on a day the product is under additional
        monitoring in the market; nothing on the others."""
        if self.monitored is None:
            entry = self.product.monitoring_for(self.market)[0]
            self.problems.append(Problem(
                entry.location,
                f"additional-monitoring: whether the {self.market} text carries the ▼"
                " statement depends on the day, and none was given (render as of a day)",
                field="additional-monitoring",
            ))
            return None
        if not self.monitored:
            return None
        assert element.phrase is not None  # the profile loader requires it
        text = self.word(element.phrase)
        label = self.word(element.label) if element.label else None
        return self._finish(element, "additional-monitoring", label, text, self._escape(text))

    def _finish(self, element: Element, field: str, label: str | None, text: str,
                html: str) -> Part:
        if element.end and not text.rstrip().endswith(_SENTENCE_END):
            text += element.end
            html += self._escape(element.end)
        return Part(field, label, text, html)

    def _missing(self, element: Element) -> None:
        if element.optional:
            return
        what = " or ".join(missing(name, self)
                           for name in (element.field, element.fallback) if name)
        self.problems.append(Problem(
            self.product.location,
            f"{element.name}: the {self.market} profile requires {what}, and the product"
            " has none",
            field=element.name,
        ))

    def _single_active_not_in_name(self) -> bool:
        actives = self.product.active_substances
        if len(actives) != 1:
            return False
        name = self.product.name_in(self.market).value.casefold()
        translated = inline.to_text(self.content.get(actives[0], []))
        return not any(s.casefold() in name for s in (actives[0].source, translated))

    # -------------------------------------------------------------------- what fields use

    def text(self, text: Text) -> str:
        """A message of the product in the locale, inline markup kept."""
        return self.content.get(text, self.problems)

    def texts(self, texts: Sequence[Text]) -> list[str]:
        return [self.text(t) for t in texts]

    def plain_text(self, text: Text) -> str:
        """A message of the product in the locale, as plain text."""
        return inline.to_text(self.text(text))

    def word(self, message: Message) -> str:
        """A ``smpc`` message in the locale."""
        return self.words.get(message, self.problems)

    def fill(self, message: Message, **values: str) -> str:
        """A ``smpc`` pattern in the locale with its ``%(name)s`` placeholders filled in;
        a pattern that cannot be filled in is a problem (and its English is used)."""
        pattern = self.word(message)
        try:
            return pattern % values
        except (KeyError, ValueError, TypeError) as err:
            self.problems.append(TranslationProblem(
                message.location, f"{message.note or 'message'} '{message.msgid}': its"
                f" {self.locale} wording cannot be filled in ({err})", field=DOMAIN))
            return message.msgid % values

    def messages(self, messages: Sequence[Piece], joiner: str = " ") -> Value:
        """Messages joined, as plain text and as HTML (each escaped, inline tags kept, a
        run-in heading in its span)."""
        try:
            plain = joiner.join([_text(m) for m in messages])
            html = escape(joiner).join([_html(m) for m in messages]) if self.html else ""
        except inline.InlineError:  # reported by the translation check
            plain = joiner.join([f"{m.heading}: {m.message}" if isinstance(m, RunIn) else m
                                 for m in messages])
            html = self._escape(plain)
        return Value(plain, html)

    def plain(self, text: str, items: int = 1) -> Value:
        """Text that holds no markup, as plain text and as HTML; ``items``, how many like
        items it lists."""
        return Value(text, self._escape(text), items)

    def _escape(self, text: str) -> str:
        return escape(text) if self.html else ""

    def headed(self, heading: str, messages: list[str], kind: str = SUBHEADING
               ) -> list[Piece]:
        """Messages under a run-in heading of the class ``kind`` (a message itself, or ""):
        the heading and a colon begin the first of them."""
        if not heading or not messages:
            return [*messages]
        return [RunIn(kind, heading, messages[0]), *messages[1:]]

    def strength(self, presentation: Presentation) -> str:
        """The strengths of a presentation as printed after the name (``80 mg/12,5 mg``),
        numbers in the locale's notation."""
        return "/".join(localize_numbers(s.value, self.locale)
                        for s in ordered_strengths(self.product, presentation))

    def label(self, presentation: Presentation) -> str:
        """What tells a presentation from the product's others, as plain text: its strength
        where they share one form, its form where they share one strength, else both; ""
        for a product of one presentation."""
        if self._labels is None:
            self._labels = labels(self)
        return self._labels[presentation.id]

    def listed(self, items: Sequence[str]) -> str:
        """Items in the locale's list (``0,5 mg und 1 mg``)."""
        return join_list(items, "standard", self.locale)

    def date(self, day: dt.date, pattern: str) -> str:
        """A day in a CLDR pattern, with the month names the profile pins for the locale."""
        return format_month_year(day, pattern, self.locale,
                                 self.profile.month_names.get(self.locale))
