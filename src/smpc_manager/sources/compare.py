"""Comparing texts with an SmPC: a section's own text, whether a text stands in it word for
word, word-level differences, and two versions of an SmPC section by section.

Texts are compared as people read them: whitespace of any kind is one space, typographic
quotes are the plain ones (``„Text“`` is ``"Text"``), invisible soft hyphens and zero-width
spaces are nothing, and inline markup is its characters (``mg/m<sup>2</sup>`` is
``mg/m²``, as an SmPC may type it). A text stands in a section when its words do, one after
the other, not inside another word (``Natrium`` is not in ``Natriumchlorid``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from smpc_manager import inline
from smpc_manager.sources.document import Block, Document, Section
from smpc_manager.sources.qrd import SMPC_SECTIONS, section

#: Typographic quotes, as the plain quote they stand for.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»″", '"') | dict.fromkeys("‘’‚‛‹›′", "'")
                        | dict.fromkeys("\u00ad\u200b\u2060\ufeff"))
#: Unchanged words shown around a change in a word diff.
CONTEXT = 6
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=\S)")


def normalise(text: str) -> str:
    """``text`` as compared: whitespace one space, typographic quotes plain, no invisible
    characters.

    >>> normalise("„Verum“\\u00a0 und\\nPlacebo")
    '"Verum" und Placebo'
    """
    return " ".join(text.translate(_QUOTES).split())


def plain(markup: str) -> str:
    """A message's or a block's markup as the characters it prints, normalised."""
    try:
        text = inline.to_text(markup)
    except inline.InlineError:  # not ours to judge here: the translation checks do
        text = re.sub(r"<[^>]*>", "", markup)
    return normalise(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def contains(text: str, part: str) -> bool:
    """Whether ``part`` stands in ``text`` word for word, both normalised, and not inside
    another word."""
    if not part:
        return True
    pattern = rf"(?<!\w){re.escape(part)}(?!\w)"
    return re.search(pattern, text) is not None


# ------------------------------------------------------------------------ sections


def own_blocks(document: Document, key: str) -> tuple[Block, ...] | None:
    """The blocks of section ``key``: its own and those of the sub-sections that are not
    numbered sections of the template (§2's excipients with known effect), without those of
    a section found merged into it; None where the SmPC has no such section."""
    found = document.section(key)
    if found is None:
        return None
    merged = {(b.line, b.text) for s in document.merged if s.merged_into == key
              for b in s.blocks}
    return tuple(b for b in _unnumbered_blocks(found) if (b.line, b.text) not in merged)


def _unnumbered_blocks(found: Section) -> Iterator[Block]:
    yield from found.blocks
    for sub in found.subsections:
        if sub.key is None:
            yield from _unnumbered_blocks(sub)


def section_text(document: Document, key: str) -> str | None:
    """The text of section ``key`` (:func:`own_blocks`), normalised; None where the SmPC
    has no such section."""
    blocks = own_blocks(document, key)
    return None if blocks is None else " ".join(plain(b.markup) for b in blocks)


def closest(blocks: Sequence[Block], text: str) -> str:
    """The passage of ``blocks`` most like ``text``: a block, a sentence of one, or a run
    of consecutive blocks as long as ``text`` (normalised)."""
    units: list[str] = []
    texts = [plain(b.markup) for b in blocks]
    for item in texts:
        units.append(item)
        units.extend(_SENTENCE.split(item))
    wanted = len(text.split())
    for start in range(len(texts)):
        joined: list[str] = []
        for item in texts[start:]:
            joined.append(item)
            if len(" ".join(joined).split()) >= wanted:
                break
        units.append(" ".join(joined))
    words = text.split()

    def likeness(unit: str) -> tuple[float, float]:
        # By words first; between passages that share no word (an excipient renamed), by
        # the characters they share.
        return (difflib.SequenceMatcher(None, unit.split(), words, autojunk=False).ratio(),
                difflib.SequenceMatcher(None, unit, text).quick_ratio())

    return max(dict.fromkeys(units), key=likeness, default="")


def word_diff(old: str, new: str, *, context: int | None = CONTEXT) -> str:
    """The words of ``old`` changed into those of ``new``, as ``git diff --word-diff``
    shows them: ``[-removed-]{+added+}``; unchanged runs longer than twice ``context`` are
    cut to ``context`` words each side of a change (``…``), unless ``context`` is None.

    >>> word_diff("Each vial contains 1 mg.", "Each vial contains 2 mg.")
    'Each vial contains [-1-]{+2+} mg.'
    """
    a, b = old.split(), new.split()
    pieces: list[str] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = a[i1:i2]
            first, last = number == 0, number == len(opcodes) - 1
            if context is not None and len(same) > (1 if first or last else 2) * context:
                head = [] if first else same[:context]
                tail = [] if last else same[-context:]
                same = [*head, "…", *tail]
            pieces.append(" ".join(same))
            continue
        change = ""
        if i2 > i1:
            change += f"[-{' '.join(a[i1:i2])}-]"
        if j2 > j1:
            change += f"{{+{' '.join(b[j1:j2])}+}}"
        pieces.append(change)
    return " ".join(p for p in pieces if p)


# ------------------------------------------------------------------------ versions


@dataclass(frozen=True, slots=True)
class SectionChange:
    """A section of the template whose text differs between two versions of an SmPC.

    ``old`` and ``new`` are its texts (normalised; None where that version has no such
    section); ``diff`` the words changed (:func:`word_diff`)."""

    key: str
    code: str
    heading: str
    old: str | None
    new: str | None
    diff: str
    #: The line of the section in the new version (in the old one where the new lacks it).
    line: int

    @property
    def kind(self) -> str:
        """``changed``, ``added`` or ``removed``."""
        return "added" if self.old is None else "removed" if self.new is None else "changed"


def compare_documents(old: Document, new: Document) -> list[SectionChange]:
    """Every section of the template whose text differs between ``old`` and ``new``, in the
    template's order (a section merged into another counts as the section it is)."""
    changes = []
    for template in SMPC_SECTIONS:
        before, after = section_text(old, template.key), section_text(new, template.key)
        if before == after:
            continue
        where = new.section(template.key) or old.section(template.key)
        assert where is not None  # one of them has it, or both texts would be None
        changes.append(SectionChange(
            template.key, template.code, section(template.key).heading("en"),
            before, after, word_diff(before or "", after or ""), where.location.line))
    return changes
