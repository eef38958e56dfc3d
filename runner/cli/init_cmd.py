from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, json_option
from runner.examples import EXAMPLES


@click.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(EXAMPLES),
              help="Also copy an example workflow with its contracts, prompt templates and the files its gates "
                   "name (essay: three agent gates; video: plan, render, QC, review, publish).")
@json_option
def init(path: Path | None, example: str | None, as_json: bool) -> int:
    """Make a git repository a runner workspace (idempotent; never overwrites a file)."""
    from runner.repo import Repo

    root = (path or Path.cwd()).resolve()
    _, changed = Repo.init(root, example=example)
    if as_json:
        emit_json({"root": str(root), "created": changed})
    elif changed:
        click.echo(f"initialised {root}: " + ", ".join(changed))
    else:
        click.echo(f"{root} is already a workspace; nothing changed")
    if changed and not as_json:
        click.echo("next: commit these files (attempts record the SHA-256 of the contracts they were checked "
                   "against): git add " + " ".join(sorted({c.split("/")[0] for c in changed})), err=True)
    if example and not as_json:
        click.echo(f"next: runner contracts validate, then runner run {example} --slug NAME --artifact-path PATH",
                   err=True)
    return 0
