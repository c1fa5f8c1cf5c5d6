"""How far each product's catalogs are translated: the numbers behind ``smpc stats``.

The counts are those rendering would meet: each current message of the product is looked
up and checked as rendering does it (:func:`smpc_manager.rules.translate`). Besides the
messages, the English words of each state as pocount counts them (what a translation is
priced by), the messages a translation memory filled that still carry its note, and the
checks the failing translations fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager.catalogs.pofile import MEMORY_NOTE, load_catalog
from smpc_manager.catalogs.words import count_words
from smpc_manager.locales import normalize_locale
from smpc_manager.model import Product
from smpc_manager.rules import CHECK_IDS, Translated, translate

if TYPE_CHECKING:
    from smpc_manager.portfolio import Portfolio


@dataclass(frozen=True, slots=True)
class WordCounts:
    """The English words of a catalog's messages in each state, as pocount counts them
    (:func:`~smpc_manager.catalogs.words.count_words`). pocount, which runs none of the
    checks, counts a ``failed`` translation as translated."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated + self.failed

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "translated": self.translated, "fuzzy": self.fuzzy,
                "untranslated": self.untranslated, "failed": self.failed}


@dataclass(frozen=True, slots=True)
class CatalogStats:
    """How far one product's catalog in one language is translated.

    The counts are over the product's current messages, as rendering looks them up:
    a message that is missing from the catalog is untranslated, a translation that fails
    a check is ``failed`` and not counted as translated.
    """

    product: str
    locale: str
    #: The catalog file, or None when the language has none for this product.
    path: Path | None
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    failed: int
    obsolete: int
    #: The messages that are not usable, with the reasons.
    gaps: tuple[Translated, ...] = ()
    #: The English words of the messages, by state.
    words: WordCounts = field(default_factory=WordCounts)
    #: The messages whose entry a translation memory filled and that still carry its note
    #: (``#. Translation memory: …``): fuzzy until a translator confirms them, or
    #: confirmed by the portfolio's setting for exact matches.
    memory: int = 0

    @property
    def checks(self) -> dict[str, int]:
        """How many translations fail each check, by the check's id, in the checks' order."""
        counts = Counter(check for gap in self.gaps for check in gap.checks)
        return {check: counts[check] for check in CHECK_IDS if counts[check]}

    @property
    def complete(self) -> bool:
        """Whether rendering in this language will find every message usable."""
        return self.translated == self.total

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        path = self.path
        if path is not None and root is not None:
            path = _relative(path, root)
        return {
            "product": self.product,
            "locale": self.locale,
            "catalog": path.as_posix() if path is not None else None,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "failed": self.failed,
            "obsolete": self.obsolete,
            "complete": self.complete,
            "checks": self.checks,
            "words": self.words.as_dict(),
            "memory": self.memory,
            "gaps": [
                {"context": g.text.context, "location": str(g.text.location),
                 "status": g.status, "reasons": list(g.reasons), "checks": list(g.checks)}
                for g in self.gaps
            ],
        }


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def catalog_statistics(product: Product, locale: str, path: Path | None,
                       source_locale: str = "en",
                       untranslatable: Sequence[str] = ()) -> CatalogStats:
    """The statistics of ``path`` (None: no catalog) for ``product`` in ``locale``;
    ``untranslatable``: the terms the portfolio lets stay in the source language."""
    catalog = load_catalog(path) if path is not None else None
    texts = list(product.messages())
    results = [translate(t, catalog, locale, product.name.value, source_locale=source_locale,
                         untranslatable=untranslatable)
               for t in texts]
    counts = {status: sum(1 for r in results if r.status == status)
              for status in ("translated", "fuzzy", "untranslated", "failed")}
    words = Counter[str]()
    for result in results:
        words[result.status] += count_words(result.text.source)
    memory = 0
    if catalog is not None:
        entries = (catalog.get(t.source, context=t.context) for t in texts)
        memory = sum(1 for entry in entries if entry is not None and any(
            comment.startswith(MEMORY_NOTE) for comment in entry.auto_comments))
    return CatalogStats(
        product=product.id,
        locale=locale,
        path=path,
        total=len(results),
        translated=counts["translated"],
        fuzzy=counts["fuzzy"],
        untranslated=counts["untranslated"],
        failed=counts["failed"],
        obsolete=len(catalog.obsolete) if catalog is not None else 0,
        gaps=tuple(r for r in results if not r.ok),
        words=WordCounts(words["translated"], words["fuzzy"], words["untranslated"],
                         words["failed"]),
        memory=memory,
    )


def statistics(portfolio: Portfolio, products: Sequence[Product],
               locales: Sequence[str] | None = None) -> list[CatalogStats]:
    """Per product and language (default: every language with a catalog folder), the
    translated / fuzzy / untranslated / failed / obsolete counts and completeness, the
    words, the memory's fills and the failing checks.

    A regional locale is counted with the catalog rendering would use (``de_AT`` -> ``de``).
    """
    chosen = [normalize_locale(x) for x in locales] if locales else portfolio.catalog_locales()
    stats: list[CatalogStats] = []
    for product in products:
        for locale in chosen:
            found = portfolio.catalog_file(product.id, locale)
            stats.append(catalog_statistics(product, locale,
                                            None if found is None else Path(found),
                                            portfolio.source_locale,
                                            portfolio.translation.untranslatable))
    return stats
