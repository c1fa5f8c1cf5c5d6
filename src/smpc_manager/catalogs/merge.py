"""Merging a template into a catalog, as ``msgmerge --previous`` does, with a message known
by its field and its English rather than by its position.

Each message of the template looks for its translation in this order:

1. the old entry with the same ``msgctxt`` and ``msgid`` (an obsolete one is revived);
2. an old entry with the same English in the same field under another context
   (:func:`~smpc_manager.catalogs.memory.message_field`): the positional
   ``composition/2`` that releases up to 0.2 wrote, or ``composition#2`` once the first of
   two identical sentences is gone. Its translation is kept as it was (renamed, never made
   fuzzy);
3. an old entry with the same English that lost its ``msgctxt`` outside our tools (a
   translate-toolkit XLIFF round trip drops it, or puts the entry's place in its stead,
   ``products/besponsa.xml:37``, where two entries share their English): recovered, fuzzy,
   since the field it was made for is unknown;
4. the translation memory: the same English approved in the same field of a catalog of the
   language (another product's, or this one's where the sentence stands twice in the
   field), or of a compendium (:mod:`~smpc_manager.catalogs.memory`);
5. the most similar old entry of the same field whose English the template no longer has
   (an edited sentence): a fuzzy suggestion with the English it was made for as
   ``#| msgid``, offered only when the two are as similar as msgmerge requires
   (:data:`SIMILAR`), so that no unrelated sentence's translation is offered. An old entry
   serves the message most like it, and several only where they are its parts (a
   paragraph split in two, as msgmerge would offer it to both).

Unlike msgmerge and Babel's ``Catalog.update``, a suggestion never comes from another field,
nor from an entry whose English the template still has: a sentence inserted beside a similar
one (0.1 mg beside 0.25 mg) is left untranslated rather than offered the other's numbers.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from copy import copy
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from smpc_manager.catalogs.memory import (
    TranslationMemory,
    memory_note,
    message_field,
)
from smpc_manager.catalogs.pofile import (
    Key,
    PoCatalog,
    PoMessage,
    copy_message,
    has_translation,
    message_key,
    written_flags,
)

#: How similar (:class:`difflib.SequenceMatcher` ratio) a changed English must be to an old
#: one for its translation to be offered: GNU msgmerge's fuzzy threshold.
SIMILAR = 0.6
#: A context that names a place in a file instead of a field (``products/x.xml:37``), as
#: translate-toolkit's xliff2po writes for entries whose English is the same: the field
#: was lost outside our tools, as if there were no context.
_PLACE = re.compile(r"\S+:[0-9]+")


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What a merge did to the messages of the template.

    ``added``: untranslated; ``changed``: changed English, offered its old translation as a
    fuzzy suggestion; ``revived``: back from an obsolete entry; ``obsolete``: newly made
    obsolete; ``kept``: found under the same context; ``memory``: filled from the
    translation memory; ``recovered``: found by their English where the catalog had lost
    their context (fuzzy); ``renamed``: found by their English in their field under another
    context (the positional contexts of earlier releases); ``updated``: kept, with new
    references, notes or ``#|`` comments.
    """

    added: int = 0
    changed: int = 0
    revived: int = 0
    obsolete: int = 0
    kept: int = 0
    memory: int = 0
    recovered: int = 0
    renamed: int = 0
    updated: int = 0


def merge(old: Catalog, template: Catalog, *,
          memory: TranslationMemory | None = None) -> tuple[PoCatalog, MergeCounts]:
    """Merge a template into a catalog (see the module's docstring for where each message's
    translation comes from); return the new catalog (the inputs are left unchanged) and the
    counts.

    - a message found keeps its translation, translator comments and flags (every flag as
      written, in its order: ``fuzzy`` is the only one a merge adds); locations and notes
      come from the template; a ``#|`` previous msgid is dropped once the entry is no
      longer fuzzy, and a ``Translation memory`` note once a translator has confirmed the
      entry (:func:`_notes`);
    - a message still untranslated is filled from ``memory``, if it has the same English;
    - an entry the template no longer has, and no message took, becomes obsolete (``#~``);
      nothing is deleted.

    Merging the result with the same template and memory again changes nothing.
    """
    new = _started(old, template)
    pool = _Pool(old)
    wanted = [m for m in template if m.id]
    # Every message takes its own entry first, then the rest look in their fields, so that
    # no message takes the entry another one has under its very context.
    found = [pool.take(entry) for entry in wanted]
    found = [f if f is not None else pool.take_in_field(e)
             for e, f in zip(wanted, found, strict=True)]
    made: list[tuple[PoMessage, str]] = []
    counts: Counter[str] = Counter()
    for entry, match in zip(wanted, found, strict=True):
        if match is None:
            message, kind = _unmatched(entry, pool, memory)
        else:
            message, kind = _matched(entry, match, pool, memory)
            if not has_translation(message):
                kind = _filled(message, memory) or kind
            if kind == "kept" and _comments(message) != _comments(match):
                counts["updated"] += 1
        made.append((message, kind))
    # What is left untranslated may be offered the translation of a similar sentence that
    # left the same field: decided for all of them at once (see _similar).
    left = [(i, wanted[i]) for i, (_, kind) in enumerate(made) if kind == "added"]
    for i, best in _similar(left, pool.spare()).items():
        pool.used.add(id(best))
        made[i] = (_suggested(made[i][0], best), "changed")
    for message, kind in made:
        counts[kind] += 1
        new[message.id] = message

    live = {message_key(m) for m in new if m.id}
    obsolete: dict[Key, PoMessage] = {}
    for old_entry in pool.gone:
        if id(old_entry) not in pool.used and message_key(old_entry) not in live:
            obsolete.setdefault(message_key(old_entry), copy_message(old_entry))
    for old_entry in pool.live:
        if id(old_entry) not in pool.used and message_key(old_entry) not in live:
            counts["obsolete"] += 1
            obsolete[message_key(old_entry)] = copy_message(old_entry)
    for (msgid, context), gone_entry in obsolete.items():
        gone_entry.locations = []
        new.obsolete[msgid if context is None else (msgid, context)] = gone_entry
    return new, MergeCounts(**counts)


def _started(old: Catalog, template: Catalog) -> PoCatalog:
    """The new catalog: the old one's header, with the template's creation date."""
    new = PoCatalog(locale=old.locale)
    if isinstance(old, PoCatalog):
        new.header_comments = list(old.header_comments)
        new.header_fields = list(old.header_fields)
        new.header_flags = list(old.header_flags)
        new.header_fuzzy = new.fuzzy = old.header_fuzzy
    else:
        new.header_fields = list(old.mime_headers)
        new.header_fuzzy = new.fuzzy = bool(old.fuzzy)
    created = template.header("POT-Creation-Date") if isinstance(template, PoCatalog) \
        else None
    if created is not None:
        new.set_header("POT-Creation-Date", created)
    new.charset = "utf-8"
    return new


class _Pool:
    """The old catalog's entries, live ones before obsolete ones, and which of them a
    message of the template has taken (``used``: they are not made obsolete)."""

    def __init__(self, old: Catalog) -> None:
        self.live = [m for m in old if m.id]
        self.gone = list(old.obsolete.values())
        self.used: set[int] = set()
        self._live_ids = {id(m) for m in self.live}
        self._by_key: dict[Key, Message] = {}
        self._by_field: dict[tuple[str, str | None], list[Message]] = {}
        self._contextless: dict[str, Message] = {}
        for message in [*self.live, *self.gone]:
            msgid, context = message_key(message)
            self._by_key.setdefault((msgid, context), message)
            self._by_field.setdefault((msgid, message_field(context)), []).append(message)
            if (context is None or _PLACE.fullmatch(context)) and has_translation(message):
                self._contextless.setdefault(msgid, message)

    def is_live(self, message: Message) -> bool:
        return id(message) in self._live_ids

    def take(self, entry: Message) -> Message | None:
        """The old entry with the key of ``entry``, if no message took it yet."""
        found = self._by_key.get(message_key(entry))
        if found is None or id(found) in self.used:
            return None
        self.used.add(id(found))
        return found

    def take_in_field(self, entry: Message) -> Message | None:
        """The first old entry left with the English of ``entry`` in its field."""
        msgid, context = message_key(entry)
        if context is None:
            return None
        for found in self._by_field.get((msgid, message_field(context)), ()):
            if id(found) not in self.used:
                self.used.add(id(found))
                return found
        return None

    def contextless(self, entry: Message) -> Message | None:
        """A translated old entry with the English of ``entry`` and no context (or a place
        for one); it may serve several messages (the same English in several fields)."""
        msgid, context = message_key(entry)
        found = self._contextless.get(msgid) if context is not None else None
        if found is not None:
            self.used.add(id(found))
        return found

    def spare(self) -> dict[str, list[Message]]:
        """The translated entries no message took, by field: what an edited sentence of
        that field may be offered."""
        spare: dict[str, list[Message]] = {}
        for message in [*self.live, *self.gone]:
            field = message_field(message.context)
            if field is not None and id(message) not in self.used and has_translation(message):
                spare.setdefault(field, []).append(message)
        return spare


def _comments(message: Message) -> tuple[object, ...]:
    """What a merge may change of a kept entry besides its context."""
    return (list(message.locations), list(message.auto_comments),
            list(message.previous_id or ()), getattr(message, "previous_context", None))


def _matched(entry: Message, match: Message, pool: _Pool,
             memory: TranslationMemory | None) -> tuple[PoMessage, str]:
    """The entry found for a message under its context or by its English in its field."""
    message = copy_message(match)
    kind = "kept" if match.context == entry.context else "renamed"
    if not pool.is_live(match):
        kind = "revived"
    message.context = entry.context
    message.locations = list(entry.locations)
    message.auto_comments = _notes(entry, message, memory)
    if not message.fuzzy:
        message.previous_id = []
        message.previous_context = None
    return message, kind


def _notes(entry: Message, message: Message, memory: TranslationMemory | None) -> list[str]:
    """The template's notes, and the ``Translation memory`` note of an entry the memory
    filled for as long as it is as the memory gave it: while fuzzy, that is until a
    translator confirms it, or, where the portfolio trusts exact matches, while the memory
    still offers the same translation."""
    notes = list(entry.auto_comments)
    note = memory_note(message)
    if note is None:
        return notes
    recalled = memory.recall(message_key(message)[0], message.context) \
        if memory is not None else None
    if message.fuzzy or (recalled is not None and recalled.translated
                         and recalled.string == message.string):
        notes.append(note)
    return notes


def _unmatched(entry: Message, pool: _Pool,
               memory: TranslationMemory | None) -> tuple[PoMessage, str]:
    """A message no old entry has under its context or in its field: recovered from an
    entry that lost its context, filled from the memory, or untranslated (``added``: it
    may yet be offered a similar sentence's translation)."""
    lost = pool.contextless(entry)
    if lost is not None:
        message = copy_message(lost)
        message.context = entry.context
        message.locations = list(entry.locations)
        message.auto_comments = list(entry.auto_comments)
        if not lost.fuzzy:
            message.previous_id = []
            message.previous_context = None
        message.flags.add("fuzzy")
        return message, "recovered"
    message = PoMessage(copy(entry.id), "", locations=list(entry.locations),
                        auto_comments=list(entry.auto_comments), context=entry.context)
    message.string = ("",) * len(entry.id) if isinstance(entry.id, (list, tuple)) else ""
    return message, _filled(message, memory) or "added"


def _suggested(message: PoMessage, best: Message) -> PoMessage:
    """``message`` offered the translation of ``best``: fuzzy, with its flags, its
    translator comments and the English it was made for."""
    message.string = best.string
    message.written = written_flags(best)
    message.flags = {*message.written, "fuzzy"}
    message.user_comments = list(best.user_comments)
    # The English the translation was made for, as msgmerge writes it: #| msgctxt, #| msgid.
    if best.fuzzy and best.previous_id:
        message.previous_id = list(best.previous_id)
        message.previous_context = getattr(best, "previous_context", None)
    else:
        message.previous_id = list(best.id) if isinstance(best.id, (list, tuple)) \
            else [best.id]
        message.previous_context = best.context
    return message


def _filled(message: PoMessage, memory: TranslationMemory | None) -> str | None:
    """Fill an untranslated message from the memory, with its note; ``"memory"`` if it
    was, else None."""
    if memory is None or not isinstance(message.id, str):
        return None
    recalled = memory.recall(message.id, message.context)
    if recalled is None:
        return None
    message.string = recalled.string
    message.auto_comments = [*message.auto_comments, recalled.note]
    if not recalled.translated:
        message.flags.add("fuzzy")
    return "memory"


def _similar(entries: list[tuple[int, Message]],
             spare: dict[str, list[Message]]) -> dict[int, Message]:
    """Which spare entry of its field each of ``entries`` (numbered) is offered.

    The pairs at least :data:`SIMILAR` alike are taken most alike first, each spare entry
    by one message. A message whose best match another one took shares it only where
    the two are parts of it, a paragraph split in two: together, in their order, they
    are more like it than the one that took it. So an edited sentence gets the old one's
    translation, and a new sentence beside it that merely resembles the old one does not.
    """
    english = {i: message_key(entry)[0] for i, entry in entries}
    pairs: list[tuple[float, int, int, Message]] = []
    for i, entry in entries:
        field = message_field(entry.context)
        plural = isinstance(entry.id, (list, tuple))
        for order, candidate in enumerate(spare.get(field, []) if field is not None else []):
            if isinstance(candidate.id, (list, tuple)) != plural:
                continue
            ratio = _likeness(english[i], message_key(candidate)[0])
            if ratio >= SIMILAR:
                pairs.append((-ratio, i, order, candidate))
    pairs.sort(key=lambda pair: pair[:3])
    chosen: dict[int, Message] = {}
    holders: dict[int, list[int]] = {}
    for _, i, _, candidate in pairs:
        if i not in chosen and id(candidate) not in holders:
            chosen[i] = candidate
            holders[id(candidate)] = [i]
    best_tried: set[int] = set()
    for _, i, _, candidate in pairs:
        if i in chosen or i in best_tried:
            continue
        best_tried.add(i)  # only its best match: the others are less like it
        old = message_key(candidate)[0]
        held = holders[id(candidate)]
        together = " ".join(english[k] for k in sorted([*held, i]))
        if _likeness(together, old) > max(_likeness(english[k], old) for k in held):
            chosen[i] = candidate
            held.append(i)
    return chosen


def _likeness(text: str, other: str) -> float:
    """How alike two texts are, from 0 to 1 (as GNU's fstrcmp, which msgmerge uses)."""
    matcher = difflib.SequenceMatcher(None, text, other, autojunk=False)
    if matcher.quick_ratio() < SIMILAR:  # an upper bound of ratio(), quick to find
        return 0.0
    return matcher.ratio()
