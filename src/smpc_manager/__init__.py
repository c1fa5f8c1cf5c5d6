"""smpc-manager: the short summary of a medicine's SmPC as validated XML, translated
through gettext catalogs, rendered per market with proof that nothing in it is stale.

This module imports nothing heavy, so that ``smpc --help`` starts at once.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
