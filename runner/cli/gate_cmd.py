from __future__ import annotations

import click

from runner.cli.common import emit_json, json_option, open_repo, write_options
from runner.errors import EXIT_FAILED


@click.group()
def gate() -> None:
    """Start, finish or fail a gate attempt; approve or reject one that waits for a decision."""


@gate.command("start")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--gate", "gate_id", required=True, help="Gate id, e.g. G2.")
@click.option("--agent", help="Who or what produces the outputs.")
@click.option("--force", is_flag=True, help="Start although earlier blocking gates have not passed (recorded).")
@write_options
@json_option
def start(run_id, gate_id, agent, force, repo, actor, no_commit, offline, as_json) -> int:
    """Open a new attempt of a gate."""
    opened = open_repo(repo, actor, no_commit, offline).gate_start(run_id, gate_id, agent, force)
    if as_json:
        emit_json(opened)
    else:
        forced = " (forced)" if opened.forced else ""
        click.echo(f"{run_id} {gate_id} attempt {opened.attempt} started{forced}")
    return 0


@gate.command("finish")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--gate", "gate_id", required=True, help="Gate id.")
@write_options
@json_option
def finish(run_id, gate_id, repo, actor, no_commit, offline, as_json) -> int:
    """Validate the outputs against the contract, hash them, record the attempt. Exit 1 on FAIL."""
    attempt = open_repo(repo, actor, no_commit, offline).gate_finish(run_id, gate_id)
    render_attempt(attempt, as_json)
    return 0 if attempt.status == "PASS" else EXIT_FAILED


@gate.command("fail")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--gate", "gate_id", required=True, help="Gate id.")
@click.option("--reason", required=True, help="Why the gate failed.")
@write_options
@json_option
def fail(run_id, gate_id, reason, repo, actor, no_commit, offline, as_json) -> int:
    """Fail the running attempt of a gate with a reason."""
    attempt = open_repo(repo, actor, no_commit, offline).gate_fail(run_id, gate_id, reason)
    render_attempt(attempt, as_json)
    return EXIT_FAILED


def _register_decisions() -> None:
    from runner.cli.decide_cmd import approve, reject

    gate.add_command(approve)
    gate.add_command(reject)


_register_decisions()


def render_attempt(attempt, as_json: bool) -> None:
    """An attempt record: its outputs, the checks that did not pass, the reason."""
    if as_json:
        emit_json(attempt)
        return
    click.echo(f"{attempt.run_id} {attempt.gate} attempt {attempt.attempt}: {attempt.status}")
    for artifact in attempt.artifacts:
        digest = artifact.sha256[:12] if artifact.sha256 else "missing"
        click.echo(f"  output  {digest:12}  {artifact.path}")
    for v in attempt.validations:
        if v.status != "PASS":
            click.echo(f"  {v.status:7} [{v.index}] {v.type}: {v.message}")
    if attempt.failure_reason:
        click.echo(f"  reason: {attempt.failure_reason}")
