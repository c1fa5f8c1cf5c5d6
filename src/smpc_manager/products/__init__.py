"""The product XML reader: hardened parse, XSD validation, positions, tree -> Product.

The only home of lxml. Other packages import from here, never from the modules inside:
``reader`` (the bytes and the hardened parse), ``schema`` (the XSD and its messages in our
words), ``positions`` (where elements and attributes stand), ``tree`` (the tree -> the model),
``checks`` (what a product must pass beyond its schema) and ``loader`` (the steps in order).
"""

from smpc_manager.products.loader import load_product, validate_file
from smpc_manager.products.schema import field_notes, product_schema

__all__ = ["field_notes", "load_product", "product_schema", "validate_file"]
