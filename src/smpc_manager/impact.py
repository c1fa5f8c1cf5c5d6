"""``smpc impact``: what a new version of an approved SmPC changes in a portfolio.

Two versions of one SmPC are compared section by section
(:func:`smpc_manager.sources.compare_documents`). For each section that changed, in the
products whose SmPC the old version is (the file the product keeps, or one of the same
bytes):

* the product fields taken from that section (``SMPC_SECTION_OF`` of the profiles) and the
  markets that print them, each with how it relates to the SmPC (``verbatim``,
  ``consistent``, or free), in the markets whose text the SmPC's language gives: every market
  for an SmPC in the product's own language, whose words the catalogs translate; the markets
  of that language for another;
* the outputs of the last build (its ``manifest.json``) of those products and markets;
* the catalog entries that go with it: for an SmPC in the product's language, each message
  that stood word for word in the old section and does not in the new one, whose entries in
  every catalog of the product will go fuzzy once its English follows the SmPC; for an SmPC
  in another language, each translation in that language's catalog that stood in the old
  section and does not in the new one, to revise.

Anything a market prints being affected is what makes the command's exit status 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from smpc_manager.builder import MANIFEST_FILE, Manifest
from smpc_manager.catalogs import load_lookup
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation, json_safe
from smpc_manager.files import file_hash
from smpc_manager.locales import locale_chain, normalize_locale, same_language
from smpc_manager.markets import SMPC_SECTION_OF, VERBATIM_FIELDS, markets_for
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio
from smpc_manager.products import load_product
from smpc_manager.render import Renderer, printed_messages
from smpc_manager.reports import report
from smpc_manager.sources import (
    Document,
    SectionChange,
    compare_documents,
    contains,
    plain,
    product_sources,
    read_epi,
)


@dataclass(frozen=True, slots=True)
class Printed:
    """A field of a product taken from a changed section, and a market that prints it."""

    product: str
    field: str
    market: str
    locale: str
    #: ``verbatim``, ``consistent``, or ``free``.
    relation: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A catalog entry a changed section affects: ``fuzzy`` (its English changes with the
    SmPC) or ``revise`` (its translation no longer stands in the SmPC of its language)."""

    path: str
    line: int
    context: str
    msgid: str
    becomes: str


@dataclass(frozen=True, slots=True)
class SectionImpact:
    """A changed section and what it touches in the portfolio."""

    change: SectionChange
    printed: tuple[Printed, ...] = ()
    outputs: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()

    def as_dict(self) -> dict[str, object]:
        change = self.change
        return {
            "section": change.key, "section_code": change.code, "heading": change.heading,
            "change": change.kind, "line": change.line, "diff": change.diff,
            "printed": [{"product": p.product, "field": p.field, "market": p.market,
                         "locale": p.locale, "relation": p.relation} for p in self.printed],
            "outputs": list(self.outputs),
            "entries": [{"path": json_safe(e.path), "line": e.line, "context": e.context,
                         "msgid": e.msgid, "becomes": e.becomes} for e in self.entries],
        }


@dataclass(frozen=True, slots=True)
class Impact:
    """What the new version of an SmPC changes: each changed section with what it touches,
    the products whose SmPC the old version is, and notes (a manifest not found)."""

    old: str
    new: str
    lang: str
    sections: tuple[SectionImpact, ...]
    products: tuple[str, ...] = ()
    notes: tuple[Problem, ...] = field(default=())

    @property
    def affected(self) -> bool:
        """Whether a market prints anything a changed section gives."""
        return any(s.printed for s in self.sections)

    def as_dict(self) -> dict[str, object]:
        """The report of ``smpc impact --format json`` (``schemas/json/impact.schema.json``):
        one item per changed section."""
        return report("impact", {
            "old": json_safe(self.old), "new": json_safe(self.new), "lang": self.lang,
            "products": list(self.products), "sections": len(self.sections),
            "printed": sum(len(s.printed) for s in self.sections),
            "outputs": len({o for s in self.sections for o in s.outputs}),
            "entries": sum(len(s.entries) for s in self.sections),
            "affected": self.affected,
        }, (s.as_dict() for s in self.sections),
            notes=[{"path": json_safe(n.location.path), "message": n.message}
                   for n in self.notes])


def impact(old: Path, new: Path, portfolio: Portfolio, output: Path | None = None) -> Impact:
    """What replacing the SmPC ``old`` by ``new`` changes in ``portfolio``, with the outputs
    of the build into ``output`` (its ``manifest.json``; none when None).

    Raises :class:`ProblemsError` for a file that cannot be read, holds no SmPC, or is in
    another language than the other.
    """
    before, after = _smpc(old), _smpc(new)
    if before.lang and after.lang and not same_language(before.lang, after.lang):
        raise ProblemsError([Problem(SourceLocation(str(new)), f"is the SmPC in {after.lang},"
                                     f" {old} in {before.lang}: compare two versions of one"
                                     " SmPC in one language")])
    lang = normalize_locale(before.lang or after.lang)
    changes = compare_documents(before, after)
    products = list(_using(old, portfolio))
    notes: list[Problem] = []
    manifest = Manifest()
    if output is not None:
        manifest = Manifest.read(output / MANIFEST_FILE)
        notes.extend(manifest.notes)
        if not os.path.isfile(output / MANIFEST_FILE):
            notes.append(Problem(SourceLocation(str(output / MANIFEST_FILE)),
                                 "no build's manifest here: no output is listed",
                                 Severity.WARNING))
    renderer = Renderer(portfolio)
    sections = tuple(_section(change, products, lang, renderer, manifest)
                     for change in changes)
    return Impact(str(old), str(new), lang, sections, tuple(p.id for p in products),
                  tuple(notes))


def _smpc(path: Path) -> Document:
    smpc = read_epi(path).smpc
    if smpc is None:
        raise ProblemsError([Problem(SourceLocation(str(path), 1), "holds no SmPC")])
    return smpc


def _using(old: Path, portfolio: Portfolio) -> Iterator[Product]:
    """The products of the portfolio whose SmPC ``old`` is: the file they keep, or one of
    the same bytes."""
    digest = file_hash(old)
    where = old.resolve()
    for path in portfolio.product_files():
        product = load_product(path)
        for source in product_sources(portfolio, product).values():
            if source.resolve() == where or (source.is_file() and file_hash(source) == digest):
                yield product
                break


def _section(change: SectionChange, products: list[Product], lang: str, renderer: Renderer,
             manifest: Manifest) -> SectionImpact:
    fields = [f for f, key in SMPC_SECTION_OF.items() if key == change.key]
    printed: list[Printed] = []
    entries: list[Entry] = []
    for product in products:
        source = same_language(lang, product.lang or renderer.portfolio.source_locale)
        for market in markets_for(product, renderer.portfolio):
            profile = renderer.profile(market)
            if not source and not same_language(profile.locale, lang):
                continue
            printed.extend(Printed(product.id, e.field, market, profile.locale,
                                   e.smpc or "free")
                           for e in profile.elements if e.field in fields)
        entries.extend(_entries(product, change, fields, source=source, lang=lang,
                                renderer=renderer))
    served = {(p.product, p.market) for p in printed}
    outputs = tuple(sorted(key for key, record in manifest.outputs.items()
                           if (record.product, record.market) in served))
    return SectionImpact(change, tuple(printed), outputs, tuple(dict.fromkeys(entries)))


def _entries(product: Product, change: SectionChange, fields: list[str], *, source: bool,
             lang: str, renderer: Renderer) -> list[Entry]:
    """The catalog entries of ``product`` the change affects (see the module)."""
    old, new = change.old or "", change.new or ""
    portfolio = renderer.portfolio
    messages = [t for f in fields if f in VERBATIM_FIELDS for t in printed_messages(product, f)]
    found: list[Entry] = []
    locales = portfolio.catalog_locales() if source else [
        c for c in locale_chain(lang) if c in portfolio.catalog_locales()][:1]
    for locale in locales:
        path = portfolio.catalog_file(product.id, locale)
        if path is None or same_language(locale, product.lang or portfolio.source_locale):
            continue
        lookup = load_lookup(Path(path))
        for text in messages:
            entry = lookup.get(text.source, text.context)
            if entry is None:
                continue
            words = plain(text.source if source else entry.string)
            if contains(old, words) and not contains(new, words):
                found.append(Entry(renderer.resolver.name(path), entry.lineno, text.context,
                                   text.source, "fuzzy" if source else "revise"))
    return found

