"""The commands of `runner`, read from its click group: the tests that go over every
command take their lists from here, never from a list typed by hand."""

from __future__ import annotations

import click

from runner.cli.main import cli


def commands(group: click.Group = cli, words: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command below `group` by its words, e.g. `("gate", "start")`, groups included.
    Walks `list_commands`/`get_command`: the lazy top-level group leaves `group.commands` empty."""
    ctx = click.Context(group)
    found = {}
    for name in group.list_commands(ctx):
        command = found[(*words, name)] = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found.update(commands(command, (*words, name)))
    return found


def leaves() -> dict[tuple[str, ...], click.Command]:
    """The commands that do something (not a group)."""
    return {words: command for words, command in commands().items() if not isinstance(command, click.Group)}


def flags(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}
