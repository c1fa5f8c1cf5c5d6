"""Rendering one product for one market: the text block, an HTML page, or structured JSON.

The :class:`~smpc_manager.render.inputs.InputResolver` names every file an output is made
from, and the renderer loads those and nothing else. The market profile picks the elements,
their order, labels and fixed phrases; the product's catalog gives the content in the target
language, the ``smpc`` catalogs the labels and phrases (:mod:`~smpc_manager.render.domains`);
Babel formats dates, prices, numbers and country names for the locale
(:mod:`~smpc_manager.render.l10n`); the format lays the composed block out
(:mod:`~smpc_manager.render.formats`), with a Jinja2 template where it has one
(:mod:`~smpc_manager.render.templates`).

Nothing falls back: a required message that is missing, fuzzy or fails a translation check
refuses the whole rendering with one :class:`~smpc_manager.errors.Problem` per message, so a
German text never carries a silent English sentence; nor is an expired summary printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager.clock import SYSTEM_CLOCK, Clock
from smpc_manager.errors import Problem, ProblemsError
from smpc_manager.files import file_hash
from smpc_manager.markets import MarketProfile, load_profile
from smpc_manager.render.compose import Composer, Document
from smpc_manager.render.domains import Content, Words
from smpc_manager.render.formats import EXTENSIONS, FORMATS, Page, format_named
from smpc_manager.render.inputs import TOOL_HASH, TOOL_INPUT, Input, InputResolver, OutputInputs
from smpc_manager.render.l10n import checked_locale
from smpc_manager.render.printed import printed_messages
from smpc_manager.render.shapes import price_changes
from smpc_manager.render.templates import Template
from smpc_manager.rules import expiry_errors

if TYPE_CHECKING:
    from smpc_manager.model import Product, Text
    from smpc_manager.portfolio import Portfolio


@dataclass(frozen=True, slots=True)
class Rendering:
    """One rendered text block and the sha256 of every input it was made from."""

    content: str
    fmt: str
    market: str
    locale: str
    product_id: str
    inputs: dict[str, str] = field(default_factory=dict)
    #: Where each input in :attr:`inputs` was read from, by its name (the tool's version,
    #: which is no file, aside).
    paths: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.fmt]


class Renderer:
    """Renders the products of one portfolio.

    Profiles, templates and the ``smpc`` catalogs are loaded once and shared by every
    :meth:`render` call (a build keeps one Renderer per portfolio); a product's catalog is
    looked up for every product, and read again when it changes. What the renderer reads is
    what its :attr:`resolver` names, which remembers what it found of the shared files
    and the missing catalog folders: a file or folder made later is seen by a new renderer.

    A portfolio may lay a format out itself with ``templates/text.txt.j2`` or
    ``templates/page.html.j2``: such a template runs in Jinja2's sandbox (it cannot reach
    Python objects beyond the values it is given), HTML is autoescaped all the same, and its
    ``{% trans %}`` strings must be translated like the tool's own.

    ``clock`` tells the day an expiry is judged on when a call names none (by default the
    system's date).
    """

    def __init__(self, portfolio: Portfolio, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.portfolio = portfolio
        #: Names every file an output is made from; the renderer reads nothing else.
        self.resolver = InputResolver(portfolio)
        self._clock = clock
        self._profiles: dict[str, MarketProfile] = {}
        self._templates: dict[Input, Template] = {}
        self._words: dict[tuple[str, tuple[Input, ...]], Words] = {}
        #: The ``gettext`` of each locale's labels and template.
        self._gettexts: dict[tuple[Words, Input], Callable[..., str]] = {}
        # What is kept of the product last rendered (one product at a time: memory stays
        # flat): its composed documents, its passed translations, its expiry verdicts.
        self._product: Product | None = None
        self._composed: dict[tuple[str, str, str, bool | None, dt.date | None, bool],
                             tuple[Document, tuple[Problem, ...]]] = {}
        self._passed: dict[tuple[object, ...], str] = {}
        self._expired: dict[tuple[str, dt.date], tuple[Problem, ...]] = {}
        #: The covers (the authorisations covering a market) and days on which the product
        #: rendered passes the expiry check.
        self._passing: set[tuple[tuple[int, ...], dt.date]] = set()

    def profile(self, market: str) -> MarketProfile:
        """The profile of a market (the portfolio's own where it defines one), loaded once."""
        code = market.strip().upper()
        if code not in self._profiles:
            self._profiles[code] = load_profile(code, self.portfolio)
        return self._profiles[code]

    def render(self, product: Product, market: str, locale: str | None = None,
               fmt: str = "text", *, as_of: dt.date | None = None) -> Rendering:
        """Render ``product`` for ``market`` in ``locale`` (default: the market's), as the
        text reads on the day ``as_of``.

        The day decides what the product's dates switch on and off: the ▼ statement is
        printed on the days the product is under additional monitoring in the market. A
        product with additional-monitoring entries for the market cannot be rendered
        without a day (a problem says so); for any other, the day changes nothing in the
        text.

        An expired summary is refused as ``smpc render`` refuses it (a review-by or the
        market's authorisation passed, or dates that contradict each other), judged as of
        ``as_of``, or as of today (the renderer's clock) when no day is given: the library
        never prints an expired text.

        Raises :class:`ProblemsError` listing every such date error, every missing, fuzzy or
        failing message and every piece of data the market needs but the product lacks;
        nothing is rendered then.
        """
        form = format_named(fmt)
        profile = self.profile(market)
        target = checked_locale(locale or profile.locale)
        inputs = self._inputs(product, profile, target, fmt)
        template = None if inputs.template is None else self._template(inputs.template)
        with_html = form.uses_html or (template is not None and not template.shipped)
        document, problems = self._compose(product, profile, target, inputs, as_of,
                                           with_html=with_html)
        words = self._words_for(target, inputs.labels)
        templates = [] if template is None else [template]
        refusals = _unique(self._expiry(product, profile, as_of), problems,
                           _untranslated(words, templates))
        if refusals:
            raise ProblemsError(refusals)
        recorded = dict(document.inputs)
        run = None
        if template is not None:
            recorded[template.input.name] = template.sha256
            run = partial(self._run, template, words, document=document, product=product,
                          market=profile.market, locale=target, source=inputs.product.name)
        recorded = dict(sorted(recorded.items()))
        page = Page(document, product, profile.market, target, recorded, run,
                    template is None or template.shipped)
        return Rendering(form.lay_out(page), fmt, profile.market, target, product.id,
                         recorded, {i.name: i.path for i in inputs if i.path is not None})

    def problems(self, product: Product, market: str, locale: str | None = None, *,
                 as_of: dt.date | None = None) -> list[Problem]:
        """Why :meth:`render` would refuse in any format as of ``as_of`` (the expiry judged
        as of today when it is None): every date error that refuses the summary, then
        :meth:`translation_problems` ([] if it would render)."""
        expired = self._expiry(product, self.profile(market), as_of)
        return _unique(expired, self.translation_problems(product, market, locale,
                                                          as_of=as_of))

    def translation_problems(self, product: Product, market: str, locale: str | None = None,
                             *, as_of: dt.date | None = None) -> list[Problem]:
        """Every missing, fuzzy or failing message of any format and every piece of data the
        market needs but the product lacks, in the text as it reads on ``as_of``; the
        summary's own dates aside (``smpc check`` judges those itself)."""
        profile = self.profile(market)
        target = checked_locale(locale or profile.locale)
        inputs = self._inputs(product, profile, target, None)
        _, problems = self._compose(product, profile, target, inputs, as_of, with_html=True)
        templates = [self._template(t) for t in
                     (self.resolver.template(name) for name in sorted(FORMATS))
                     if t is not None]
        return _unique(problems, _untranslated(self._words_for(target, inputs.labels),
                                               templates))

    def printed(self, product: Product, market: str, fields: Iterable[str],
                locale: str | None = None) -> dict[str, tuple[tuple[Text, str], ...]]:
        """Each of ``fields`` (:data:`~smpc_manager.markets.VERBATIM_FIELDS`) as the product's
        messages it prints in ``market``'s block, each with its text in ``locale`` (default:
        the market's) as plain text, in print order: what a market printing the field word
        for word must find in the SmPC. A message that cannot be printed (missing, fuzzy,
        failing a check) is left out: :meth:`translation_problems` reports it."""
        profile = self.profile(market)
        target = checked_locale(locale or profile.locale)
        self._switch_to(product)
        content = Content.load(product, target, self._inputs(product, profile, target, None),
                               self.resolver)
        content.share(self._passed)
        found: dict[str, tuple[tuple[Text, str], ...]] = {}
        for name in fields:
            texts = []
            for text in printed_messages(product, name):
                problems: list[Problem] = []
                translated = content.get(text, problems)
                if not problems and not content.problems:
                    texts.append((text, translated))
            found[name] = tuple(texts)
        return found

    # -------------------------------------------------------------------- what is read

    def _inputs(self, product: Product, profile: MarketProfile, locale: str,
                fmt: str | None) -> OutputInputs:
        return self.resolver.inputs(product_id=product.id, product_path=product.path,
                                    product_lang=product.lang, profile=profile,
                                    locale=locale, fmt=fmt,
                                    smpc_sources=[(s.lang, s.path) for s in product.smpc_sources])

    def _template(self, item: Input) -> Template:
        if item not in self._templates:
            self._templates[item] = Template.read(item, shipped=item.shipped)
        return self._templates[item]

    def _words_for(self, locale: str, labels: tuple[Input, ...]) -> Words:
        key = (locale, labels)
        if key not in self._words:
            self._words[key] = Words.load(locale, labels)
        return self._words[key]

    def _run(self, template: Template, words: Words, *, document: Document, product: Product,
             market: str, locale: str, source: str) -> str:
        """Lay ``document`` out with ``template``, its strings in the locale's words."""
        key = (words, template.input)
        gettext = self._gettexts.get(key)
        if gettext is None:
            gettext = self._gettexts[key] = words.template_gettext(template.messages)
        content = template.run(
            title=document.title,
            paragraphs=document.paragraphs,
            lang=locale.replace("_", "-"),
            product_id=product.id,
            market=market,
            source=source,
            gettext=gettext,
        )
        return content if content.endswith("\n") else content + "\n"

    # -------------------------------------------------------------------- composing

    def _switch_to(self, product: Product) -> None:
        """Forget what was kept of the product rendered before ``product``."""
        if product is not self._product:
            self._composed.clear()
            self._passed.clear()
            self._expired.clear()
            self._passing.clear()
            self._product = product

    def expiry_problems(self, product: Product, market: str,
                        as_of: dt.date | None = None) -> tuple[Problem, ...]:
        """The date errors that refuse ``product``'s summary in ``market`` as of ``as_of``
        (today when None): ``smpc render``'s rule, which :meth:`render` applies."""
        return self._expiry(product, self.profile(market), as_of)

    def _expiry(self, product: Product, profile: MarketProfile,
                as_of: dt.date | None) -> tuple[Problem, ...]:
        """:meth:`expiry_problems`, found once per market and day for the product rendered;
        markets covered by the same authorisations pass alike, so a pass is found once for
        all of them (a refusal is worded for each market)."""
        self._switch_to(product)
        day = as_of if as_of is not None else self._clock()
        key = (profile.market, day)
        if key not in self._expired:
            cover = (product.cover(profile.market), day)
            found = () if cover in self._passing else tuple(
                expiry_errors(product, self.portfolio, day, profile.market))
            if not found:
                self._passing.add(cover)
            self._expired[key] = found
        return self._expired[key]

    def _compose(self, product: Product, profile: MarketProfile, locale: str,
                 inputs: OutputInputs, as_of: dt.date | None = None, *,
                 with_html: bool = True) -> tuple[Document, list[Problem]]:
        """The document and every reason in it to refuse it; ``with_html`` false leaves the
        parts' HTML empty.

        The text, HTML and JSON of one product in one market share the composed document:
        it is kept for the product last rendered while its inputs' hashes stay the same
        (and, the day being part of what it is made from, its ▼ status and, where a price
        begins on some day, the day).
        """
        self._switch_to(product)
        monitored: bool | None = False  # None: it depends on a day that was not given
        if product.monitoring_for(profile.market):
            monitored = None if as_of is None else \
                product.under_additional_monitoring(profile.market, as_of)
        # The prices printed are those in force on the day (today when none is given).
        day = as_of if as_of is not None else self._clock()
        priced = day if price_changes(product, [profile.market]) else None
        words = self._words_for(locale, inputs.labels)
        content = Content.load(product, locale, inputs, self.resolver)
        content.share(self._passed)
        recorded = {
            # What was loaded, not the file as it is now (a model made by hand has no hash).
            inputs.product.name: product.sha256 or file_hash(Path(product.path)),
            inputs.profile.name: profile.sha256,
            TOOL_INPUT: TOOL_HASH,
        }
        recorded.update(words.inputs)
        recorded.update(content.inputs)
        # The SmPC the market's word-for-word elements are held to: not read to render, but
        # the output stands or falls with it (``smpc check``), so a build records it.
        recorded.update((s.name, file_hash(Path(str(s.path)))) for s in inputs.sources)
        key = (profile.market, profile.sha256, locale, monitored, priced, with_html)
        cached = self._composed.get(key)
        if cached is not None and cached[0].inputs == recorded:
            return cached[0], list(cached[1])
        problems = list(words.problems) + list(content.problems)
        title = words.get(profile.title, problems)
        composer = Composer(product, profile, locale, words, content, day=day,
                            monitored=monitored, html=with_html)
        document = Document(title, composer.paragraphs(), recorded)
        problems.extend(composer.problems)
        self._composed[key] = (document, tuple(problems))
        return document, problems


def _untranslated(words: Words, templates: Iterable[Template]) -> list[Problem]:
    """The templates' strings that have no usable translation in ``words``' locale."""
    problems: list[Problem] = []
    if not words.source:
        for template in templates:
            for message in template.messages:
                words.get(message, problems)
    return problems


def _unique(*groups: Iterable[Problem]) -> list[Problem]:
    """The problems of every group, in order, each once."""
    return list(dict.fromkeys(p for group in groups for p in group))


def translation_problems(product: Product, portfolio: Portfolio, market: str,
                         locale: str | None = None, *,
                         as_of: dt.date | None = None) -> list[Problem]:
    """Why ``product`` cannot be rendered for ``market`` in ``locale`` (default: the
    market's) as of ``as_of``, its own dates aside: one problem per missing, fuzzy or
    failing message (product or ``smpc`` domain) and per piece of data the market requires
    but the product lacks."""
    return Renderer(portfolio).translation_problems(product, market, locale, as_of=as_of)
