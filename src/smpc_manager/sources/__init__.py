"""The approved SmPC: EU ePI files read into documents and sections, drafted into products.

Other packages import from here, never from the modules inside: ``qrd`` (the template's
sections, their SPOR codes and headings), ``document`` (what an ePI is read into), ``xhtml``
(a narrative as blocks of text), ``fhir`` (the documents of the XML and the JSON form),
``sections`` (which section is which, what is missing or merged, the placeholders left),
``reader`` (the steps in order, hardened), ``compare`` (a text word for word in a section,
word diffs, two versions section by section); then for ``smpc import``: ``dates`` (dates in the
SmPC's language, through Babel's month names), ``fields`` (what an SmPC gives a summary),
``draft`` (a product file of them), ``prefill`` (a catalog from the SmPC in another
language) and ``importer`` (the steps in order); ``paths`` says where a product's SmPCs lie
in its portfolio and ``locate`` whether they can be read. The modules are imported when a
name is first used (:mod:`smpc_manager.exports`).
"""

from typing import TYPE_CHECKING

from smpc_manager.exports import lazy_exports

if TYPE_CHECKING:
    from smpc_manager.sources.compare import (
        SectionChange,
        closest,
        compare_documents,
        contains,
        normalise,
        own_blocks,
        plain,
        section_text,
        word_diff,
    )
    from smpc_manager.sources.dates import FoundDate, find_dates
    from smpc_manager.sources.document import Block, Document, Epi, Section
    from smpc_manager.sources.fields import Fields, take_fields
    from smpc_manager.sources.importer import Imported, import_smpc
    from smpc_manager.sources.locate import check_sources, product_sources
    from smpc_manager.sources.paths import SOURCES_DIR, source_paths
    from smpc_manager.sources.qrd import SMPC_SECTIONS, QrdSection, section
    from smpc_manager.sources.reader import MAX_BYTES, parse_epi, read_epi

EXPORTS = {
    "MAX_BYTES": "reader",
    "SOURCES_DIR": "paths",
    "SectionChange": "compare",
    "closest": "compare",
    "compare_documents": "compare",
    "contains": "compare",
    "find_dates": "dates",
    "normalise": "compare",
    "own_blocks": "compare",
    "plain": "compare",
    "section_text": "compare",
    "source_paths": "paths",
    "word_diff": "compare",
    "SMPC_SECTIONS": "qrd",
    "Block": "document",
    "Document": "document",
    "Epi": "document",
    "Fields": "fields",
    "FoundDate": "dates",
    "Imported": "importer",
    "QrdSection": "qrd",
    "Section": "document",
    "check_sources": "locate",
    "import_smpc": "importer",
    "parse_epi": "reader",
    "product_sources": "locate",
    "read_epi": "reader",
    "section": "qrd",
    "take_fields": "fields",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
__all__ = ["MAX_BYTES", "SMPC_SECTIONS", "SOURCES_DIR", "Block", "Document", "Epi", "Fields",
           "FoundDate", "Imported", "QrdSection", "Section", "SectionChange", "check_sources",
           "closest", "compare_documents", "contains", "find_dates", "import_smpc",
           "normalise", "own_blocks", "parse_epi", "plain", "product_sources", "read_epi",
           "section", "section_text", "source_paths", "take_fields", "word_diff"]
