"""The two gettext domains a block is printed from, in one locale.

:class:`Words` is the tool's ``smpc`` domain: the labels, legal phrases and wordings of the
market profiles and the strings of the templates. :class:`Content` is the product's own
domain: its catalog, or the XML itself in the product's language. Each loads the catalogs
the :class:`~smpc_manager.render.inputs.InputResolver` names, and nothing else.

Nothing falls back: a message that is missing, fuzzy or fails a check is a problem, and the
caller refuses the whole rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smpc_manager.catalogs import CatalogLookup, load_lookup
from smpc_manager.errors import Problem, SourceLocation
from smpc_manager.locales import locale_chain, same_language
from smpc_manager.markets import Message
from smpc_manager.render.inputs import DOMAIN, SHIPPED_LOCALES, Input
from smpc_manager.rules import (
    PLACEHOLDERS,
    Failure,
    TranslationProblem,
    placeholders,
    translate,
    verdict_key,
)

if TYPE_CHECKING:
    from smpc_manager.model import Product, Text
    from smpc_manager.render.inputs import InputResolver, OutputInputs

#: The language the ``smpc`` messages (and the product XML, by default) are written in.
TOOL_SOURCE_LOCALE = "en"


def loaded(item: Input) -> CatalogLookup:
    """The catalog an input names, looked up as rendering reads it."""
    assert item.path is not None, item.name  # only the tool version has no file
    return load_lookup(Path(item.path))


class Words:
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
        #: The sha256 of each catalog, by its name among the inputs.
        self.inputs = inputs

    @classmethod
    def load(cls, locale: str, labels: Sequence[Input]) -> Words:
        """The ``smpc`` catalogs ``labels`` (the portfolio's own first, then the tool's, as
        the resolver found them) for ``locale``; a problem when there are none and the
        locale is not English."""
        source = same_language(locale, TOOL_SOURCE_LOCALE)
        found = [(label.name, loaded(label)) for label in labels]
        problems: list[Problem] = []
        if not found and not source:
            expected = f"{SHIPPED_LOCALES}/{locale_chain(locale)[-1]}/LC_MESSAGES/{DOMAIN}.po"
            problems.append(Problem(
                SourceLocation(expected),
                f"no catalog of the tool's labels and legal phrases for {locale}: they cannot"
                " be printed in that language",
                field=DOMAIN,
            ))
        # The hash of the bytes each lookup was read from.
        inputs = {name: catalog.sha256 for name, catalog in found}
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
        checks: tuple[str, ...] = ()
        for path, catalog in self.catalogs:
            entry = catalog.get(message.msgid)
            string = entry.string if entry is not None and not entry.plural else ""
            if entry is None or not string.strip():
                continue
            if entry.fuzzy:
                reason = f"fuzzy in {path}:{entry.lineno}"
            elif placeholders(string) != placeholders(message.msgid):
                english = " ".join(sorted(placeholders(message.msgid))) or "none"
                reason = str(Failure(PLACEHOLDERS, f"the placeholders differ in {path}:"
                                     f"{entry.lineno} (the English has {english})"))
                checks = (PLACEHOLDERS,)
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
        problems.append(TranslationProblem(
            message.location, f"{what} '{message.msgid}' has no usable {self.locale}"
            f" translation: {reason}", field=DOMAIN, checks=checks))
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


class Content:
    """The product's own domain in one locale: its catalog, or the XML in its language."""

    def __init__(self, product: Product, locale: str, catalog: CatalogLookup | None, *,
                 source: bool, problems: Sequence[Problem], inputs: dict[str, str],
                 untranslatable: Sequence[str] = ()) -> None:
        self.product = product
        self.locale = locale
        self.catalog = catalog
        self.source = source
        self.problems = tuple(problems)
        #: The sha256 of the catalog, by its name among the inputs (none in the source
        #: language).
        self.inputs = inputs
        #: The terms the portfolio lets stay in the source language.
        self.untranslatable = tuple(untranslatable)
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
    def load(cls, product: Product, locale: str, inputs: OutputInputs,
             resolver: InputResolver) -> Content:
        """The content of ``product`` in ``locale``: the XML's own text where the locale
        is in the product's language, else the catalog the resolver found (a problem when
        it found none)."""
        if not inputs.translated:
            return cls(product, locale, None, source=True, problems=(), inputs={})
        if inputs.catalog is None:
            portfolio = resolver.portfolio
            expected = portfolio.catalog_path(locale_chain(locale)[-1], product.id)
            problem = Problem(
                product.location,
                f"no {locale} catalog for {product.id}: every message would be English"
                f" (expected {resolver.name(str(expected))}; run smpc init)",
                field=product.id,
            )
            return cls(product, locale, None, source=False, problems=(problem,), inputs={})
        catalog = loaded(inputs.catalog)
        return cls(product, locale, catalog, source=False, problems=(),
                   inputs={inputs.catalog.name: catalog.sha256},
                   untranslatable=resolver.portfolio.translation.untranslatable)

    def get(self, text: Text, problems: list[Problem]) -> str:
        """The message in this locale, as a message (inline tags kept)."""
        if self.catalog is None:  # the source language, or no catalog (reported by load)
            return text.source
        # The same text, catalog and verdict key translate alike (translate's verdict
        # depends on the locale through verdict_key alone); only a pass is shared, so a
        # failure is worded for each market's locale.
        key = (self.catalog, self._verdict, text.context, text.source)
        passed = self._passed.get(key)
        if passed is not None:
            return passed
        result = translate(text, self.catalog, self.locale, self.product.name.value,
                           source_locale=self.product.lang or TOOL_SOURCE_LOCALE,
                           untranslatable=self.untranslatable)
        if result.ok and result.translation is not None:
            # A run-in paragraph is one line: a line break a translator typed is a space.
            passed = self._passed[key] = " ".join(result.translation.split())
            return passed
        why = "; ".join(result.reasons) or result.status
        old = self.catalog.positional_context(text.source, text.context.partition("#")[0]) \
            if result.status == "untranslated" else None
        if old is not None:
            why += (f" (the catalog has it under the context '{old}', by its position, as"
                    " catalogs made before smpc 0.3 have it: run smpc update once to convert"
                    " the catalog; no translation is lost)")
        problems.append(TranslationProblem(text.location, f"{text.context}: {result.status}"
                                           f" in {self.locale}: {why}", field=text.context,
                                           checks=result.checks))
        return text.source

