"""The command reference (docs/cli.md), generated from --help; a test fails when the
checked-in file drifts. Regenerate with `python -m runner.cli.reference > docs/cli.md`."""

from __future__ import annotations

import click

from runner.cli.main import cli

HELP = ["-h", "--help"]  # as the `runner` group's context settings say


def _walk(command: click.Command, path: list[str], ctx: click.Context | None):
    ctx = click.Context(command, info_name=path[-1], parent=ctx, terminal_width=100, max_content_width=100,
                        help_option_names=HELP)
    yield path, command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), [*path, name], ctx)


def generate() -> str:
    out = ["# Command reference", "", "Generated from `runner --help`; do not edit by hand.", ""]
    for path, command, ctx in _walk(cli, ["runner"], None):
        out += [f"## `{' '.join(path)}`", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    out += ["## `runner run WORKFLOW`", "", "```", _drive_help(), "```", ""]
    return "\n".join(out)


def _drive_help() -> str:
    from runner.cli.run_cmd import _drive_command, run

    parent = click.Context(run, info_name="runner run", terminal_width=100, max_content_width=100,
                           help_option_names=HELP)
    command = _drive_command("WORKFLOW")
    return command.get_help(click.Context(command, info_name="WORKFLOW", parent=parent,
                                          terminal_width=100, max_content_width=100)).rstrip()


if __name__ == "__main__":
    print(generate(), end="")
