from __future__ import annotations

from pathlib import Path

import click

from runner import workspace
from runner.cli.common import emit_json, json_option


@click.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@json_option
def init(path: Path | None, as_json: bool) -> int:
    """Make a git repository a runner workspace (idempotent; never overwrites a file)."""
    root = (path or Path.cwd()).resolve()
    changed = workspace.init(root)
    if as_json:
        emit_json({"root": str(root), "created": changed})
    elif changed:
        click.echo(f"initialised {root}: " + ", ".join(changed))
    else:
        click.echo(f"{root} is already a workspace; nothing changed")
    return 0
