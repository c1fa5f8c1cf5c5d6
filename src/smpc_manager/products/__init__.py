"""The product XML reader: hardened parse, XSD validation, positions, tree -> Product.

The only home of lxml. Other packages import from here, never from the modules inside.
"""

from smpc_manager.products.loader import field_notes, load_product, product_schema, validate_file

__all__ = ["field_notes", "load_product", "product_schema", "validate_file"]
