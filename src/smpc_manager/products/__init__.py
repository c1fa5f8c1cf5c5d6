"""The product XML reader: hardened parse, XSD validation, positions, tree -> Product.

The first home of lxml (the readers of approved SmPCs, :mod:`smpc_manager.sources`, are the
other, and parse with the hardened reader exported here). Other packages import from here,
never from the modules inside: ``reader`` (the bytes and the hardened parse), ``schema`` (the
XSD and its messages in our words), ``positions`` (where elements and attributes stand),
``tree`` (the tree -> the model), ``checks`` (what a product must pass beyond its schema),
``loader`` (the steps in order) and ``migrate`` (a schema 1 file rewritten as schema 2).
The modules are imported when a name is first used (:mod:`smpc_manager.exports`).
"""

from typing import TYPE_CHECKING

from smpc_manager.exports import lazy_exports

if TYPE_CHECKING:
    from smpc_manager.products.loader import load_product, validate_file
    from smpc_manager.products.migrate import (
        Migration,
        migrate_product,
        migrated_fields,
        write_migration,
    )
    from smpc_manager.products.reader import (
        check_bytes,
        parse,
        read_source,
        shown,
    )
    from smpc_manager.products.schema import RESERVED_IDS, field_notes, product_schema

EXPORTS = {
    "Migration": "migrate",
    "RESERVED_IDS": "schema",
    "check_bytes": "reader",
    "field_notes": "schema",
    "load_product": "loader",
    "migrate_product": "migrate",
    "migrated_fields": "migrate",
    "parse": "reader",
    "product_schema": "schema",
    "read_source": "reader",
    "shown": "reader",
    "validate_file": "loader",
    "write_migration": "migrate",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
__all__ = ["RESERVED_IDS", "Migration", "check_bytes", "field_notes",
           "load_product", "migrate_product", "migrated_fields", "parse", "product_schema",
           "read_source", "shown", "validate_file", "write_migration"]
