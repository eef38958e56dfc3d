"""`runner gate approve|reject` (registered on the gate group), `runner tick`, `runner inbox`."""

from __future__ import annotations

import click

from runner.cli.common import emit_json, json_option, open_repo, repo_option, table, write_options
from runner.cli.patch_cmd import patch_given, patch_options
from runner.errors import EXIT_FAILED
from runner.vocab import PAST


def _decision_command(verdict: str) -> click.Command:
    @click.command(verdict)
    @click.option("--run", "run_id", required=True, help="Run id.")
    @click.option("--gate", "gate_id", required=True, help="Gate id.")
    @click.option("--by", help="Who decides. Default: the git identity (or --actor).")
    @click.option("--note", help="Why.")
    @click.option("--attempt", type=click.IntRange(min=1),
                  help="The attempt you looked at: refused if another one waits now.")
    @patch_options
    @write_options
    @json_option
    def command(run_id, gate_id, by, note, attempt, patch_file, patch_type, target, repo, actor, no_commit, offline,
                as_json, **values) -> int:
        r = open_repo(repo, actor, no_commit, offline)
        d = r.decide(run_id, gate_id, verdict, by=by, note=note, patch=patch_given(patch_file, patch_type, values),
                     target=target, attempt=attempt)
        if as_json:
            emit_json(d)
        else:
            patched = f", patch on {', '.join(f.path for f in d.patched_files)}" if d.patched_files else ""
            click.echo(f"{run_id} {gate_id} attempt {d.attempt}: {PAST[verdict]} by {d.by.name} "
                       f"(decision {d.decision}{patched})")
        if verdict == "approve" and d.patched_files:  # the patched outputs were validated at once
            state = r.run(run_id).gate(gate_id)
            if not as_json:
                click.echo(f"  patched outputs: attempt {state.attempts[-1].attempt} {state.attempts[-1].status}")
            return 0 if state.status == "PASS" else EXIT_FAILED
        return 0

    command.help = (f"{verdict.capitalize()} the attempt of a gate that waits for a decision, optionally with a "
                    f"patch to its outputs ({_PATCH_WHEN[verdict]}).")
    return command


_PATCH_WHEN = {"approve": "applied and validated as a new attempt at once; exit 1 if the patched outputs fail",
               "reject": "applied when the run resumes"}


approve = _decision_command("approve")
reject = _decision_command("reject")


@click.command()
@click.option("--no-resume", is_flag=True, help="Only apply the deadlines; continue no run.")
@write_options
@json_option
def tick(no_resume, repo, actor, no_commit, offline, as_json) -> int:
    """Apply every expired deadline in the workspace, then continue the runs whose next step
    needs no person (idempotent; safe from cron or CI, beside other commands). A run another
    process is driving is left to it."""
    ticked = open_repo(repo, actor or "timer", no_commit, offline).tick(resume=not no_resume)
    if as_json:
        emit_json(ticked)
        return 0
    for p in ticked.picked_up:
        click.echo(f"{p.run_id or p.pointer}: re-cast picked up from {p.pointer}" if not p.error
                   else f"{p.pointer}: not picked up: {p.error}")
    for f in ticked.fired:
        click.echo(f"{f.run_id} {f.gate}: {f.action} (deadline passed)")
    for c in ticked.continued:
        click.echo(f"{c.run_id}: continued: {c.message}")
    for run_id in ticked.busy:
        click.echo(f"{run_id}: left alone: another process is driving it")
    click.echo(f"{len(ticked.fired)} deadline(s) applied, {len(ticked.continued)} run(s) continued", err=True)
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
