from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, err, json_option, open_repo, repo_option
from runner.errors import EXIT_FAILED


@click.group()
def contracts() -> None:
    """Check gate contracts and workflows."""


@contracts.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--allow-empty", is_flag=True, help="Exit 0 when there is nothing to check.")
@repo_option
@json_option
def validate(paths, allow_empty, repo, as_json) -> int:
    """Check every contract and workflow (or PATHS) against the schemas, and that every
    contract a workflow names exists. Exit 0 when all are valid, 1 otherwise (also when
    no file was found to check, unless --allow-empty)."""
    checked, findings = open_repo(repo).validate_declarations(list(paths) or None)
    # the findings (or --json) on stdout; the summary on stderr, as `runner verify` does
    if as_json:
        emit_json({"checked": checked, "findings": [f.to_dict() for f in findings]})
    else:
        for f in findings:
            click.echo(f"{f.file}: {f.message}")
    if checked == 0 and not allow_empty:
        err("error: no contract or workflow found to check (contracts_dir and workflows_dir of runner.json)")
        err("  hint: runner init --example essay adds one; --allow-empty accepts none")
        return EXIT_FAILED
    err(f"{checked} file(s) checked, {len(findings)} finding(s)")
    return EXIT_FAILED if findings else 0
