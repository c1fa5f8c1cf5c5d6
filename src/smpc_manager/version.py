"""The version of smpc-manager (PEP 440), kept apart from the package's API so that any
module may name it."""

__version__ = "0.2.0"
