"""`smpc update` against GNU msgmerge: the same old catalog and new template, changed the ways
an SmPC changes (paragraphs inserted, deleted, reordered, split, merged, edited, each in
several fields), merged by both.

In every scenario the merge keeps at least as many correct translations as msgmerge, offers
at least as many correct ones where the English changed, and offers no wrong one: a
translation is correct for a message when it is the translation of its English, or of the
English it was made from (the sentence edited, split or merged into it); any other is wrong,
as is a suggestion whose previous English (``#| msgctxt``) stood in another field.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from smpc_manager.catalogs import PoCatalog, format_po, merge, message_field, parse_po

MSGMERGE = shutil.which("msgmerge")
needs_msgmerge = pytest.mark.skipif(MSGMERGE is None, reason="GNU msgmerge is not installed")

#: An SmPC's translatable fields, each a list of paragraphs.
Fields = dict[str, list[str]]

OLD: Fields = {
    "composition": [
        "Each vial contains 1 mg inotuzumab ozogamicin.",
        "After reconstitution, 1 mL of solution contains 0.25 mg inotuzumab ozogamicin.",
        "For the full list of excipients, see section 6.1.",
    ],
    "excipients": ["Sucrose", "Polysorbate 80", "Sodium chloride", "Trometamol"],
    "contraindications": [
        "Hypersensitivity to the active substance or to any of the excipients listed in"
        " section 6.1.",
        "Patients who have experienced prior confirmed severe or ongoing veno-occlusive"
        " disease or sinusoidal obstruction syndrome.",
        "Patients with serious ongoing liver disease, e.g. cirrhosis, nodular regenerative"
        " hyperplasia or active hepatitis.",
    ],
    "warnings": [
        "Hepatotoxicity, including life-threatening and sometimes fatal veno-occlusive"
        " disease, was reported in adult patients. Patients should be monitored closely for"
        " signs and symptoms of veno-occlusive disease.",
        "Patients should be monitored closely for signs and symptoms of infection, bleeding"
        " and other effects of myelosuppression during treatment.",
        "Infusion-related reactions have been reported. Premedication with a corticosteroid,"
        " antipyretic and antihistamine is recommended before dosing.",
        "An increase in the QT interval has been observed in patients who received"
        " inotuzumab ozogamicin.",
    ],
    "undesirable-effects": [
        "The most common adverse reactions were thrombocytopenia, neutropenia, infection,"
        " anaemia and leukopenia. The most common serious adverse reactions were infection,"
        " febrile neutropenia and haemorrhage.",
        "In clinical studies, veno-occlusive disease was reported in 14% of patients.",
    ],
}


def german(english: str) -> str:
    """The translation of an English sentence in these tests: recognisable as whose it is."""
    return f"«{english}» (de)"


def contexts(fields: Fields) -> list[tuple[str, str]]:
    """(msgctxt, English) of every paragraph, as extract names them: the field, and
    ``field#2`` for the second identical English in it."""
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for field, paragraphs in fields.items():
        for english in paragraphs:
            seen[field, english] += 1
            n = seen[field, english]
            out.append((field if n == 1 else f"{field}#{n}", english))
    return out


def template_text(fields: Fields) -> str:
    template = PoCatalog()
    template.header_fields = [("Project-Id-Version", "demo"),
                              ("POT-Creation-Date", "2026-12-01 10:00+0000"),
                              ("Content-Type", "text/plain; charset=UTF-8"),
                              ("Content-Transfer-Encoding", "8bit")]
    template.header_fuzzy = True
    for line, (context, english) in enumerate(contexts(fields), 1):
        template[english] = Message(english, "", context=context,
                                    locations=[("products/demo.xml", line)])
    return format_po(template)


def catalog_text(fields: Fields) -> str:
    """The German catalog of ``fields``, every message translated."""
    catalog = parse_po(template_text(fields))
    catalog.header_fuzzy = catalog.fuzzy = False
    catalog.set_header("Language", "de")
    for message in catalog:
        if message.id:
            message.string = german(str(message.id))
    return format_po(catalog)


def ours(old: str, new: str) -> PoCatalog:
    merged, _ = merge(parse_po(old), parse_po(new))
    return parse_po(format_po(merged))


def gnu(old: str, new: str, folder: Path) -> PoCatalog:
    assert MSGMERGE is not None
    (folder / "old.po").write_text(old, encoding="utf-8")
    (folder / "new.pot").write_text(new, encoding="utf-8")
    subprocess.run([MSGMERGE, "--quiet", "--previous", "-o", str(folder / "gnu.po"),
                    str(folder / "old.po"), str(folder / "new.pot")], check=True)
    return parse_po((folder / "gnu.po").read_text(encoding="utf-8"))


@dataclass
class Score:
    """How a merged catalog came out: correct translations kept (translated), correct ones
    offered (fuzzy or not), wrong ones offered."""

    translated: int = 0
    offered: int = 0
    wrong: int = 0


def score(catalog: PoCatalog, origins: dict[str, set[str]]) -> Score:
    """``origins`` names, for a changed English, the old English it was made from."""
    result = Score()
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = str(message.id)
        correct = {german(english), *(german(o) for o in origins.get(english, ()))}
        previous = getattr(message, "previous_context", None)
        if message.string not in correct or (
                message.fuzzy and previous is not None
                and message_field(previous) != message_field(message.context)):
            result.wrong += 1
            continue
        result.offered += 1
        result.translated += not message.fuzzy and message.string == german(english)
    return result


# ------------------------------------------------------------------------ the scenarios


def insert(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    """A paragraph inserted at the top of three fields, shifting the rest; two of them much
    like a paragraph that stays (0.1 mg beside 0.25 mg)."""
    new = {f: list(p) for f, p in fields.items()}
    new["composition"].insert(0, "After dilution, 1 mL of solution contains 0.1 mg"
                                 " inotuzumab ozogamicin.")
    new["contraindications"].insert(0, "Patients with severe renal impairment.")
    new["warnings"].insert(0, "Patients should be monitored closely for signs and symptoms"
                              " of haemorrhage during treatment.")
    return new, {}


def delete(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    new = {f: list(p) for f, p in fields.items()}
    for field in ("composition", "contraindications", "warnings"):
        del new[field][1]
    return new, {}


def reorder(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    new = {f: list(p) for f, p in fields.items()}
    for field in ("excipients", "contraindications", "warnings"):
        new[field].reverse()
    return new, {}


def split(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    """Paragraphs of two sentences made two paragraphs each, in three fields."""
    new = {f: list(p) for f, p in fields.items()}
    origins: dict[str, set[str]] = {}
    for field, index in (("warnings", 0), ("warnings", 2), ("undesirable-effects", 0)):
        paragraph = fields[field][index]
        first, second = paragraph.split(". ", 1)
        halves = [first + ".", second]
        position = new[field].index(paragraph)
        new[field][position:position + 1] = halves
        for half in halves:
            origins[half] = {paragraph}
    return new, origins


def merge_paragraphs(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    """Two neighbouring paragraphs made one, in three fields."""
    new = {f: list(p) for f, p in fields.items()}
    origins: dict[str, set[str]] = {}
    for field, index in (("composition", 0), ("contraindications", 1), ("warnings", 1)):
        first, second = fields[field][index], fields[field][index + 1]
        joined = f"{first} {second}"
        position = new[field].index(first)
        new[field][position:position + 2] = [joined]
        origins[joined] = {first, second}
    return new, origins


def edit(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    """A number, a word, a clause changed in one paragraph of each of four fields."""
    new = {f: list(p) for f, p in fields.items()}
    origins: dict[str, set[str]] = {}
    for field, index, old, by in (
        ("composition", 1, "0.25 mg", "0.5 mg"),
        ("contraindications", 2, "e.g. cirrhosis", "for example cirrhosis"),
        ("warnings", 3, "has been observed", "has been seen"),
        ("undesirable-effects", 1, "14%", "13%"),
    ):
        paragraph = fields[field][index]
        changed = paragraph.replace(old, by)
        new[field][index] = changed
        origins[changed] = {paragraph}
    return new, origins


def all_at_once(fields: Fields) -> tuple[Fields, dict[str, set[str]]]:
    """A new SmPC: every change above in one revision."""
    origins: dict[str, set[str]] = {}
    new = fields
    for change in (edit, split, insert, reorder):
        new, more = change(new)
        origins.update(more)
    return new, origins


SCENARIOS: dict[str, Callable[[Fields], tuple[Fields, dict[str, set[str]]]]] = {
    "insert": insert, "delete": delete, "reorder": reorder, "split": split,
    "merge": merge_paragraphs, "edit": edit, "all at once": all_at_once,
}


@needs_msgmerge
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_update_keeps_at_least_what_msgmerge_keeps_and_offers_nothing_wrong(
    name: str, tmp_path: Path,
) -> None:
    new_fields, origins = SCENARIOS[name](OLD)
    old, new = catalog_text(OLD), template_text(new_fields)
    mine, theirs = score(ours(old, new), origins), score(gnu(old, new, tmp_path), origins)
    assert mine.wrong == 0, name
    assert mine.translated >= theirs.translated, (name, mine, theirs)
    assert mine.offered >= theirs.offered, (name, mine, theirs)
    # every sentence whose English is unchanged keeps its translation, not fuzzy
    merged = ours(old, new)
    unchanged = {e for f in OLD.values() for e in f}
    for message in merged:
        if message.id in unchanged:
            assert (message.string, message.fuzzy) == (german(str(message.id)), False)


@needs_msgmerge
def test_msgmerge_offers_the_wrong_numbers_where_update_offers_none(tmp_path: Path) -> None:
    """The inserted 0.1 mg sentence: msgmerge suggests the German of the 0.25 mg one, which
    is still there; update leaves it untranslated."""
    new_fields, _ = insert(OLD)
    old, new = catalog_text(OLD), template_text(new_fields)
    inserted = new_fields["composition"][0]
    suggested = gnu(old, new, tmp_path).get(inserted, context="composition")
    assert suggested is not None
    assert suggested.fuzzy
    assert suggested.string == german(OLD["composition"][1])
    fresh = ours(old, new).get(inserted, context="composition")
    assert fresh is not None
    assert (fresh.string, fresh.fuzzy) == ("", False)


def test_a_split_paragraph_offers_its_translation_to_both_halves() -> None:
    paragraph = OLD["undesirable-effects"][0]
    first, second = paragraph.split(". ", 1)
    halves = [first + ".", second]
    merged = ours(catalog_text({"undesirable-effects": [paragraph]}),
                  template_text({"undesirable-effects": halves}))
    for half in halves:
        message = merged.get(half, context="undesirable-effects")
        assert message is not None
        assert message.fuzzy
        assert (message.string, message.previous_id) == (german(paragraph), [paragraph])
    assert not merged.obsolete


def test_a_suggestion_needs_an_english_as_similar_as_msgmerge_requires() -> None:
    old = catalog_text({"indications": ["BESPONSA is indicated as monotherapy."]})
    merged = ours(old, template_text({"indications": ["Treatment of adults only."]}))
    fresh = merged.get("Treatment of adults only.", context="indications")
    assert fresh is not None
    assert (fresh.string, fresh.fuzzy) == ("", False)
    (gone,) = merged.obsolete.values()
    assert gone.string == german("BESPONSA is indicated as monotherapy.")


def test_the_same_english_twice_in_a_field_keeps_both_translations() -> None:
    twice = {"warnings": ["Monitor the blood count.", "Monitor the liver.",
                          "Monitor the blood count."]}
    old = parse_po(catalog_text(twice))
    second = old.get("Monitor the blood count.", context="warnings#2")
    assert second is not None
    second.string = "Das Blutbild erneut überwachen."
    # the paragraph between them removed: neither identical sentence changes its context
    merged, counts = merge(old, parse_po(template_text(
        {"warnings": ["Monitor the blood count.", "Monitor the blood count."]})))
    assert merged.get("Monitor the blood count.", context="warnings#2").string == \
        "Das Blutbild erneut überwachen."  # type: ignore[union-attr]
    assert (counts.kept, counts.obsolete) == (2, 1)
    # the first of them removed: the second takes its place, translation and all
    merged, counts = merge(old, parse_po(template_text(
        {"warnings": ["Monitor the liver.", "Monitor the blood count."]})))
    first = merged.get("Monitor the blood count.", context="warnings")
    assert first is not None
    assert not first.fuzzy
    assert counts.changed == counts.added == 0


# ------------------------------------------------------------------------ any change


_PARAGRAPHS = st.sampled_from([p for field in OLD.values() for p in field])


@st.composite
def revisions(draw: st.DrawFn) -> tuple[Fields, Fields]:
    """An old field of paragraphs and a later one: paragraphs kept, inserted, deleted,
    moved, repeated; the operations in any order."""
    old = draw(st.lists(_PARAGRAPHS, min_size=1, max_size=6))
    new = list(old)
    rng = random.Random(draw(st.integers(0, 2**32)))
    for operation in draw(st.lists(st.sampled_from(["insert", "delete", "move"]),
                                   max_size=5)):
        if operation == "insert":
            new.insert(rng.randrange(len(new) + 1), draw(_PARAGRAPHS))
        elif operation == "delete" and new:
            del new[rng.randrange(len(new))]
        elif operation == "move" and new:
            new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    return {"warnings": old}, {"warnings": new}


@settings(max_examples=60, deadline=None)
@given(revisions())
def test_a_paragraph_whose_english_stays_keeps_its_translation(
    revision: tuple[Fields, Fields],
) -> None:
    old_fields, new_fields = revision
    old, new = catalog_text(old_fields), template_text(new_fields)
    merged, _ = merge(parse_po(old), parse_po(new))
    kept = Counter(old_fields["warnings"])
    for message in merged:
        if message.id and kept[message.id] > 0:
            kept[message.id] -= 1
            assert (message.string, message.fuzzy) == (german(str(message.id)), False)
    again, counts = merge(merged, parse_po(new))
    assert format_po(again) == format_po(merged)
    assert (counts.added, counts.changed, counts.obsolete, counts.renamed) == (0, 0, 0, 0)
