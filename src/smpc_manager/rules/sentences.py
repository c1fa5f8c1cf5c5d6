"""English left in a translation: the ``untranslated-sentence`` check.

A translation fails when it carries, word for word, a run of :data:`MIN_WORDS` or more
words of one clause of its English. Words are runs of letters, with an apostrophe or a
hyphen inside (``don't``, ``life-threatening``), compared regardless of case; numbers and
spaces between them neither count nor break a run, punctuation that ends a clause
(``, ; : . ! ?``, brackets, quotes) does, so that a list whose items stay the same in both
languages (``rituximab, trastuzumab, nivolumab, …``) is no sentence. What may stay in the
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

# A word, or a number with its decimal and group separators (which end no clause).
_WORD = re.compile(r"[^\W_]+(?:(?:[-'’]|(?<=\d)[.,](?=\d))[^\W_]+)*")
# What may stand between a sentence's end and its first word: spaces, brackets, quotes.
_BEFORE_A_SENTENCE = re.compile(r"(?:^|[.!?:])[\s\"'“”„‘’«»(\[]*$")
# Punctuation that ends a clause: no run of words goes across it.
_CLAUSE_END = re.compile(r"[,;:.!?()\[\]{}\"“”„«»]")
# Separators no word contains, to find a run of words inside the translation's clauses.
_JOIN, _CLAUSE = "\x00", "\x01"


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


def _clauses(text: str, terms: tuple[str, ...], exempt: set[str]) -> list[list[_Word]]:
    """The words of ``text`` by clause, without the ``terms``, the ``exempt`` words and
    the codes."""
    pattern = _terms_pattern(terms)
    spans = [m.span() for m in pattern.finditer(text)] if pattern is not None else []
    clauses: list[list[_Word]] = [[]]
    end = 0
    for match in _WORD.finditer(text):
        if _CLAUSE_END.search(text, end, match.start()) and clauses[-1]:
            clauses.append([])
        end = match.end()
        word = _Word(match.group(), match.start(), match.end())
        if not (word.text in exempt or is_code(word.text)
                or any(start <= word.start < stop for start, stop in spans)):
            clauses[-1].append(word)
    return clauses


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
    exempt = {m.group() for m in _WORD.finditer(english)
              if _is_name(_Word(m.group(), m.start(), m.end()), english)}
    ours = [c for c in _clauses(english, kept, exempt) if len(c) >= MIN_WORDS]
    if not ours:
        return []
    joined = _CLAUSE.join(_JOIN + _JOIN.join(w.folded for w in clause) + _JOIN
                          for clause in _clauses(translation, kept, exempt))
    return [f"{len(run)} words of the English are left as they are:"
            f" '{_excerpt(english, run)}'"
            for clause in ours for run in _runs(clause, joined)]


def _runs(clause: list[_Word], joined: str) -> list[list[_Word]]:
    """The longest runs of :data:`MIN_WORDS` or more words of ``clause`` in ``joined``."""
    runs = []
    start = 0
    while start + MIN_WORDS <= len(clause):
        end = start + MIN_WORDS
        if not _found(clause[start:end], joined):
            start += 1
            continue
        while end < len(clause) and _found(clause[start:end + 1], joined):
            end += 1
        runs.append(clause[start:end])
        start = end
    return runs


def _excerpt(text: str, run: list[_Word]) -> str:
    excerpt = text[run[0].start:run[-1].end]
    return excerpt if len(excerpt) <= 80 else excerpt[:79].rstrip() + "…"


def _found(run: Sequence[_Word], joined: str) -> bool:
    return _JOIN + _JOIN.join(w.folded for w in run) + _JOIN in joined
