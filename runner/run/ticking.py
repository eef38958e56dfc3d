"""`runner tick`: pick up the re-cast videos dropped in the inbox, apply every expired
deadline, then continue the runs whose next step needs no person (the seed's "the job
automatically resumes").

Safe beside any other runner command, and meant to be called on a schedule: each change
is its own transaction under the workspace lock, and a run that another process is
driving (it holds the run's drive lock) is left to it, reported as busy."""

from __future__ import annotations

import msgspec

from runner import records
from runner.errors import LockTimeout, RunnerError
from runner.models.run import Run
from runner.run import decisions, driver, listing, recast_inbox
from runner.run.decisions import Fired
from runner.run.recast_inbox import PickedUp
from runner.run.session import Session, pending_mark
from runner.steps import STEP_KINDS
from runner.vocab import CLOSED


class Continued(msgspec.Struct):
    """A run `tick` continued: where it stopped (the driver's outcome), or why it could not."""

    run_id: str
    kind: str  # "done" | "paused" | "failed" | "error"
    status: str  # the run's status afterwards
    gate: str | None = None
    waiting_for: str | None = None
    message: str = ""


class Ticked(msgspec.Struct):
    fired: list[Fired]
    continued: list[Continued]
    busy: list[str]  # runs another process was driving: left to it
    picked_up: list[PickedUp] = msgspec.field(default_factory=list)  # re-cast pointers found in the inbox


def needs_no_person(run: Run) -> bool:
    """Whether the driver can take `run` further without a person: it runs, nothing in it
    is open or waits (an open attempt belongs to whoever started it), and its next step
    is the runner's own: a patch to validate, an abort a route chose, the end of the run,
    or a gate whose kind produces its outputs itself or asks a person (not an agent gate,
    whose outputs come from outside)."""
    if run.status != "RUNNING":
        return False
    if any(g.current is not None or g.waiting is not None or g.status == "AWAITING_APPROVAL" for g in run.gates):
        return False
    state = driver.next_gate(run)
    if state is None or decisions.has_pending_patch(state):
        return True
    route = state.route.action if state.route is not None else None
    if route == "abort":
        return True
    kind = STEP_KINDS[state.kind]
    startable = state.status == "PENDING" or route in ("retry", "fallback")
    return startable and (kind.in_process or kind.requires_approval)


def tick(s: Session, resume: bool = True) -> Ticked:
    """Apply every expired deadline; with `resume`, continue every run that needs no
    person. One pass over the runs: their summaries (`run list`'s, cached) say which may
    have something to do (a deadline passed, or running), and only those are read whole.
    One run's trouble is reported and stops neither the tick nor the other runs."""
    ticked = Ticked([], [], [])
    if resume:  # a re-cast brought back continues its run (each pointer once)
        ticked.picked_up = [p for p in recast_inbox.pick_up(s) if p.new_attempt or p.error]
    for summary in listing.list_runs(s.ws):
        if not summary.overdue and (summary.status != "RUNNING" or summary.waiting or summary.current):
            continue  # nothing expired, and a person or an open attempt holds the run (needs_no_person)
        run_id = summary.run_id
        try:
            run = records.load_run(s.ws, run_id)
            if decisions.overdue(run) and run.status not in CLOSED:
                ticked.fired += decisions.tick_run(s, run_id)
                run = records.load_run(s.ws, run_id)
            if not resume or _in_flight(s, run_id) or not needs_no_person(run):
                continue
            outcome = driver.advance(s, run_id, wait=False)
        except LockTimeout:
            ticked.busy.append(run_id)
            continue
        except RunnerError as exc:
            ticked.continued.append(Continued(run_id, "error", _status(s, run_id), message=exc.message))
            continue
        ticked.continued.append(Continued(run_id, outcome.kind, outcome.status, outcome.gate, outcome.waiting_for,
                                          outcome.message))
    return ticked


def _in_flight(s: Session, run_id: str) -> bool:
    """Whether records of the run are written but not committed yet: a command (or a
    batch round, whose commit groups several steps) is between its steps on it now, or
    one was killed there (its next command on the run commits them). Left alone."""
    return pending_mark(s.ws, run_id).exists()


def _status(s: Session, run_id: str) -> str:
    try:
        return records.load_run(s.ws, run_id).status
    except RunnerError:
        return "UNREADABLE"
