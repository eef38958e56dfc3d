"""`runner batch plan|dispatch|status|verify`: batches of runs across machines."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from runner.cli.common import emit_json, err, json_option, open_repo, repo_option, table, write_options
from runner.errors import EXIT_FAILED, EXIT_PAUSED


@click.group("batch")
def batch() -> None:
    """Many runs of one workflow: plan a manifest, dispatch it to executors, watch, verify."""


@batch.command("plan")
@click.option("--workflow", required=True, help="The workflow every item runs.")
@click.option("--params", "items", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="items.csv (a header row) or items.jsonl (one object a line): id, slug, artifact_path, params.")
@click.option("--name", help="The batch's name (default: the workflow's); its id is <name>_NN.")
@write_options
@json_option
def plan(workflow, items, name, repo, actor, no_commit, offline, as_json) -> int:
    """Write batches/<batch-id>/manifest.jsonl (one line per item) and commit it. Every
    invalid row is reported (line, column, why) and nothing is written."""
    from runner.batch import manifest

    front = open_repo(repo, actor, no_commit, offline)
    planned = manifest.plan(front.session, workflow, items, name)
    if as_json:
        emit_json({"batch_id": planned.batch_id, "items": len(planned.items), "manifest": planned.path})
    else:
        click.echo(planned.batch_id)
        err(f"planned {len(planned.items)} item(s) of {workflow}: {planned.path}")
    return 0


@batch.command("dispatch")
@click.argument("batch_id", metavar="BATCH")
@click.option("--executor", type=click.Choice(["local", "celery"]), default="local", show_default=True)
@click.option("--broker", metavar="URL", help="The Celery broker (redis://HOST:PORT/N); default batch.broker.")
@click.option("--slots", type=click.IntRange(1, 1024), default=2, show_default=True,
              help="Local: the pool's processes. Celery: the workers' slots in all (steps kept in flight: 2x).")
@click.option("--resume", is_flag=True, help="Repair what a killed coordinator left first (runner doctor --fix).")
@write_options
@json_option
def dispatch(batch_id, executor, broker, slots, resume, repo, actor, no_commit, offline, as_json) -> int:
    """One run per item (never a second), driven as `runner run` drives one; steps that
    need no person run on the executor, the others wait in `runner inbox`. Run it
    again after a crash: each finished result is recorded once, lost steps are sent again.
    Exit 0 all passed, 1 some failed, 3 some wait for a person."""
    from runner.batch.dispatch import dispatch as run_dispatch

    front = open_repo(repo, actor, no_commit, offline)
    tty = sys.stderr.isatty()
    done = run_dispatch(front, batch_id, executor, broker, resume, slots, None if as_json else _progress(tty))
    if tty and not as_json:
        err("")
    counts = {state: list(done.states.values()).count(state) for state in sorted(set(done.states.values()))}
    if as_json:
        emit_json({"batch_id": batch_id, "items": counts, "runs_created": done.created, "results": done.recorded})
    else:
        err(f"batch {batch_id}: {', '.join(f'{n} {s}' for s, n in counts.items()) or 'no items'}; "
            f"{done.created} run(s) created, {done.recorded} result(s) recorded")
        if counts.get("paused"):
            err(f"next: decide what waits in `runner inbox`, then `runner batch dispatch {batch_id}` again to go on")
    return EXIT_FAILED if counts.get("failed") else EXIT_PAUSED if counts.get("paused") else 0


def _progress(tty: bool):
    """The dispatch's progress on stderr: one line rewritten on a terminal, else a line
    every 10 seconds."""
    last = [0.0]

    def show(p) -> None:
        line = (f"{p.batch_id}: {len(p.settled_at)}/{p.items} item(s) settled, {sum(p.inflight.values())} step(s) "
                f"in flight, {p.results} result(s) recorded")
        if tty:
            sys.stderr.write(f"\r{line} ")
            sys.stderr.flush()
        elif time.monotonic() - last[0] >= 10 or p.finished:
            last[0] = time.monotonic()
            err(line)

    return show


@batch.command("status")
@click.argument("batch_id", metavar="BATCH")
@click.option("--watch", is_flag=True, help="Refresh every second until no item is left to run (Ctrl-C stops).")
@repo_option
@json_option
def status(batch_id, watch, repo, as_json) -> int:
    """Items by state, backlog and in-flight steps per queue, throughput, time left."""
    from runner.batch.status import status as batch_status

    front = open_repo(repo)
    while True:
        found = batch_status(front, batch_id)
        if as_json:
            emit_json(found.to_dict())
        else:
            _show(found)
        if not watch or not found.open:
            return 0
        time.sleep(1.0)


def _show(found) -> None:
    if sys.stdout.isatty():
        click.echo("\x1b[2J\x1b[H", nl=False)
    click.echo(f"batch {found.batch_id} ({found.workflow}): {found.items} item(s)")
    table(sorted(found.states.items()), ["STATE", "ITEMS"])
    if found.queues:
        table([(q, v["sent"], v["in_flight"], v["backlog"]) for q, v in found.queues.items()],
              ["QUEUE", "SENT", "IN FLIGHT", "BACKLOG"])
    eta = f", about {found.eta_s:.0f} s left" if found.eta_s else ""
    click.echo(f"throughput {found.throughput_per_s:.2f} item(s)/s{eta}")


@batch.command("verify")
@click.argument("batch_id", metavar="BATCH")
@repo_option
@json_option
def verify(batch_id, repo, as_json) -> int:
    """Every item has exactly one run, every run verifies, no attempt was recorded twice,
    every worker's result names the bytes recorded. Exit 0, or 1 with every finding."""
    from runner.batch.audit import verify as batch_verify

    items, findings = batch_verify(open_repo(repo), batch_id)
    if as_json:
        emit_json({"batch_id": batch_id, "items": items, "findings": [f.to_dict() for f in findings]})
    elif findings:
        table([(f.code, f.item or "", f.message) for f in findings], ["CODE", "ITEM", "MESSAGE"])
    err(f"batch {batch_id}: {items} item(s), {len(findings)} finding(s)")
    return EXIT_FAILED if findings else 0
