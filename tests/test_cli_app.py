"""The ``smpc`` group: its listing of the commands, made without loading them, is the one
click makes from the loaded commands."""

from __future__ import annotations

import click
import pytest

from smpc_manager.cli import main
from smpc_manager.cli.app import COMMANDS


def loaded_commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in commands.items() if command is not None}


def test_each_command_in_the_table_loads_under_its_name() -> None:
    commands = loaded_commands()
    assert sorted(commands) == sorted(COMMANDS)
    assert all(command.name == name for name, command in commands.items())


@pytest.mark.parametrize("width", [40, 60, 80])
def test_the_listing_is_the_one_click_makes_from_the_commands(width: int) -> None:
    ctx = click.Context(main)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    main.format_commands(ctx, ours)
    click.Group(commands=loaded_commands()).format_commands(ctx, clicks)
    assert ours.getvalue() == clicks.getvalue()
    assert ours.getvalue().startswith("Commands:\n")
