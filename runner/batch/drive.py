"""One batch run, one step at a time, as the single-run driver walks it: the next gate
that is not passed; a step that needs no person (command, render, qc, an agent gate
that names a command) is opened through the front door and handed to an executor; a
gate that needs a person goes through the single-run driver (`Repo.advance`), which
pauses it where `runner inbox` shows it; a run whose gates are all through is completed."""

from __future__ import annotations

from dataclasses import dataclass

from runner.models.run import Run
from runner.models.workflow import Workflow, WorkflowGate
from runner.repo import Repo
from runner.run import decisions, driver
from runner.vocab import CLOSED

REMOTE_KINDS = ("command", "render", "qc")


@dataclass
class Next:
    kind: str  # "task" (run `gate` attempt `attempt` on an executor) | "paused" | "done" | "failed"
    message: str = ""
    gate: WorkflowGate | None = None
    attempt: int = 0
    retries: int = 0
    run: Run | None = None  # the run as the step was opened (sent with it)


def is_remote(gate: WorkflowGate) -> bool:
    return gate.kind in REMOTE_KINDS or (gate.kind == "agent" and bool(gate.command))


def attempt_id(run_id: str, gate: str, attempt: int) -> str:
    return f"{run_id}.{gate}.{attempt}"


def next_step(repo: Repo, run_id: str, wf: Workflow) -> Next:
    run = repo.run(run_id)
    if run.status in CLOSED:
        return Next("done" if run.status == "PASSED" else "failed", f"run {run_id} is {run.status}")
    state = driver.next_gate(run)  # as the single-run driver picks it
    if state is None:  # every gate is through: the run ends
        done = repo.complete_run(run_id)
        return Next("done" if done.status == "PASSED" else "failed", f"run {run_id} {done.status}")
    gate = wf.gate(state.gate)
    if gate is None or not is_remote(gate) or decisions.has_pending_patch(state):
        outcome = repo.advance(run_id)  # a patch to validate, the run's end, or a pause for a person
        return Next(outcome.kind, outcome.message)
    if state.status == "AWAITING_APPROVAL":
        return Next("paused", f"gate {state.gate} waits for a decision")
    if state.current is not None:  # opened earlier (a coordinator restarted): the same attempt again
        return Next("task", gate=gate, attempt=state.current.attempt, retries=state.retries, run=run)
    route = state.route
    if state.status in ("FAIL", "ABANDONED"):
        if route is not None and route.action == "abort":
            repo.complete_run(run_id, "FAILED", route.reason)
            return Next("failed", f"gate {state.gate}: {route.reason} (abort)")
        if route is None or route.action not in ("retry", "fallback"):
            return Next("failed", f"gate {state.gate} failed; `runner run resume --run {run_id}` retries it")
    opened = repo.gate_start(run_id, state.gate, gate.agent)
    return Next("task", gate=gate, attempt=opened.attempt, retries=state.retries, run=repo.run(run_id))
