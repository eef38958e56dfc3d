from __future__ import annotations

import click

from runner.cli.common import emit_json, json_option, open_repo, table, write_options
from runner.errors import EXIT_FAILED


@click.command()
@click.option("--fix", is_flag=True, help="Repair what is found (commit, reconcile, mark ABANDONED); deletes no record.")
@write_options
@json_option
def doctor(fix, repo, actor, no_commit, offline, as_json) -> int:
    """Find records left behind by an interrupted command; exit 1 when something is
    found and not fixed."""
    findings = open_repo(repo, actor, no_commit, offline).doctor(fix)
    if as_json:
        emit_json([f.to_dict() for f in findings])
    else:
        table([(f.kind, f.path, f.message, "fixed" if f.fixed else "") for f in findings],
              ["FINDING", "PATH", "WHAT", ""]) if findings else click.echo("nothing to repair")
    return EXIT_FAILED if any(not f.fixed for f in findings) else 0
