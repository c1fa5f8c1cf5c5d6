"""Translation memory: the approved translations a language already has, offered to a
catalog's new or changed messages.

A message is known by its field and its English (:func:`message_field`), so the memory is
too: it offers the translation of the *same* English in the *same* field, approved
(translated, not fuzzy) in a catalog of the portfolio in that language (another product's,
or the same one's where a sentence stands twice in a field), or in a compendium given to
``smpc update --compendium`` (as ``msgmerge -C`` takes one). It never
offers the German of another field's sentence, nor of a merely similar one: guessing from
similar English is the merge's business, within one catalog, where the previous English is
shown beside the guess (``#|``).

A fill carries the extracted comment ``#. Translation memory: <source>``
(:data:`~smpc_manager.catalogs.pofile.MEMORY_NOTE`), so that translators and ``smpc stats``
see where it came from. It is fuzzy unless the portfolio trusts exact matches
(``memory-exact = "translated"`` in ``smpc.toml``); an entry of a compendium without
``msgctxt`` (its field unknown) is always offered as fuzzy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from smpc_manager.catalogs.pofile import MEMORY_NOTE, PoCatalog, has_translation
from smpc_manager.locales import locale_chain, normalize_locale

#: A context's occurrence count (``composition#2``) or the position an older release
#: numbered paragraphs by (``composition/2``): neither is part of the field.
_NUMBERED = re.compile(r"(?:#|/)\d+\Z")


def message_field(context: str | None) -> str | None:
    """The field a message's context names: ``composition`` for ``composition``, for the
    second identical sentence of the field ``composition#2``, and for the positional
    context that releases up to 0.2 wrote (``composition/2``).

    >>> message_field("composition#2"), message_field("cost/AT"), message_field(None)
    ('composition', 'cost/AT', None)
    """
    if context is None:
        return None
    return _NUMBERED.sub("", context)


def approved(message: Message) -> bool:
    """Whether a message holds a translation a translator has approved: translated and
    not fuzzy (a singular message; plural ones are not remembered)."""
    return (isinstance(message.id, str) and bool(message.id) and not message.fuzzy
            and has_translation(message))


def memory_note(message: Message) -> str | None:
    """The message's ``Translation memory: …`` note, if it carries one."""
    return next((c for c in message.auto_comments if c.startswith(MEMORY_NOTE)), None)


@dataclass(frozen=True, slots=True)
class Recalled:
    """What the memory offers for a message: a translation, where it was approved, and
    whether it may be filled in as translated (else it is fuzzy)."""

    string: str
    source: str
    translated: bool

    @property
    def note(self) -> str:
        """The ``#.`` comment a fill carries."""
        return f"{MEMORY_NOTE}{self.source}"


class TranslationMemory:
    """The approved translations of one language, by English and field.

    Catalogs are added in the order they take precedence: where two translate the same
    English of a field differently, the first one added is offered. ``exact_translated``
    is the portfolio's ``memory-exact = "translated"``: an exact match (same English, same
    field) is then filled in as translated, not fuzzy.
    """

    def __init__(self, *, exact_translated: bool = False) -> None:
        self.exact_translated = exact_translated
        self._found: dict[tuple[str, str | None], tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._found)

    def add(self, catalog: Catalog, source: str) -> None:
        """Remember the approved translations of ``catalog``, named ``source`` in notes
        (a path relative to the portfolio root, or a compendium's file name)."""
        for message in catalog:
            if approved(message):
                key = (str(message.id), message_field(message.context))
                self._found.setdefault(key, (str(message.string), source))

    def recall(self, msgid: str, context: str | None) -> Recalled | None:
        """The translation of ``msgid`` in the field of ``context``, or of the same English
        remembered without a context (then fuzzy); None if the memory has neither."""
        field = message_field(context)
        found = self._found.get((msgid, field))
        if found is not None:
            return Recalled(*found, translated=self.exact_translated)
        found = self._found.get((msgid, None)) if field is not None else None
        return Recalled(*found, translated=False) if found is not None else None


def serves(compendium: PoCatalog, locale: str) -> bool:
    """Whether a compendium holds translations for ``locale``: its ``Language`` header
    names the locale or its language (a ``de`` compendium serves ``de_AT``)."""
    language = (compendium.header("Language") or "").strip()
    return bool(language) and normalize_locale(language) in locale_chain(locale)
