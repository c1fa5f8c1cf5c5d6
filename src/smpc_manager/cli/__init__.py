"""The ``smpc`` command line: click commands, and the one funnel from exceptions to messages
and exit codes."""

from smpc_manager.cli.main import main

__all__ = ["main"]
