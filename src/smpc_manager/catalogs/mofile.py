"""Compiling catalogs to GNU .mo files, for the tools that want them.

A .mo file holds what rendering would use: a message that is fuzzy, untranslated or fails
a translation check is left out, so ``gettext`` falls back to the English as rendering
refuses it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from smpc_manager import files as atomic
from smpc_manager.catalogs.pofile import PoCatalog, has_translation, read_catalog
from smpc_manager.model import Product
from smpc_manager.rules import check_translation


def format_mo(catalog: Catalog, include: Iterable[Message] | None = None) -> bytes:
    """A GNU .mo file of the catalog: the header and every translated, non-fuzzy message
    (``include`` narrows that further); sorted, so the same catalog gives the same bytes.

    The header is the catalog's as written, every line of it (``msgfmt`` copies it as is);
    the layout is ``msgfmt --no-hash``'s, without the hash table, which lookups need not.
    """
    if isinstance(catalog, PoCatalog):
        header = catalog.header_text
    else:
        header = "".join(f"{k}: {v}\n" for k, v in catalog.mime_headers)
    pairs: dict[bytes, bytes] = {b"": header.encode("utf-8")}
    chosen = list(include) if include is not None else [m for m in catalog if m.id]
    for message in chosen:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) \
            else [message.string]
        if not all(strings):
            continue
        key = "\0".join(message.id) if isinstance(message.id, (list, tuple)) else message.id
        if message.context is not None:
            key = f"{message.context}\x04{key}"
        pairs[key.encode("utf-8")] = "\0".join(strings).encode("utf-8")
    keys = sorted(pairs)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables: list[int] = []
    blob = b""
    for source in (keys, [pairs[k] for k in keys]):
        for item in source:
            tables += [len(item), data_at + len(blob)]
            blob += item + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    return head + struct.pack(f"<{len(tables)}I", *tables) + blob



@dataclass(frozen=True, slots=True)
class Compiled:
    """The outcome of compiling one catalog to a .mo file."""

    product: str
    locale: str
    path: Path
    compiled: int
    fuzzy: int
    untranslated: int
    failed: int
    written: bool


def compile_catalog(product: Product, locale: str, path: Path,
                    untranslatable: Sequence[str] = ()) -> Compiled:
    """Write ``path`` with the suffix .mo: every translated message that is not fuzzy and
    passes the translation checks, so the .mo gives what rendering would use
    (``untranslatable``: the terms the portfolio lets stay in the source language)."""
    catalog = read_catalog(path)
    include: list[Message] = []
    fuzzy = untranslated = failed = 0
    for message in catalog:
        if not message.id:
            continue
        if not has_translation(message):
            untranslated += 1
        elif message.fuzzy:
            fuzzy += 1
        elif isinstance(message.string, str) and isinstance(message.id, str) and \
                check_translation(message.id, message.string, locale, product.name.value,
                                  untranslatable=untranslatable):
            failed += 1
        else:
            include.append(message)
    target = path.with_suffix(".mo")
    data = format_mo(catalog, include)
    try:
        written = target.read_bytes() != data
    except OSError:
        written = True
    if written:
        atomic.write_bytes(target, data)
    return Compiled(product.id, locale, target, len(include), fuzzy, untranslated, failed,
                    written)

