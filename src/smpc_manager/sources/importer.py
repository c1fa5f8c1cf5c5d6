"""``smpc import``: a product drafted from its approved SmPC, its catalogs prefilled from the
SmPC in other languages, and the SmPCs kept in the portfolio as the product's sources.

The product is drafted from the SmPC in the portfolio's source language, or else from the
first file given; each other file is the same SmPC in another language, whose wording fills
that language's catalog. Nothing that exists is
replaced unless asked (``force``), and nothing is written unless everything can be: the
draft must validate, every target must be free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from smpc_manager.catalogs import extract, new_catalog, read_template, write_catalog
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation, UsageError
from smpc_manager.files import read_bytes, write_bytes, write_text
from smpc_manager.locales import normalize_locale
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio
from smpc_manager.products import RESERVED_IDS, load_product, shown
from smpc_manager.sources.document import Document, Epi
from smpc_manager.sources.draft import draft_product, product_id_for
from smpc_manager.sources.fields import Fields, take_fields
from smpc_manager.sources.paths import SOURCES_DIR
from smpc_manager.sources.prefill import Prefilled, pairs, prefill
from smpc_manager.sources.reader import MAX_BYTES, read_epi
from smpc_manager.sources.sections import KIND_NAMES

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True, slots=True)
class ImportedCatalog:
    lang: str
    path: Path
    counts: Prefilled


@dataclass(frozen=True, slots=True)
class Imported:
    """What ``smpc import`` wrote: the product, the sources kept, the catalogs prefilled,
    and the notes on what the SmPC did not give or left unsure."""

    product_id: str
    product: Path
    sources: tuple[Path, ...]
    catalogs: tuple[ImportedCatalog, ...]
    notes: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _Source:
    path: Path
    epi: Epi
    smpc: Document
    lang: str


def _source(path: Path) -> _Source:
    epi = read_epi(path)
    smpc = epi.smpc
    if smpc is None:
        kinds = ", ".join(d.kind or "untyped" for d in epi.documents)
        raise ProblemsError([Problem(SourceLocation(str(path), 1),
                                     f"holds no SmPC (its documents: {kinds})")])
    lang = smpc.lang or (path.stem if re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]+)?",
                                                   path.stem) else "")
    if not lang:
        raise ProblemsError([Problem(smpc.location, "the SmPC names no language"
                                     " (Composition.language); name the file <lang>.xml")])
    return _Source(path, epi, smpc, normalize_locale(lang))


def import_smpc(files: list[Path], portfolio: Portfolio, *, product_id: str | None = None,
                force: bool = False, now: dt.datetime) -> Imported:
    """Draft ``products/<id>.xml`` from ``files`` (see the module's docstring).

    Raises :class:`ProblemsError` for a file that is not an SmPC, two files of one
    language, a target that exists (without ``force``), or a draft that does not validate;
    :class:`UsageError` for an id that is not one.
    """
    sources = [_source(path) for path in files]
    langs = [s.lang for s in sources]
    twice = next((lang for i, lang in enumerate(langs) if lang in langs[:i]), None)
    if twice is not None:
        raise UsageError(f"two SmPCs in {twice} given; give one per language")
    # The product is drafted in the portfolio's source language where an SmPC in it is given.
    source_locale = normalize_locale(portfolio.source_locale)
    main = next((s for s in sources if s.lang == source_locale), sources[0])
    sources = [main, *(s for s in sources if s is not main)]
    fields = take_fields(main.smpc, str(main.path))
    if main.lang != source_locale:
        fields.notes.append(Problem(
            main.smpc.location, f"the product is drafted in {main.lang}, the SmPC's language,"
            f" but the portfolio's source language is {source_locale}", Severity.WARNING,
            field="product"))
    product_id = product_id or product_id_for(fields.name or main.path.stem)
    if not _ID.fullmatch(product_id) or product_id in RESERVED_IDS:
        raise UsageError(f"'{shown(product_id)}' is not a product id (lower-case letters,"
                         " digits and hyphens; not smpc or templates)")
    target = portfolio.products_dir / f"{product_id}.xml"
    boundary = portfolio.boundary()
    boundary.file(os.fspath(target))
    kept = [(s, _kept_at(portfolio, product_id, s)) for s in sources]
    named = tuple((s.lang, place.relative_to(portfolio.root).as_posix()) for s, place in kept
                  if place != _conventional(portfolio, product_id, s)
                  and _same(s.path, place))
    origin = kept[0][1].relative_to(portfolio.root).as_posix()
    draft = draft_product(fields, str(main.path), product_id, now.date(), sources=named,
                          origin=origin)
    catalogs = [(s, portfolio.catalog_path(s.lang, product_id)) for s in sources[1:]]
    copies = [(s, place) for s, place in kept if not _same(s.path, place)]
    taken = [p for p in [target, *(c for _, c in catalogs), *(c for _, c in copies)]
             if p.exists()]
    if taken and not force:
        raise ProblemsError([Problem(SourceLocation(str(p)), "exists already; give --force to"
                                     " replace it") for p in taken])
    data = draft.text.encode("utf-8")
    product = load_product(target, data=data)
    for source, place in copies:
        boundary.file(os.fspath(place))
        write_bytes(place, _unchanged(source))
    write_text(target, draft.text)
    written = [_prefill(portfolio, product, fields, s, path, now=now) for s, path in catalogs]
    notes = [*draft.notes, *(f for s in sources for f in s.epi.findings
                             if f.field in ("missing", "merged", "placeholder")
                             and _in_smpc(f))]
    return Imported(product_id, target, tuple(p for _, p in kept), tuple(written),
                    tuple(notes))


def _in_smpc(finding: Problem) -> bool:
    """Whether a finding of the reader is about the SmPC, not another document of its
    file (the leaflet's placeholders are not the summary's concern)."""
    return finding.field != "placeholder" or f"of the {KIND_NAMES['smpc']}" in finding.message


def _unchanged(source: _Source) -> bytes:
    """The bytes of the SmPC as they were read, to keep in the portfolio; a file changed
    since is refused rather than kept unread."""
    data = read_bytes(source.path, limit=MAX_BYTES)
    if hashlib.sha256(data).hexdigest() != source.epi.sha256:
        raise ProblemsError([Problem(SourceLocation(str(source.path)), "changed while it was"
                                     " imported; import it again")])
    return data


def _conventional(portfolio: Portfolio, product_id: str, source: _Source) -> Path:
    suffix = ".json" if source.epi.format == "json" else ".xml"
    return portfolio.root / SOURCES_DIR / product_id / f"{source.lang}{suffix}"


def _kept_at(portfolio: Portfolio, product_id: str, source: _Source) -> Path:
    """Where the portfolio keeps the SmPC: where it lies, if inside the portfolio; else at
    the conventional place, where it is copied."""
    root = portfolio.root.resolve()
    resolved = source.path.resolve()
    if resolved.is_relative_to(root):
        return portfolio.root / resolved.relative_to(root)
    return _conventional(portfolio, product_id, source)


def _same(path: Path, place: Path) -> bool:
    return path.resolve() == place.resolve()


def _prefill(portfolio: Portfolio, product: Product, fields: Fields, source: _Source,
             path: Path, *, now: dt.datetime) -> ImportedCatalog:
    """The product's catalog for the source's language, from its template (written first,
    as ``smpc extract`` writes it), each message the source gives filled."""
    extract(product, portfolio.template_path(product.id), portfolio.root, now)
    template = read_template(portfolio, product.id)
    catalog = new_catalog(template, source.lang, product.name.value, now)
    other = take_fields(source.smpc, str(source.path))
    counts = prefill(catalog, pairs(fields, other))
    write_catalog(path, catalog)
    return ImportedCatalog(source.lang, path, counts)
