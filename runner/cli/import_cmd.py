"""`runner import esy RUNS_DIR`: the run records of another runner, converted."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, json_option, open_repo, table, write_options
from runner.errors import EXIT_ERROR


@click.group("import")
def import_group() -> None:
    """Convert the run records of the tools runner replaces into runner records."""


@import_group.command("esy")
@click.argument("runs_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@write_options
@json_option
def esy(runs_dir, repo, actor, no_commit, offline, as_json) -> int:
    """Import the Esy runner's runs (RUNS_DIR/<run-id>/record/RUN.json and attempt
    files), one commit per run. The original output hashes are kept and checked against
    the files present; what could not be carried is named per field. A run already
    imported is skipped. Exit 4 when a run could not be imported."""
    results = open_repo(repo, actor, no_commit, offline).import_esy(runs_dir.resolve())
    if as_json:
        emit_json([r.to_dict() for r in results])
    else:
        table([(r.run_id, r.outcome, r.message, _outputs(r.outputs)) for r in results],
              ["RUN", "IMPORT", "WHAT", "OUTPUTS NOW"])
        for r in results:
            for field, why in r.not_carried.items():
                click.echo(f"{r.run_id}: {field}: {why}", err=True)
    return EXIT_ERROR if any(r.outcome == "refused" for r in results) else 0


def _outputs(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "-"
