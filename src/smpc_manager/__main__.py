"""``python -m smpc_manager``: the same as the ``smpc`` command."""

from smpc_manager.cli import main

if __name__ == "__main__":
    main()
