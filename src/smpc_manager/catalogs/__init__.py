"""Gettext catalogs: reading, writing, looking up, merging, extracting and compiling.

Other packages import from here, never from the modules inside. The modules, bottom up:
``syntax`` (the PO syntax both readers share), ``cache`` (catalogs kept while their files are
unchanged), ``pofile`` (the strict reader and the writer), ``lookup`` (what rendering reads),
``memory`` (the translation memory), ``merge``, ``mofile``, ``workflow`` (init and update),
``extract``, ``migrate`` (product files to schema 2, their catalogs carried over), ``words``
(counted as pocount counts them) and ``stats``.
"""

from smpc_manager.catalogs.extract import (
    TEMPLATE_DATE_FIELD,
    extract,
    is_current,
    new_template,
    wrap_note,
)
from smpc_manager.catalogs.lookup import (
    CatalogLookup,
    LookupEntry,
    load_lookup,
    parse_lookup,
    read_lookup,
)
from smpc_manager.catalogs.memory import Recalled, TranslationMemory, message_field, serves
from smpc_manager.catalogs.merge import MergeCounts, merge
from smpc_manager.catalogs.migrate import (
    CarriedCatalog,
    MigratedProduct,
    carry_over,
    migrate_portfolio,
    migrated_contexts,
)
from smpc_manager.catalogs.mofile import Compiled, compile_catalog, format_mo
from smpc_manager.catalogs.pofile import (
    MEMORY_NOTE,
    PoCatalog,
    format_po,
    load_catalog,
    parse_po,
    read_catalog,
    write_catalog,
)
from smpc_manager.catalogs.stats import CatalogStats, WordCounts, catalog_statistics, statistics
from smpc_manager.catalogs.syntax import shown
from smpc_manager.catalogs.words import count_words
from smpc_manager.catalogs.workflow import (
    DEFAULT_LAYOUT,
    Layout,
    Updated,
    checked_locale,
    clock_now,
    format_header_date,
    init_catalog,
    new_catalog,
    portfolio_memory,
    read_template,
    update_catalog,
)

__all__ = [
    "DEFAULT_LAYOUT",
    "MEMORY_NOTE",
    "TEMPLATE_DATE_FIELD",
    "CarriedCatalog",
    "CatalogLookup",
    "CatalogStats",
    "Compiled",
    "Layout",
    "LookupEntry",
    "MergeCounts",
    "MigratedProduct",
    "PoCatalog",
    "Recalled",
    "TranslationMemory",
    "Updated",
    "WordCounts",
    "carry_over",
    "catalog_statistics",
    "checked_locale",
    "clock_now",
    "compile_catalog",
    "count_words",
    "extract",
    "format_header_date",
    "format_mo",
    "format_po",
    "init_catalog",
    "is_current",
    "load_catalog",
    "load_lookup",
    "merge",
    "message_field",
    "migrate_portfolio",
    "migrated_contexts",
    "new_catalog",
    "new_template",
    "parse_lookup",
    "parse_po",
    "portfolio_memory",
    "read_catalog",
    "read_lookup",
    "read_template",
    "serves",
    "shown",
    "statistics",
    "update_catalog",
    "wrap_note",
    "write_catalog",
]
