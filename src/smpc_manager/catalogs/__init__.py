"""Gettext catalogs: reading, writing, looking up, merging, extracting and compiling.

Other packages import from here, never from the modules inside.
"""

from smpc_manager.catalogs.extract import (
    TEMPLATE_DATE_FIELD,
    extract,
    is_current,
    new_template,
    wrap_note,
)
from smpc_manager.catalogs.lookup import CatalogLookup, find_lookup, load_lookup, shown
from smpc_manager.catalogs.pofile import (
    PoCatalog,
    checked_locale,
    clock_now,
    compile_catalog,
    format_header_date,
    format_po,
    init_catalog,
    merge,
    read_catalog,
    statistics,
    update_catalog,
    write_catalog,
)

__all__ = [
    "TEMPLATE_DATE_FIELD",
    "CatalogLookup",
    "PoCatalog",
    "checked_locale",
    "clock_now",
    "compile_catalog",
    "extract",
    "find_lookup",
    "format_header_date",
    "format_po",
    "init_catalog",
    "is_current",
    "load_lookup",
    "merge",
    "new_template",
    "read_catalog",
    "shown",
    "statistics",
    "update_catalog",
    "wrap_note",
    "write_catalog",
]
