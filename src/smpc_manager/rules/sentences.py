"""English left in a translation: the ``untranslated-sentence`` check.

A translation fails when it carries, word for word, a run of :data:`MIN_WORDS` or more
words of its English. Words are runs of letters, with an apostrophe or a hyphen inside
(``don't``, ``life-threatening``); they are compared regardless of case, and the
punctuation and numbers between them neither count nor break a run. What may stay in the
source language is left out of a run, neither counting nor breaking it:

* names: a capitalised word that does not begin a sentence (``Philadelphia``, ``Pfizer``),
  the product's invented name;
* codes: a word with a digit or an underscore in it, or a capital after its first letter
  (``CD22``, ``VOD``, ``HSCT``, ``eGFR``);
* the terms the portfolio declares untranslatable (``[translation] untranslatable`` in
  ``smpc.toml``), found as whole words regardless of case.

So a run of ordinary English words, the kind a translation never shares with its English,
is what fails: a sentence or a clause left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

#: How many words of the English, found in order in a translation, make it fail.
MIN_WORDS = 5

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# What may stand between a sentence's end and its first word: spaces, brackets, quotes.
_BEFORE_A_SENTENCE = re.compile(r"(?:^|[.!?:])[\s\"'“”„‘’«»(\[]*$")
# A separator no word contains, to find a run of words inside the translation's.
_JOIN = "\x00"


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    end: int

    @property
    def folded(self) -> str:
        return self.text.casefold()


def is_code(word: str) -> bool:
    """A word with a digit or an underscore, or a capital after its first letter.

    >>> [is_code(w) for w in ("CD22", "VOD", "eGFR", "Philadelphia", "treatment")]
    [True, True, True, False, False]
    """
    return any(c.isdigit() or c == "_" for c in word) or any(c.isupper() for c in word[1:])


def _is_name(word: _Word, text: str) -> bool:
    """A capitalised word that does not begin a sentence."""
    return word.text[0].isupper() and not _BEFORE_A_SENTENCE.search(text, 0, word.start)


@cache
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    kept = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not kept:
        return None
    alternatives = "|".join(re.escape(term) for term in kept)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _words(text: str, terms: tuple[str, ...]) -> list[_Word]:
    """The words of ``text`` outside the ``terms``."""
    pattern = _terms_pattern(terms)
    spans = [m.span() for m in pattern.finditer(text)] if pattern is not None else []
    return [_Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)
            if not any(start <= m.start() < end for start, end in spans)]


def check_untranslated_sentence(english: str, translation: str,
                                terms: Sequence[str] = ()) -> list[str]:
    """Each run of :data:`MIN_WORDS` or more ordinary words of plain ``english`` found
    word for word in plain ``translation``; ``terms`` (the invented name, the portfolio's
    untranslatable terms) may stay.

    >>> check_untranslated_sentence("BESPONSA is for intravenous use only.",
    ...                             "BESPONSA is for intravenous use only.", ["BESPONSA"])
    ["5 words of the English are left as they are: 'is for intravenous use only'"]
    >>> check_untranslated_sentence("Patients with Philadelphia chromosome positive ALL.",
    ...                             "Patienten mit Philadelphia chromosome positive ALL.")
    []
    """
    kept = tuple(terms)
    words = _words(english, kept)
    exempt = {w.text for w in words if is_code(w.text) or _is_name(w, english)}
    ours = [w for w in words if w.text not in exempt]
    if len(ours) < MIN_WORDS:
        return []
    theirs = [w.folded for w in _words(translation, kept)
              if w.text not in exempt and not is_code(w.text)]
    joined = _JOIN + _JOIN.join(theirs) + _JOIN
    reasons = []
    start = 0
    while start + MIN_WORDS <= len(ours):
        end = start + MIN_WORDS
        if not _found(ours[start:end], joined):
            start += 1
            continue
        while end < len(ours) and _found(ours[start:end + 1], joined):
            end += 1
        excerpt = english[ours[start].start:ours[end - 1].end]
        if len(excerpt) > 80:
            excerpt = excerpt[:79].rstrip() + "…"
        reasons.append(f"{end - start} words of the English are left as they are:"
                       f" '{excerpt}'")
        start = end
    return reasons


def _found(run: Sequence[_Word], joined: str) -> bool:
    return _JOIN + _JOIN.join(w.folded for w in run) + _JOIN in joined
