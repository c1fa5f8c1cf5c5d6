"""A product's catalog in another language, prefilled from that language's approved SmPC.

The fields taken from the SmPC in the product's language and from the SmPC in the other
language (:func:`~smpc_manager.sources.fields.take_fields`) are laid side by side, field by
field: where both give the same number of items (the same section with as many paragraphs,
list items or excipients), the n-th is the translation of the n-th, and the message is
translated; where the counts differ, the n-th is only a suggestion, left fuzzy with a note
that says which section does not align.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from babel.messages.catalog import Catalog

from smpc_manager.sources.fields import PARAGRAPHS, Fields, Item

#: The gettext context of each field of the summary (schema 2, docs/schema.md).
_CONTEXTS = {"indications": "indications", "posology": "posology",
             "contraindications": "contraindications", "precautions": "precautions",
             "interactions": "interactions", "pregnancy-lactation": "pregnancy-lactation",
             "undesirable-effects": "undesirable-effects"}


@dataclass(frozen=True, slots=True)
class Pair:
    """A message's English (the product's language) and its words in the other SmPC; a note
    where the two do not align one to one."""

    context: str
    source: str
    translation: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Prefilled:
    translated: int
    fuzzy: int
    untranslated: int


def _lay(context: str, section: str, source: list[Item], other: list[Item], *, lang: str,
         what: str = "paragraphs") -> list[Pair]:
    if len(source) == len(other):
        return [Pair(context, s.markup, t.markup) for s, t in zip(source, other, strict=True)]
    note = (f"The {lang} SmPC's {section} has {len(other)} {what} where the source's has"
            f" {len(source)}: this translation is the one in the same place; check it.")
    return [Pair(context, s.markup, t.markup, note) for s, t in zip(source, other,
                                                                     strict=False)]


def pairs(source: Fields, other: Fields) -> list[Pair]:
    """The fields of two SmPCs laid side by side (see the module's docstring)."""
    lang = other.lang
    found: list[Pair] = []
    found += _lay("active-substance", "§2", source.substances, other.substances, lang=lang,
                  what="active substances")
    forms = [p.form for p in source.presentations if p.form]
    other_forms = [p.form for p in other.presentations if p.form]
    found += _lay("pharmaceutical-form", "§1", forms, other_forms, lang=lang,
                  what="presentations")
    if len(source.presentations) == len(other.presentations):
        for mine, theirs in zip(source.presentations, other.presentations, strict=True):
            found += _lay("composition", "§2", mine.composition, theirs.composition,
                          lang=lang)
    headings = [g.heading for g in source.excipients if g.heading]
    other_headings = [g.heading for g in other.excipients if g.heading]
    found += _lay("excipient-group", "§6.1", headings, other_headings, lang=lang,
                  what="headings")
    found += _lay("excipients", "§6.1", [e for g in source.excipients for e in g.excipients],
                  [e for g in other.excipients for e in g.excipients], lang=lang,
                  what="excipients")
    for element, key in PARAGRAPHS.items():
        found += _lay(_CONTEXTS[element], f"§{key}", source.sections.get(element, []),
                      other.sections.get(element, []), lang=lang)
    if source.group and other.group:
        found.append(Pair("pharmacotherapeutic-group", source.group.markup,
                          other.group.markup))
    if source.holder and source.holder.city and other.holder and other.holder.city:
        found.append(Pair("marketing-authorisation-holder/city", source.holder.city.markup,
                          other.holder.city.markup))
    return found


def prefill(catalog: Catalog, laid: list[Pair]) -> Prefilled:
    """Fill the untranslated messages of ``catalog`` from ``laid``: each message takes the
    first pair of its field and English not taken yet (``composition#2`` is the second
    ``composition`` with that English)."""
    by_key: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for pair in laid:
        by_key[(pair.context, pair.source)].append(pair)
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for message in catalog:
        if not message.id or message.string:
            continue
        context = (message.context or "").partition("#")[0]
        found = by_key.get((context, str(message.id)))
        if not found:
            counts["untranslated"] += 1
            continue
        pair = found.pop(0) if len(found) > 1 else found[0]
        message.string = pair.translation
        if pair.note:
            message.flags.add("fuzzy")
            message.auto_comments.append(pair.note)
            counts["fuzzy"] += 1
        else:
            counts["translated"] += 1
    return Prefilled(**counts)
