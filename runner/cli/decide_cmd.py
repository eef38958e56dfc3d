"""`runner gate approve|reject` (registered on the gate group), `runner tick`, `runner inbox`."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, json_option, open_repo, repo_option, table, write_options


def _decision_command(verdict: str) -> click.Command:
    @click.command(verdict)
    @click.option("--run", "run_id", required=True, help="Run id.")
    @click.option("--gate", "gate_id", required=True, help="Gate id.")
    @click.option("--by", help="Who decides. Default: the git identity (or --actor).")
    @click.option("--note", help="Why.")
    @click.option("--patch", "patch_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                  help="A patch to the gate's outputs (reject only): RFC 6902 JSON Patch or a typed patch.")
    @click.option("--target", help="The output a JSON Patch applies to, when the gate has several.")
    @write_options
    @json_option
    def command(run_id, gate_id, by, note, patch_file, target, repo, actor, no_commit, offline, as_json) -> int:
        d = open_repo(repo, actor, no_commit, offline).decide(run_id, gate_id, verdict, by=by, note=note,
                                                              patch_file=patch_file, target=target)
        if as_json:
            emit_json(d)
        else:
            patched = f", patch on {', '.join(f.path for f in d.patched_files)}" if d.patched_files else ""
            from runner.run.decisions import PAST

            click.echo(f"{run_id} {gate_id} attempt {d.attempt}: {PAST[verdict]} by {d.by.name} (decision {d.decision}{patched})")
        return 0

    command.help = f"{verdict.capitalize()} the attempt of a gate that waits for a decision."
    return command


approve = _decision_command("approve")
reject = _decision_command("reject")


@click.command()
@write_options
@json_option
def tick(repo, actor, no_commit, offline, as_json) -> int:
    """Apply every expired deadline in the workspace (idempotent; safe from cron or CI)."""
    fired = open_repo(repo, actor or "timer", no_commit, offline).tick()
    if as_json:
        emit_json(fired)
    else:
        for f in fired:
            click.echo(f"{f.run_id} {f.gate}: {f.action} (deadline passed)")
        click.echo(f"{len(fired)} deadline(s) applied", err=True)
    return 0


@click.command()
@repo_option
@json_option
def inbox(repo, as_json) -> int:
    """Every gate waiting for a person, across all runs, with its age and time left."""
    items = open_repo(repo).inbox()
    if as_json:
        emit_json([i.to_dict() for i in items])
        return 0
    table([(i.run_id, i.gate, i.attempt, i.waiting_for, _age(i.age_s),
            _automatic(i))
           for i in items], ["RUN", "GATE", "ATTEMPT", "WAITS FOR", "AGE", "AUTOMATIC ACTION"])
    return 0


def _automatic(item) -> str:
    """What the timer will do and when: `approve in 2.0h`, `approve overdue (runner tick applies it)`."""
    if item.escalated:
        return "escalated"
    if item.time_left_s is None:
        return "-"
    if item.time_left_s < 0:
        return f"{item.on_timeout} overdue (runner tick applies it)"
    return f"{item.on_timeout} in {_age(item.time_left_s)}"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"
