from __future__ import annotations

import click

from runner.cli.common import emit_json, json_option, open_repo, write_options


@click.group()
def invocation() -> None:
    """Record agent invocations."""


@invocation.command("record")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--gate", "gate_id", required=True, help="Gate id.")
@click.option("--agent", required=True, help="The agent invoked.")
@click.option("--status", type=click.Choice(["SUCCESS", "FAIL"]), default="SUCCESS", show_default=True)
@click.option("--model", help="The model the agent used.")
@write_options
@json_option
def record(run_id, gate_id, agent, status, model, repo, actor, no_commit, offline, as_json) -> int:
    """Record that an agent was invoked for a gate (linked to its running attempt)."""
    inv = open_repo(repo, actor, no_commit, offline).record_invocation(run_id, gate_id, agent, status, model)
    if as_json:
        emit_json(inv)
    else:
        click.echo(f"{inv.id} recorded ({gate_id}, {agent}, {status})")
    return 0
