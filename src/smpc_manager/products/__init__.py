"""The product XML reader: hardened parse, XSD validation, positions, tree -> Product. The
only home of lxml."""
