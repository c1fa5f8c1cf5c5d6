"""Read an EU ePI file: hardened as a product file is, tolerant of what real ePIs hold.

The bytes are read within :data:`MAX_BYTES` (the largest ePIs seen are under 4 MB), through
the same reader as a product file: an XML file is refused with a DOCTYPE, never loads a DTD,
expands no entity and reaches no network; a JSON file is parsed by the standard library
with every object's line kept. The documents are then found (:mod:`.fhir`) and their
sections numbered (:mod:`.sections`). An ePI already read is kept by its hash: a portfolio
checked for many markets parses each source once.

The FHIR model is read by hand rather than through ``fhir.resources``: its pydantic models
refuse real ePIs for an empty ``display`` (4 of the 28 Spanish files), keep no line of the
file to report a section at, and cost some fifteen times the parse; what is needed of a
Composition is six elements, read alike in R4 and R5.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.products import check_bytes, parse, read_source
from smpc_manager.sources.document import Epi
from smpc_manager.sources.fhir import json_documents, load_json, xml_documents
from smpc_manager.sources.sections import classify

#: The largest ePI file read; larger ones are refused unread.
MAX_BYTES = 32 * 1024 * 1024
#: How many parsed ePIs are kept, by hash.
CACHED = 64
_NOUN = "product information file"
_cache: OrderedDict[tuple[str, str], Epi] = OrderedDict()


def read_epi(path: str | Path) -> Epi:
    """The ePI file at ``path``, read and its documents found.

    Raises :class:`ProblemsError` with one problem for a file that cannot be read as an
    ePI (too large, not UTF-8, a DOCTYPE, broken XML or JSON, no FHIR Bundle); what is
    wrong inside a readable ePI is in :attr:`Epi.findings`.
    """
    data = read_source(Path(path), limit=MAX_BYTES, noun=_NOUN, document=None)
    return parse_epi(data, str(path))


def parse_epi(data: bytes, path: str) -> Epi:
    """The ePI held in ``data``, read from ``path``; see :func:`read_epi`."""
    sha256 = hashlib.sha256(data).hexdigest()
    key = (sha256, path)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    epi = _parse(data, path, sha256)
    _cache[key] = epi
    while len(_cache) > CACHED:
        _cache.popitem(last=False)
    return epi


def _parse(data: bytes, path: str, sha256: str) -> Epi:
    where = SourceLocation(path)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        text = _utf8(data, path)
        documents, findings = json_documents(load_json(text, path), path)
        form = "json"
    else:
        check_bytes(data, where, noun=_NOUN, document="Bundle")
        documents, findings = xml_documents(
            parse(data, where, noun=_NOUN, document="Bundle"), path)
        form = "xml"
    if not documents:
        raise ProblemsError([Problem(SourceLocation(path, 1),
                                     "the Bundle holds no Composition: no document to read")])
    classified = []
    for document in documents:
        numbered, found = classify(document, path)
        classified.append(numbered)
        findings.extend(found)
    return Epi(path, sha256, form, tuple(classified), tuple(findings))


def _utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ProblemsError([Problem(
            SourceLocation(path, line),
            f"the file is not valid UTF-8 here: byte 0x{data[err.start]:02X} cannot start or"
            " continue a character (save the file as UTF-8)")]) from None
