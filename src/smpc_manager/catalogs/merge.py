"""Merging a template into a catalog, as ``msgmerge --previous`` does but within contexts.

Babel's ``Catalog.update`` offers fuzzy matches across contexts, which would put the German
of ``contraindications/2`` under ``indications``. Here a changed message is matched only
within its own context (field).
"""

from __future__ import annotations

import difflib
from copy import copy
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from smpc_manager.catalogs.pofile import (
    Key,
    PoCatalog,
    PoMessage,
    copy_message,
    has_translation,
    message_key,
    written_flags,
)


def _similarity(a: Message, b: Message) -> float:
    return difflib.SequenceMatcher(None, message_key(a)[0], message_key(b)[0],
                                   autojunk=False).ratio()



@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What a merge did: messages added untranslated, changed English kept as fuzzy
    suggestions, revived from obsolete entries, and made obsolete."""

    added: int = 0
    changed: int = 0
    revived: int = 0
    obsolete: int = 0
    kept: int = 0


def merge(old: Catalog, template: Catalog) -> tuple[PoCatalog, MergeCounts]:
    """Merge a template into a catalog, as ``msgmerge --previous`` does, but never across
    contexts; return the new catalog (the inputs are left unchanged) and the counts.

    - a message in both keeps its translation, translator comments and flags (every flag
      as written, in its order: ``fuzzy`` is the only one a merge adds); locations and
      notes come from the template; a ``#|`` previous msgid is dropped once the entry is
      no longer fuzzy;
    - a message that comes back is revived from its obsolete entry;
    - a message whose English changed gets the translation of the entry with the same
      context as a *fuzzy* suggestion, with that entry's flags and the English it was made
      for as ``#| msgid`` (the oldest one, if the entry was already fuzzy);
    - an entry the template no longer has becomes obsolete (``#~``); nothing is deleted.

    Merging the result with the same template again changes nothing.
    """
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

    wanted = [m for m in template if m.id]
    wanted_keys = {message_key(m) for m in wanted}
    live = {message_key(m): m for m in old if m.id}
    gone = {message_key(m): m for m in old.obsolete.values()}
    # Entries that may lend their translation to a changed message of the same context.
    spare: dict[str | None, list[Message]] = {}
    for k, m in [*live.items(), *gone.items()]:
        if k not in wanted_keys and (m is live.get(k) or k not in live):
            spare.setdefault(m.context, []).append(m)
    used: set[int] = set()
    counts = {"added": 0, "changed": 0, "revived": 0, "kept": 0}
    for entry in wanted:
        key = message_key(entry)
        if key in live or key in gone:
            counts["kept" if key in live else "revived"] += 1
            message = copy_message(live[key] if key in live else gone[key])
            message.locations = list(entry.locations)
            message.auto_comments = list(entry.auto_comments)
            if not message.fuzzy:
                message.previous_id = []
        else:
            message = _suggestion(entry, spare.get(entry.context, []), used)
            counts["changed" if message.fuzzy else "added"] += 1
        new[message.id] = message

    obsolete: dict[Key, PoMessage] = {}
    for key, old_entry in gone.items():
        if key not in wanted_keys and id(old_entry) not in used:
            obsolete[key] = copy_message(old_entry)
    newly = 0
    for key, old_entry in live.items():
        if key not in wanted_keys and id(old_entry) not in used:
            newly += 1
            obsolete[key] = copy_message(old_entry)
    for (msgid, context), gone_entry in obsolete.items():
        gone_entry.locations = []
        new.obsolete[msgid if context is None else (msgid, context)] = gone_entry
    return new, MergeCounts(counts["added"], counts["changed"], counts["revived"], newly,
                            counts["kept"])


def _suggestion(entry: Message, spare: list[Message], used: set[int]) -> PoMessage:
    """A new message for ``entry``: fuzzy with the best translation among ``spare`` (the
    unused entries of the same context, live ones first), or untranslated if none has one."""
    candidates = [
        m for m in spare
        if m.context == entry.context and id(m) not in used and has_translation(m)
        and isinstance(m.id, (list, tuple)) == isinstance(entry.id, (list, tuple))
    ]
    message = PoMessage(copy(entry.id), "", locations=list(entry.locations),
                        auto_comments=list(entry.auto_comments), context=entry.context)
    if not candidates:
        message.string = ("",) * len(entry.id) if isinstance(entry.id, (list, tuple)) else ""
        return message
    best = max(candidates, key=lambda m: _similarity(m, entry))  # first one wins a tie
    used.add(id(best))
    message.string = best.string
    message.written = written_flags(best)
    message.flags = {*message.written, "fuzzy"}
    message.user_comments = list(best.user_comments)
    if best.fuzzy and best.previous_id:
        message.previous_id = list(best.previous_id)
    else:
        message.previous_id = list(best.id) if isinstance(best.id, (list, tuple)) \
            else [best.id]
    return message
