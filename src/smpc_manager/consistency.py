"""The SmPC as the source of truth: ``smpc check`` holds a product to its approved SmPCs.

For every product with sources (``sources/<id>/<lang>.xml`` or ``.json``, or those its
``smpc-source`` elements name):

* **verbatim** — each element a market prints word for word from the SmPC (the profile's
  ``smpc = "verbatim"``) is, message by message, in the market's language, in the
  corresponding section of the SmPC of that language (whitespace, typographic quotes and
  inline markup normalised: :mod:`smpc_manager.sources`). A message that is not is an error
  naming the field, the market, the section and its SPOR code, with a word diff against
  the passage of the section most like it;
* **revision** — an SmPC whose date of revision (§10) is after the product's
  ``revision-date`` is an error: the summary was made from an older text;
* a source that cannot be read, or holds no SmPC, is an error; a market that prints
  elements word for word in a language the product has no SmPC in is a warning.

Each SmPC file is read once per check whatever the number of markets and products that use
it: parsed by its hash (:func:`smpc_manager.sources.read_epi`), and what is taken from it
(its sections' texts, its date) kept by the same hash.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smpc_manager.boundary import RefusedInput
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.locales import locale_chain
from smpc_manager.markets import SMPC_SECTION_OF
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio
from smpc_manager.render import Renderer
from smpc_manager.rules import Finding
from smpc_manager.sources import (
    Document,
    FoundDate,
    closest,
    contains,
    find_dates,
    own_blocks,
    plain,
    product_sources,
    read_epi,
    section,
    word_diff,
)

#: The rules of this module's findings.
RULE_VERBATIM = "smpc-verbatim"
RULE_REVISED = "smpc-revised"
RULE_SOURCE = "smpc-source"
#: How many SmPCs' readings are kept, by hash: those of the products checked last (a
#: product's are asked for once per market), and any other product's of the same bytes.
KEPT = 64


@dataclass(frozen=True, slots=True)
class SourceFinding(Finding):
    """A finding about a product and its SmPC: with the section of the SmPC it concerns
    (``4.3``), that section's SPOR code, and for a text not word for word in it, the words
    that differ (``[-in the SmPC-]{+in the text+}``)."""

    section: str | None = None
    section_code: str | None = None
    diff: str | None = None

    def as_dict(self) -> dict[str, object]:
        data = Finding.as_dict(self)
        if self.section is not None:
            data.update(section=self.section, section_code=self.section_code)
        if self.diff is not None:
            data["diff"] = self.diff
        return data


@dataclass(slots=True)
class _Read:
    """What a check takes from one SmPC file: its SmPC, each section's text (normalised) as
    asked for, and its date of revision."""

    #: The file's name in the portfolio (``sources/besponsa/de.xml``).
    path: str
    smpc: Document
    texts: dict[str, str | None] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        if key not in self.texts:
            blocks = own_blocks(self.smpc, key)
            self.texts[key] = None if blocks is None else \
                " ".join(plain(b.markup) for b in blocks)
        return self.texts[key]

    def revised(self) -> tuple[FoundDate, int] | None:
        """The SmPC's date of revision, the first date §10 gives, with its line."""
        for block in own_blocks(self.smpc, "10") or ():
            dates = find_dates(block.text, self.smpc.lang)
            if dates:
                return dates[0], block.line
        return None


class SourceCheck:
    """Holds the products of one portfolio to their approved SmPCs (see the module).

    Keeps what it read of the SmPCs last used by the file's hash (:data:`KEPT` of them),
    for every market and product that uses them; a ``renderer`` of the portfolio gives the
    texts the markets print."""

    def __init__(self, portfolio: Portfolio, renderer: Renderer) -> None:
        self.portfolio = portfolio
        self.renderer = renderer
        self._read: OrderedDict[str, _Read] = OrderedDict()

    def findings(self, product: Product, markets: Iterable[str]) -> list[Problem]:
        """Every finding for ``product`` and its SmPCs, in the ``markets`` it is checked
        for; none for a product without sources."""
        paths = product_sources(self.portfolio, product)
        if not paths:
            return []
        found: list[Problem] = []
        read: dict[str, _Read] = {}
        for lang, path in paths.items():
            source = self._source(path, found)
            if source is not None:
                read[lang] = source
                found.extend(_revision(product, source))
        for market in markets:
            profile = self.renderer.profile(market)
            fields = profile.verbatim_fields()
            if not fields:
                continue
            source = next((read[c] for c in locale_chain(profile.locale) if c in read), None)
            if source is not None:
                found.extend(self._verbatim(product, market, fields, source))
            elif not any(c in paths for c in locale_chain(profile.locale)):
                found.append(SourceFinding(
                    product.location,
                    f"the {market} text prints {', '.join(fields)} word for word from the"
                    f" SmPC, but the product has no SmPC in {profile.locale}: add it as"
                    f" sources/{product.id}/{locale_chain(profile.locale)[-1]}.xml to hold"
                    " them to it", severity=Severity.WARNING, rule=RULE_SOURCE,
                    market=market, locale=profile.locale))
        return found

    def _source(self, path: Path, found: list[Problem]) -> _Read | None:
        """The SmPC file at ``path``, read through the portfolio's boundary; its problems in
        ``found`` when it cannot be read or holds no SmPC."""
        where = SourceLocation(str(path))
        try:
            if self.portfolio.boundary().file(os.fspath(path)) is None:
                found.append(SourceFinding(where, "the SmPC cannot be read: no such file",
                                           field="smpc-source", rule=RULE_SOURCE))
                return None
            epi = read_epi(path)
        except RefusedInput as err:
            found.append(SourceFinding(where, f"the SmPC cannot be read: {err.reason}",
                                       field="smpc-source", rule=RULE_SOURCE))
            return None
        except ProblemsError as err:
            found.extend(SourceFinding(p.location, p.message, field="smpc-source",
                                       rule=RULE_SOURCE) for p in err.problems)
            return None
        if epi.sha256 in self._read:
            self._read.move_to_end(epi.sha256)
            return self._read[epi.sha256]
        if epi.smpc is None:
            found.append(SourceFinding(SourceLocation(str(path), 1), "holds no SmPC",
                                       field="smpc-source", rule=RULE_SOURCE))
            return None
        read = self._read[epi.sha256] = _Read(self._name(path), epi.smpc)
        while len(self._read) > KEPT:
            self._read.popitem(last=False)
        return read

    def _name(self, path: Path) -> str:
        """A source's name in messages: relative to the portfolio, as an output's inputs
        name it."""
        try:
            return self.portfolio.boundary().name(str(path))
        except RefusedInput:
            return str(path)

    def _verbatim(self, product: Product, market: str, fields: tuple[str, ...],
                  source: _Read) -> list[Problem]:
        """Each message of ``fields`` in ``market``'s language not word for word in its
        section of ``source``."""
        profile = self.renderer.profile(market)
        found: list[Problem] = []
        try:
            printed = self.renderer.printed(product, market, fields)
        except ProblemsError:  # a catalog that cannot be read: the translation finding
            return []
        for name in fields:
            key = SMPC_SECTION_OF[name]
            template = section(key)
            where = f"§{key} ({template.heading('en')}, {template.code})"
            text = source.text(key)
            if text is None:
                found.append(SourceFinding(
                    product.location, f"{name}: the {market} text prints it word for word from"
                    f" {where} of the SmPC, which {source.path} does not have",
                    field=name, rule=RULE_VERBATIM, market=market, locale=profile.locale,
                    section=key, section_code=template.code))
                continue
            for message, translated in printed[name]:
                words = plain(translated)
                if contains(text, words):
                    continue
                blocks = own_blocks(source.smpc, key) or ()
                diff = word_diff(closest(blocks, words), words)
                found.append(SourceFinding(
                    message.location, f"{name}: not word for word in {where} of the SmPC"
                    f" ({source.path}; [-the SmPC's words-]{{+the text's+}}): {diff}",
                    field=name, rule=RULE_VERBATIM,
                    market=market, locale=profile.locale, section=key,
                    section_code=template.code, diff=diff))
        return found


def _revision(product: Product, source: _Read) -> list[Problem]:
    """The SmPC revised after the product's revision-date: an error."""
    revised = source.revised()
    if revised is None:
        return []
    date, line = revised
    revision = product.revision_date
    if date.date() <= revision.value.last_day():
        return []
    day = date.month_text() if date.day is None else date.date().isoformat()
    return [SourceFinding(
        revision.location,
        f"the SmPC was revised on {date.written} ({source.path}:{line}), after the product's"
        f" revision-date {revision.value}: bring the summary up to the SmPC in force, and"
        " its revision-date with it", field="revision-date", rule=RULE_REVISED, date=day,
        section="10", section_code=section("10").code)]
