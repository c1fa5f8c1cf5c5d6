"""The product XML reader: hardened parse, XSD validation, positions, tree -> Product.

The only home of lxml. Other packages import from here, never from the modules inside:
``reader`` (the bytes and the hardened parse), ``schema`` (the XSD and its messages in our
words), ``positions`` (where elements and attributes stand), ``tree`` (the tree -> the model),
``checks`` (what a product must pass beyond its schema), ``loader`` (the steps in order) and
``migrate`` (a schema 1 file rewritten as schema 2).
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
    from smpc_manager.products.schema import RESERVED_IDS, field_notes, product_schema

EXPORTS = {
    "Migration": "migrate",
    "RESERVED_IDS": "schema",
    "field_notes": "schema",
    "load_product": "loader",
    "migrate_product": "migrate",
    "migrated_fields": "migrate",
    "product_schema": "schema",
    "validate_file": "loader",
    "write_migration": "migrate",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
__all__ = ["RESERVED_IDS", "Migration", "field_notes", "load_product", "migrate_product",
           "migrated_fields", "product_schema", "validate_file", "write_migration"]
