"""The ``smpc`` command line: a module per command group, and the one funnel from
exceptions to messages and exit codes (:mod:`smpc_manager.cli.app`)."""

from smpc_manager.cli.app import main

__all__ = ["main"]
