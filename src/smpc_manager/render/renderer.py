"""Rendering one product for one market: the text block, an HTML page, or structured JSON.

The market profile (:mod:`smpc_manager.markets.profiles`) picks the elements, their order,
labels and fixed phrases; the product's catalog gives the content in the target language,
the ``smpc`` catalog the labels and phrases; Babel formats dates, prices, numbers and
country names for the locale; a Jinja2 template lays the result out. This is the only module
that imports Jinja2.

Nothing falls back: a required message that is missing, fuzzy or fails a translation check
refuses the whole rendering with one :class:`~smpc_manager.model.Problem` per message, so a
German text never carries a silent English sentence.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from smpc_manager import inline
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.files import file_hash
from smpc_manager.locales import same_language
from smpc_manager.markets import Element, MarketProfile, Message, load_profile
from smpc_manager.model import Product, Text
from smpc_manager.render.inputs import (
    DOMAIN,
    EXTENSIONS,
    TEMPLATES,
    TOOL_HASH,
    TOOL_INPUT,
    profile_name,
    relative_name,
    template_dir,
    template_hash,
    template_name,
)
from smpc_manager.resources import resource_dir
from smpc_manager.rules import translate, verdict_key

if TYPE_CHECKING:
    import jinja2

    from smpc_manager.catalogs import CatalogLookup
    from smpc_manager.portfolio import Portfolio

#: The language the ``smpc`` messages (and the product XML, by default) are written in.
TOOL_SOURCE_LOCALE = "en"
#: Version of the JSON structure; raised when a key changes meaning or disappears.
JSON_VERSION = 1

_SENTENCE_END = (".", "!", "?", ":")

#: Countries whose addresses put the postal code after the town (``Sandwich CT13 9NJ``);
#: elsewhere it comes first (``1050 Brüssel``). The holder's country decides, not the locale.
POSTCODE_AFTER_CITY = frozenset({"AU", "CA", "GB", "IE", "IM", "JE", "GG", "US"})


@dataclass(frozen=True, slots=True)
class Rendering:
    """One rendered text block and the sha256 of every input it was made from."""

    content: str
    fmt: str
    market: str
    locale: str
    product_id: str
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.fmt]


class Part(NamedTuple):
    """One element of the block as printed: its label and its text, plain and as HTML.

    (A named tuple: a block makes a dozen, and a frozen data class costs three times as much
    to make.)"""

    field: str
    label: str | None
    text: str
    html: str


class Paragraph(NamedTuple):
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class _Document:
    title: str
    paragraphs: tuple[Paragraph, ...]
    inputs: dict[str, str]


# ------------------------------------------------------------------------ the renderer


class Renderer:
    """Renders the products of one portfolio.

    Profiles, the Jinja2 environment, the templates and the ``smpc`` catalogs are loaded once
    and shared by every :meth:`render` call (a build keeps one Renderer per portfolio). A
    product's catalog is looked up for every product (and read again when it changes), but a
    catalog folder the renderer found missing (``locales/de_AT/LC_MESSAGES`` where only
    ``de`` has catalogs) is not asked again: one made later is seen by a new renderer.

    A portfolio may lay a format out itself with ``templates/text.txt.j2`` or
    ``templates/page.html.j2``: such a template runs in Jinja2's sandbox (it cannot reach
    Python objects beyond the values it is given), HTML is autoescaped all the same, and its
    ``{% trans %}`` strings must be translated like the tool's own.
    """

    def __init__(self, portfolio: Portfolio) -> None:
        from smpc_manager.portfolio import TEMPLATES_DIR

        self.portfolio = portfolio
        self._profiles: dict[str, MarketProfile] = {}
        own = portfolio.root / TEMPLATES_DIR
        self._own = {fmt: own / name for fmt, name in TEMPLATES.items()
                     if (own / name).is_file()}
        #: The folder of the portfolio's own templates, when it has any (for Jinja2).
        self._own_folder = str(own) if self._own else None
        self._templates: dict[str, jinja2.Template] = {}
        #: The ``gettext`` of each locale's and format's template.
        self._gettexts: dict[tuple[str, str], Callable[..., str]] = {}
        self._words: dict[str, _Words] = {}
        self._composed: dict[tuple[str, str, str, bool | None, bool],
                             tuple[_Document, tuple[Problem, ...]]] = {}
        self._composed_for: Product | None = None
        self._passed: dict[tuple[object, ...], str] = {}
        #: Catalog folders found missing (``locales/de_AT/LC_MESSAGES``), asked once.
        self._absent: set[str] = set()

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
        without a day (a problem says so); for any other, ``as_of`` changes nothing.

        Raises :class:`ProblemsError` listing every missing, fuzzy or failing message and
        every piece of data the market needs but the product lacks; nothing is rendered then.
        """
        if fmt not in EXTENSIONS:
            raise UsageError(f"unknown format '{fmt}' (known: {', '.join(EXTENSIONS)})")
        profile = self.profile(market)
        target = _locale(locale or profile.locale)
        document, problems = self._compose(product, profile, target, fmt, as_of)
        if problems:
            raise ProblemsError(problems)
        inputs = dict(document.inputs)
        if fmt == "json":
            content = _json(document, product, profile, target, inputs)
        elif fmt == "text" and "text" not in self._own:
            key, digest = self._template_input(fmt)
            inputs[key] = digest
            content = text_block(document.title, document.paragraphs)
        else:
            key, digest = self._template_input(fmt)
            inputs[key] = digest
            gettext = self._gettexts.get((target, fmt))
            if gettext is None:
                gettext = self._gettexts[target, fmt] = self._words_for(
                    target).template_gettext(self._template_messages(fmt))
            content = self._lay_out(
                fmt,
                (key, digest),
                title=document.title,
                paragraphs=document.paragraphs,
                lang=target.replace("_", "-"),
                product_id=product.id,
                market=profile.market,
                source=relative_name(product.path, self.portfolio.root),
                gettext=gettext,
            )
            if not content.endswith("\n"):
                content += "\n"
        return Rendering(content, fmt, profile.market, target, product.id,
                         dict(sorted(inputs.items())))

    def problems(self, product: Product, market: str, locale: str | None = None, *,
                 as_of: dt.date | None = None) -> list[Problem]:
        """Why :meth:`render` would refuse in any format as of ``as_of``: every missing, fuzzy
        or failing message and every piece of data the market needs but the product lacks
        ([] if it would render)."""
        profile = self.profile(market)
        return self._compose(product, profile, _locale(locale or profile.locale), None,
                             as_of)[1]

    # -------------------------------------------------------------------- templates

    def _template_input(self, fmt: str) -> tuple[str, str]:
        """The template of a format as an input: its name and its sha256."""
        own = self._own.get(fmt)
        if own is not None:
            return relative_name(str(own), self.portfolio.root), file_hash(own)
        return template_name(TEMPLATES[fmt]), template_hash(TEMPLATES[fmt])

    def _template_messages(self, fmt: str) -> tuple[Message, ...]:
        own = self._own.get(fmt)
        if own is None:
            return template_messages(TEMPLATES[fmt])
        return _extract_template(own, relative_name(str(own), self.portfolio.root))

    def _lay_out(self, fmt: str, named: tuple[str, str], /, **values: Any) -> str:
        """Render the format's template (``named``: its name and hash as an input); a
        broken portfolio template is a problem naming its ``path:line``, never a traceback."""
        import jinja2

        shown = named[0]
        try:
            if fmt not in self._templates:
                template = _environment(self._own_folder).get_template(TEMPLATES[fmt])
                # Jinja2 keeps a template's globals as a ChainMap over the environment's,
                # and copies it into a new dict for every rendering: flattened once, the
                # copy is one C call instead of a walk (a third of laying a block out).
                template.globals = dict(template.globals)
                self._templates[fmt] = template
            return self._templates[fmt].render(**values)
        except jinja2.TemplateSyntaxError as err:
            raise ProblemsError([Problem(SourceLocation(shown, err.lineno or 0),
                                         f"the template is not valid: {err.message}")]
                                ) from None
        except jinja2.TemplateError as err:  # undefined names, the sandbox's refusals
            line = _template_line(err, self._own.get(fmt))
            raise ProblemsError([Problem(SourceLocation(shown, line),
                                         f"the template failed: {err}")]) from None

    # -------------------------------------------------------------------- composing

    def _words_for(self, locale: str) -> _Words:
        if locale not in self._words:
            self._words[locale] = _Words.load(locale, self.portfolio)
        return self._words[locale]

    def _compose(self, product: Product, profile: MarketProfile, locale: str,
                 fmt: str | None, as_of: dt.date | None = None
                 ) -> tuple[_Document, list[Problem]]:
        """The document and every reason to refuse it; ``fmt`` None checks the strings of
        every template, a format only those of its own.

        The text, HTML and JSON of one product in one market share the composed document:
        it is kept for the product last rendered while its inputs' hashes stay the same
        (and, the day being part of what it is made from, its ▼ status).
        """
        monitored: bool | None = False  # None: it depends on a day that was not given
        if product.monitoring_for(profile.market):
            monitored = None if as_of is None else \
                product.under_additional_monitoring(profile.market, as_of)
        words = self._words_for(locale)
        content = _Content.load(product, locale, self.portfolio, self._absent)
        if product is not self._composed_for:  # one product at a time: memory stays flat
            self._composed.clear()
            self._passed.clear()
            self._composed_for = product
        content.share(self._passed)
        inputs = {
            # What was loaded, not the file as it is now (a model made by hand has no hash).
            relative_name(product.path, self.portfolio.root):
                product.sha256 or file_hash(Path(product.path)),
            profile_name(profile, self.portfolio.root): profile.sha256,
            TOOL_INPUT: TOOL_HASH,
        }
        inputs.update(words.inputs)
        inputs.update(content.inputs)
        # A plain-text block made by the tool's template needs no HTML of its parts.
        with_html = fmt != "text" or "text" in self._own
        key = (profile.market, profile.sha256, locale, monitored, with_html)
        cached = self._composed.get(key)
        if cached is not None and cached[0].inputs == inputs:
            document, problems = cached[0], list(cached[1])
        else:
            problems = list(words.problems) + list(content.problems)
            title = words.get(profile.title, problems)
            composer = _Composer(product, profile, locale, words, content, monitored=monitored,
                                 html=with_html)
            document = _Document(title, composer.paragraphs(), inputs)
            problems.extend(composer.problems)
            self._composed[key] = (document, tuple(problems))
        # The page's own strings (templates) must be translated as well as the profile's.
        if not words.source:
            formats = sorted(TEMPLATES) if fmt is None else [fmt] if fmt in TEMPLATES else []
            for name in formats:
                for message in self._template_messages(name):
                    words.get(message, problems)
        return document, list(dict.fromkeys(problems))


def translation_problems(product: Product, portfolio: Portfolio, market: str,
                         locale: str | None = None, *,
                         as_of: dt.date | None = None) -> list[Problem]:
    """Why ``product`` cannot be rendered for ``market`` in ``locale`` (default: the
    market's) as of ``as_of``: one problem per missing, fuzzy or failing message (product or
    ``smpc`` domain) and per piece of data the market requires but the product lacks."""
    return Renderer(portfolio).problems(product, market, locale, as_of=as_of)


# ------------------------------------------------------------------------ the two domains


class _Words:
    """The ``smpc`` domain in one locale: labels, phrases, wordings, the page's strings."""

    def __init__(self, locale: str, catalogs: Sequence[tuple[str, CatalogLookup]], *,
                 source: bool, problems: Sequence[Problem], inputs: dict[str, str]) -> None:
        self.locale = locale
        self.catalogs = catalogs
        self.source = source
        self.problems = tuple(problems)
        #: Texts found, by msgid: the same labels and phrases are looked up for every
        #: product (only a lookup that reports nothing is remembered).
        self._found: dict[str, str] = {}
        self.inputs = inputs

    @classmethod
    def load(cls, locale: str, portfolio: Portfolio) -> _Words:
        """The portfolio's own ``locales/<lang>/LC_MESSAGES/smpc.po`` first (for the labels of
        its own profiles), then the catalog shipped with the tool; ``de_AT`` falls back to
        ``de``."""
        from smpc_manager.catalogs import load_lookup
        from smpc_manager.locales import locale_chain

        source = same_language(locale, TOOL_SOURCE_LOCALE)
        found: list[tuple[str, CatalogLookup]] = []
        inputs: dict[str, str] = {}
        for root, shown in ((portfolio.locales_dir, None),
                            (resource_dir("locales"), "smpc_manager/locales")):
            for candidate in locale_chain(locale):
                path = root / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
                if path.is_file():
                    key = f"{shown}/{candidate}/LC_MESSAGES/{DOMAIN}.po" if shown \
                        else relative_name(str(path), portfolio.root)
                    catalog = load_lookup(path)
                    found.append((key, catalog))
                    inputs[key] = catalog.sha256  # of the bytes read
                    break
        problems: list[Problem] = []
        if not found and not source:
            expected = f"smpc_manager/locales/{locale_chain(locale)[-1]}/LC_MESSAGES/smpc.po"
            problems.append(Problem(
                SourceLocation(expected),
                f"no catalog of the tool's labels and legal phrases for {locale}: they cannot"
                " be printed in that language",
                field=DOMAIN,
            ))
        return cls(locale, found, source=source, problems=problems, inputs=inputs)

    def get(self, message: Message, problems: list[Problem]) -> str:
        """The text of ``message`` in this locale; a problem is appended when there is none.

        The first catalog that translates the message decides (the portfolio's before the
        tool's): a fuzzy entry there, or one whose ``%(name)s`` placeholders differ from the
        English, is refused rather than passed over. In English the message is its own text.
        """
        found = self._found.get(message.msgid)
        if found is not None:
            return found
        reason = ""
        for path, catalog in self.catalogs:
            entry = catalog.get(message.msgid)
            string = entry.string if entry is not None and not entry.plural else ""
            if entry is None or not string.strip():
                continue
            if entry.fuzzy:
                reason = f"fuzzy in {path}:{entry.lineno}"
            elif _placeholders(string) != _placeholders(message.msgid):
                english = " ".join(sorted(_placeholders(message.msgid))) or "none"
                reason = (f"the placeholders differ in {path}:{entry.lineno} (the English has"
                          f" {english})")
            else:
                return self._remember(message.msgid, " ".join(string.split()))
            break
        if self.source:
            return self._remember(message.msgid, message.msgid)
        if not self.catalogs:  # a missing catalog is reported once, not for every message
            return message.msgid
        if not reason:
            reason = "not translated in " + " or ".join(path for path, _ in self.catalogs)
        what = message.note or "message"
        problems.append(Problem(message.location, f"{what} '{message.msgid}' has no usable"
                                f" {self.locale} translation: {reason}", field=DOMAIN))
        return message.msgid

    def _remember(self, msgid: str, text: str) -> str:
        if len(self._found) >= 4096:  # bounded, however many messages profiles define
            self._found.clear()
        self._found[msgid] = text
        return text

    def template_gettext(self, messages: Sequence[Message]) -> Callable[..., str]:
        """A ``gettext`` for a template's ``{% trans %}`` blocks (new-style: the variables
        are formatted in after the lookup; the result is autoescaped like any text)."""
        lookup = {m.msgid: m for m in messages}

        def gettext(msgid: str, **variables: Any) -> str:
            message = lookup.get(msgid) or Message(msgid, SourceLocation("template"))
            text = self.get(message, [])
            return text % variables if variables else text

        return gettext


class _Content:
    """The product's own domain in one locale: its catalog, or the XML in its language."""

    def __init__(self, product: Product, locale: str, catalog: CatalogLookup | None, *,
                 source: bool, problems: Sequence[Problem], inputs: dict[str, str]) -> None:
        self.product = product
        self.locale = locale
        self.catalog = catalog
        self.source = source
        self.problems = tuple(problems)
        self.inputs = inputs
        #: Translations that passed, shared by the markets rendered from the same catalog
        #: in locales that check alike (Austria's and Germany's German): see ``share``.
        self._passed: dict[tuple[object, ...], str] = {}
        #: What of the locale a verdict depends on (asked once, not for every message).
        self._verdict = verdict_key(locale) if catalog is not None else None

    def share(self, passed: dict[tuple[object, ...], str]) -> None:
        """Keep passed translations in ``passed``, which the other markets of the same
        product use too (the renderer empties it for each product)."""
        self._passed = passed

    @classmethod
    def load(cls, product: Product, locale: str, portfolio: Portfolio,
             absent: set[str] | None = None) -> _Content:
        """The content of ``product`` in ``locale``: its catalog's, found as
        :func:`~smpc_manager.lookup.find_lookup` finds it (``absent``: the catalog folders
        a renderer found missing before)."""
        from smpc_manager.catalogs import find_lookup
        from smpc_manager.locales import locale_chain

        source_locale = product.lang or portfolio.source_locale
        if same_language(locale, source_locale):
            return cls(product, locale, None, source=True, problems=(), inputs={})
        found = find_lookup(portfolio, product.id, locale, absent)
        if found is None:
            expected = portfolio.catalog_path(locale_chain(locale)[-1], product.id)
            problem = Problem(
                product.location,
                f"no {locale} catalog for {product.id}: every message would be English"
                f" (expected {relative_name(str(expected), portfolio.root)}; run smpc init)",
                field=product.id,
            )
            return cls(product, locale, None, source=False, problems=(problem,), inputs={})
        path, catalog = found
        return cls(product, locale, catalog, source=False, problems=(),
                   inputs={relative_name(str(path), portfolio.root): catalog.sha256})

    def get(self, text: Text, problems: list[Problem]) -> str:
        """The message in this locale, as a message (inline tags kept)."""
        if self.source:
            return text.source
        if self.catalog is None:  # reported once by load()
            return text.source
        # The same text, catalog and verdict key translate alike (translate's verdict
        # depends on the locale through verdict_key alone); only a pass is shared, so a
        # failure is worded for each market's locale.
        key = (self.catalog, self._verdict, text.context, text.source)
        passed = self._passed.get(key)
        if passed is not None:
            return passed
        result = translate(text, self.catalog, self.locale, self.product.name.value,
                           source_locale=self.product.lang or TOOL_SOURCE_LOCALE)
        if result.ok and result.translation is not None:
            # A run-in paragraph is one line: a line break a translator typed is a space.
            passed = self._passed[key] = " ".join(result.translation.split())
            return passed
        why = "; ".join(result.reasons) or result.status
        problems.append(Problem(text.location, f"{text.context}: {result.status} in"
                                f" {self.locale}: {why}", field=text.context))
        return text.source


# ------------------------------------------------------------------------ composing elements


class _Composer:
    """Turns a profile's elements into paragraphs of parts, collecting every problem."""

    def __init__(self, product: Product, profile: MarketProfile, locale: str, words: _Words,
                 content: _Content, *, monitored: bool | None = False,
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
            plain = joiner.join([inline.to_text(m) for m in messages])
            html = _escape(joiner).join([inline.to_html(m) for m in messages]) if self.html \
                else ""
        except inline.InlineError:  # reported by the translation check
            plain = joiner.join(messages)
            html = self._escape(plain)
        return plain, html

    def _plain(self, text: str) -> tuple[str, str]:
        return text, self._escape(text)

    def _escape(self, text: str) -> str:
        return _escape(text) if self.html else ""

    def _value(self, element: Element) -> tuple[str, str] | None:
        product, name = self.product, element.field
        if name == "name":
            form = inline.to_text(self.content.get(product.pharmaceutical_form, self.problems))
            strength = localize_numbers(product.strength.value, self.locale)
            return self._plain(f"{product.name.value} {strength} {form}")
        if name == "active-substance":
            return self._messages(self._texts(product.active_substances), ", ")
        if name == "excipients":
            if not product.excipients:
                self._missing(element, "the excipients")
                return None
            items = [inline.to_text(t) for t in self._texts(product.excipients)]
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
        translated = inline.to_text(self.content.get(actives[0], []))
        return not any(s.casefold() in name for s in (actives[0].source, translated))

    def _holder(self) -> str:
        holder = self.product.holder
        address = holder.address
        city = inline.to_text(self.content.get(address.city, self.problems))
        if not address.postal_code:
            town = city
        elif address.country.value in POSTCODE_AFTER_CITY:
            town = f"{city} {address.postal_code}"
        else:
            town = f"{address.postal_code} {city}"
        country = _territories(self.locale).get(address.country.value,
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
        from babel.numbers import format_currency

        cost = self.product.cost(self.profile.market)
        if cost is None:
            self._missing(element, f"a cost for {self.profile.market}")
            return None
        price = format_currency(cost.amount, cost.currency, locale=self.locale)
        pack = inline.to_text(self.content.get(cost.pack, self.problems))
        if self.profile.cost_format is None:
            return self._plain(f"{price}, {pack}")
        pattern = self.words.get(self.profile.cost_format, self.problems)
        try:
            return self._plain(pattern % {"price": price, "pack": pack})
        except (KeyError, ValueError, TypeError):  # placeholders are checked by get()
            return self._plain(f"{price}, {pack}")


# ------------------------------------------------------------------------ Babel formatting


@lru_cache(maxsize=64)
def _territories(locale: str) -> Mapping[str, str]:
    """Country names in a locale, by code (CLDR's, looked up once per locale)."""
    from babel import Locale

    return Locale.parse(locale).territories


@lru_cache(maxsize=64)
def _locale(locale: str) -> str:
    """A locale as Babel and the folder names write it (``de-at`` -> ``de_AT``); unknown to
    CLDR is a usage error."""
    from babel import Locale, UnknownLocaleError

    from smpc_manager.locales import normalize_locale

    name = normalize_locale(locale.strip())
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        raise UsageError(f"unknown locale '{locale}' (expected e.g. de_AT, de, en)") from None
    return name


def format_revision_date(product: Product, profile: MarketProfile, locale: str) -> str:
    """The revision date as the profile prints it (``Februar 2022``; ``Jänner`` in Austria).

    Month names the profile pins for the locale win over CLDR's, so an approved text cannot
    change with a Babel upgrade.
    """
    day = product.revision_date.value.first_day()
    return format_month_year(day, profile.revision_date_format, locale,
                             profile.month_names.get(locale))


def format_month_year(day: Any, pattern: str, locale: str,
                      month_names: Sequence[str] | None = None) -> str:
    """``day`` in a CLDR date pattern; ``MMMM`` taken from ``month_names`` when given.

    >>> import datetime as dt
    >>> format_month_year(dt.date(2022, 1, 1), "MMMM y", "de_DE")
    'Januar 2022'
    >>> format_month_year(dt.date(2022, 1, 1), "MMMM y", "de_DE", ["Jänner"] + [""] * 11)
    'Jänner 2022'
    """
    if month_names and "MMMM" in pattern:
        name = month_names[day.month - 1].replace("'", "''")
        pattern = pattern.replace("MMMM", f"'{name}'")
    return _format_date(day, pattern, locale)


@lru_cache(maxsize=1024)
def _format_date(day: Any, pattern: str, locale: str) -> str:
    """Babel's ``format_date``, remembered: a portfolio's products share a few dates, and
    each is printed for several markets."""
    from babel.dates import format_date

    return str(format_date(day, pattern, locale=locale))


def localize_numbers(text: str, locale: str) -> str:
    """Decimal numbers in an untranslated field (the strength) in the locale's notation.

    >>> localize_numbers("0.5 mg/1.5 ml", "de_AT")
    '0,5 mg/1,5 ml'
    """
    return _DECIMAL.sub(rf"\1{_decimal_symbol(locale)}\2", text)


_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")


@lru_cache(maxsize=64)
def _decimal_symbol(locale: str) -> str:
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(locale))


def join_list(items: Sequence[str], style: str, locale: str) -> str:
    """Join items as the profile says: ``comma`` (``A, B, C``) or a CLDR list style.

    >>> join_list(["Sucrose", "Polysorbat 80"], "comma", "de_AT")
    'Sucrose, Polysorbat 80'
    >>> join_list(["A", "B", "C"], "standard", "de_AT")
    'A, B und C'
    """
    from babel.lists import format_list

    if style == "comma":
        return ", ".join(items)
    return str(format_list(list(items), style=style, locale=locale))  # type: ignore[arg-type]


# ------------------------------------------------------------------------ output


def _json(document: _Document, product: Product, profile: MarketProfile, locale: str,
          inputs: dict[str, str]) -> str:
    elements = []
    for number, paragraph in enumerate(document.paragraphs, 1):
        for part in paragraph.parts:
            elements.append({"paragraph": number, "field": part.field, "label": part.label,
                             "text": part.text, "html": part.html})
    data = {
        "version": JSON_VERSION,
        "product": product.id,
        "market": profile.market,
        "locale": locale,
        "title": document.title,
        "revision-date": str(product.revision_date.value),
        "elements": elements,
        "inputs": dict(sorted(inputs.items())),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def text_block(title: str, paragraphs: Sequence[Paragraph]) -> str:
    """The shipped text template (``templates/text.txt.j2``) laid out without Jinja2.

    The template stays what a portfolio copies to lay its blocks out otherwise, and the
    input every text output names; this gives its very bytes (a test lays out every example
    and random documents both ways), so a build of text blocks never starts Jinja2: its
    import and compiling the template were a tenth of each worker's start, and laying a
    block out through it a tenth of rendering one.
    """
    lines = [title, "\n\n"]
    for paragraph in paragraphs:
        lines.append(" ".join([f"{part.label}: {part.text}" if part.label else part.text
                               for part in paragraph.parts]))
        lines.append("\n")
    return "".join(lines)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s|%[sd]", text))


@cache
def _environment(own: str | None = None) -> jinja2.Environment:
    """The Jinja2 environment: the tool's templates, or a portfolio's own folder first and
    then the tool's, in the sandbox."""
    import jinja2
    import jinja2.sandbox

    kind = jinja2.Environment if own is None else jinja2.sandbox.ImmutableSandboxedEnvironment
    folders = [str(template_dir())] if own is None else [own, str(template_dir())]
    env = kind(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # {% trans %} blocks call the ``gettext`` passed in with the variables as keywords.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    return env


@cache
def template_messages(name: str | None = None) -> tuple[Message, ...]:
    """The ``smpc`` messages of one template (default: all), found with Babel's Jinja2
    extractor, as ``python -m smpc_manager.tooldomain`` extracts them."""
    found: list[Message] = []
    for template in [name] if name is not None else sorted(TEMPLATES.values()):
        found.extend(_extract_template(template_dir() / template, template_name(template)))
    return tuple(found)


def _extract_template(path: Path, shown: str) -> tuple[Message, ...]:
    try:
        if not _MAY_TRANSLATE.search(path.read_bytes()):
            return ()  # no {% trans %} block and no gettext call: nothing to extract
    except OSError:
        return ()  # a template that cannot be read is reported when it is rendered
    import jinja2
    from babel.messages.extract import extract
    from jinja2.ext import babel_extract

    found: list[Message] = []
    try:
        # Jinja2's extractor itself, the one Babel's "jinja2" method names: asking for it
        # by name makes Babel search the installed packages' entry points (30 ms).
        with path.open("rb") as handle:
            for extracted in extract(babel_extract, handle, options={
                    "extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                    "trimmed": "true"}):
                # (lineno, message, comments, context); the type stubs lag behind Babel.
                row: Any = extracted
                lineno, msgid = int(row[0]), row[1]
                text = msgid if isinstance(msgid, str) else msgid[0]
                found.append(Message(text, SourceLocation(shown, lineno),
                                     f"text of {Path(shown).name}"))
    except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError):
        return ()  # a broken template is reported when it is rendered, with its line
    return tuple(found)


#: What every string Jinja2's i18n extractor finds starts with: a ``trans`` block or a call
#: of ``_``, ``gettext`` and its plural and context variants.
_MAY_TRANSLATE = re.compile(rb"trans|gettext|\b_\s*\(")


def _template_line(err: BaseException, path: Path | None) -> int:
    """The line of a template in a Jinja2 error's traceback (Jinja2 maps its frames to the
    template's lines), 0 when it is not there."""
    import traceback

    if path is None:
        return 0
    wanted = str(path.resolve())
    lines = [frame.lineno or 0 for frame in traceback.extract_tb(err.__traceback__)
             if str(Path(frame.filename).resolve()) == wanted]
    return lines[-1] if lines else 0
