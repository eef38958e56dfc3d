"""The workflow driver: walks a run's gates in order, doing everything that needs no
person, and stops durably where a person is needed. Calling `advance` again (the
`run resume` command, or Enter at the prompt) continues exactly where it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner import contracts, records
from runner.errors import StateError
from runner.models.run import GateState, Run
from runner.run import attempts, decisions, lifecycle, owners, packets, patching
from runner.run.drivelock import driving
from runner.run.session import Session, transaction
from runner.run.transitions import append_event
from runner.steps import STEP_KINDS
from runner.steps.base import StepContext
from runner.vocab import CLOSED


@dataclass
class Outcome:
    kind: str  # "done" | "paused" | "failed"
    run_id: str
    status: str  # the run's status
    gate: str | None = None
    attempt: int | None = None
    waiting_for: str | None = None  # "outputs" | "decision"
    deadline: str | None = None
    message: str = ""
    next_steps: list[str] = field(default_factory=list)
    packet: str | None = None


def start(s: Session, workflow: str, slug: str, artifact_path: str | None = None, depth: str = "standard",
          prompt: str | None = None, start_from: str | None = None) -> Outcome:
    if start_from:  # checked before the run exists, so a typo leaves no run behind
        wf = contracts.load_workflow(s.ws, workflow).model
        ids = [g.gate for g in wf.gates]
        if start_from not in ids:
            raise StateError(f"--start-from {start_from}: no such gate in {wf.workflow}", f"gates: {', '.join(ids)}")
    run = lifecycle.start_run(s, workflow, slug, artifact_path, depth, prompt)
    if start_from:
        ids = [g.gate for g in run.gates]
        for gate_id in ids[: ids.index(start_from)]:
            # Earlier gates are validated as they stand, without pausing, and recorded as such.
            attempts.gate_start(s, run.run_id, gate_id, start_from=True)
            attempt = attempts.gate_finish(s, run.run_id, gate_id)
            if attempt.status == "FAIL":
                return _failed(records.load_run(s.ws, run.run_id), run.gates[ids.index(gate_id)],
                               attempt.failure_reason)
    return advance(s, run.run_id)


def resume(s: Session, run_id: str, ready: bool = False) -> Outcome:
    """Continue a run. `ready`: the outputs of the failed gate it retries are already
    fixed, so the retry's attempt is validated at once instead of waiting for them."""
    with transaction(s, run_id, "resume") as tx:
        run = tx.load_run()
        if run.status in CLOSED:
            raise StateError(f"run {run_id} is {run.status}; nothing to resume", "start a new run")
        for state in run.gates:
            owners.refuse_if_busy(state.gate, state.current)
        append_event(run, "resumed", s.actor)
        tx.subject, tx.trailers = "resumed", {"Status": run.status, "Op": "resume"}
        tx.save_run(run)
    return advance(s, run_id, proceed=True, ready=ready)


def advance(s: Session, run_id: str, proceed: bool = False, ready: bool = False, wait: bool = True) -> Outcome:
    """Go as far as possible without a person. `proceed`: a person said to go on (the
    outputs of the waiting agent gate are ready, or a failed gate should be retried).
    Holds the run's drive lock throughout (`wait=False`: LockTimeout at once if another
    process drives the run)."""
    with driving(s, run_id, wait):
        return _advance(s, run_id, proceed, ready)


def _advance(s: Session, run_id: str, proceed: bool, ready: bool) -> Outcome:
    decisions.tick_run(s, run_id)
    while True:
        run = records.load_run(s.ws, run_id)
        if run.status in CLOSED:
            return Outcome("done", run_id, run.status, message=f"run {run_id} is {run.status}")
        state = next_gate(run)
        if state is None:
            done = lifecycle.complete_run(s, run_id)
            return Outcome("done" if done.status == "PASSED" else "failed", run_id, done.status,
                           message=f"run {run_id} {done.status}")
        if state.status == "AWAITING_APPROVAL":
            return _paused_for_decision(run, state)
        decision = decisions.pending_patch(s, run, state)
        if decision is not None:
            if patching.follow_up(s, run_id, state.gate, decision) is not None:
                proceed = False  # the go-ahead applied the patch: patched outputs that fail stop the run
            continue
        if state.status in ("FAIL", "ABANDONED"):
            if state.route is not None and state.route.action == "abort":
                done = lifecycle.complete_run(s, run_id, "FAILED", state.route.reason)
                return _failed(done, state, f"{state.route.reason} (abort)")
            routed = state.route is not None and state.route.action in ("retry", "fallback")
            if not proceed and not routed:
                return _failed(run, state, _last_reason(s, run, state))
        if state.current is None:  # PENDING, or FAIL to retry
            wf_gate = lifecycle.workflow_of(s, run).gate(state.gate)
            retrying = state.status in ("FAIL", "ABANDONED")
            attempts.gate_start(s, run_id, state.gate, wf_gate.agent, owned=STEP_KINDS[state.kind].in_process,
                                packet=lambda r, st, n: _packet(s, wf_gate, r, st, n))
            proceed, ready = ready and retrying, False  # a go-ahead is for this gate only
            continue
        if state.current.pid is not None:  # an attempt the runner runs itself: is it ours?
            owners.take_over(s, run_id, state.gate)
        wf_gate = lifecycle.workflow_of(s, run).gate(state.gate)
        produced = STEP_KINDS[state.kind].produce(StepContext(s, run, wf_gate, state.current.attempt, proceed,
                                                                   retries=state.retries))
        if not produced.ready:
            attempts.mark_waiting_for_outputs(s, run_id, state.gate)
            return _paused_for_outputs(records.load_run(s.ws, run_id), state.gate)
        attempts.gate_finish(s, run_id, state.gate, failure=produced.failure, route=produced.route,
                            ran=produced.ran)
        proceed = False


def _packet(s: Session, wf_gate, run: Run, state: GateState, number: int):
    """Write the prompt packet of a gate's new attempt (the run as gate_start holds it)."""
    return packets.write(s, run, wf_gate, state, number, _retry_notes(s, run, state))


def next_gate(run: Run) -> GateState | None:
    for state in run.gates:
        if state.status == "PASS" and not decisions.has_pending_patch(state):
            continue
        if state.status == "PENDING" and STEP_KINDS[state.kind].on_demand:
            continue  # started by its own command (e.g. `runner recast export`)
        if state.status == "FAIL" and not state.blocking and not state.decisions and state.route is None:
            continue  # a failed non-blocking gate is recorded and passed over
        return state
    return None


def _retry_notes(s: Session, run: Run, state: GateState) -> list[str]:
    if not state.attempts:
        return []
    notes = ["## Previous attempt", _last_reason(s, run, state) or "(no reason recorded)"]
    if state.decisions and state.decisions[-1].verdict == "reject":
        from runner.models.decision import Decision

        d = records.load_model(s.ws.path(state.decisions[-1].file), Decision, "decision record")
        notes.append(f"Rejected by {d.by.name}: {d.note or '(no note)'}")
    return notes + [""]


def _last_reason(s: Session, run: Run, state: GateState) -> str | None:
    if state.decisions and state.decisions[-1].attempt == state.attempts[-1].attempt \
            and state.decisions[-1].verdict == "reject":
        return f"attempt {state.attempts[-1].attempt} rejected by {state.decisions[-1].by}"
    attempt = records.load_attempt(s.ws, run.run_id, state.gate, state.attempts[-1].attempt)
    return attempt.failure_reason


def _failed(run: Run, state: GateState, reason: str | None) -> Outcome:
    return Outcome("failed", run.run_id, run.status, gate=state.gate,
                   attempt=state.attempts[-1].attempt if state.attempts else None,
                   message=f"gate {state.gate} failed: {reason or 'see the attempt record'}",
                   next_steps=[f"`runner run resume --run {run.run_id}` retries {state.gate} as a new attempt"
                               + (" (its prompt packet says why this one failed; it waits for the outputs)"
                                  if state.kind == "agent" else ""),
                               f"or `runner run cancel --run {run.run_id}`"])


def _paused_for_outputs(run: Run, gate_id: str) -> Outcome:
    state = run.gate(gate_id)
    w = state.waiting
    return Outcome("paused", run.run_id, run.status, gate=gate_id, attempt=w.attempt, waiting_for="outputs",
                   packet=w.packet, message=f"gate {gate_id} attempt {w.attempt} waits for its outputs",
                   next_steps=[f"follow the prompt packet {w.packet}",
                               f"then `runner run resume --run {run.run_id}`"])


def _paused_for_decision(run: Run, state: GateState) -> Outcome:
    w = state.waiting
    rid, g = run.run_id, state.gate
    auto = ""
    if w and w.deadline and not w.escalated:
        auto = f"; at {w.deadline} the timer will {w.on_timeout}"
    elif w and w.escalated:  # by its timer (a deadline) or by a route (none)
        auto = ("; its deadline passed and it was escalated" if w.deadline
                else "; it was escalated") + ": a person must decide"
    return Outcome("paused", rid, run.status, gate=g, attempt=w.attempt if w else None, waiting_for="decision",
                   # the time of the automatic action: none left once escalated (the prompt
                   # would otherwise wake at a past deadline, again and again)
                   deadline=w.deadline if w and not w.escalated else None, packet=w.packet if w else None,
                   message=f"gate {g} waits for a decision{auto}",
                   next_steps=[f"`runner gate approve --run {rid} --gate {g}` or "
                               f"`runner gate reject --run {rid} --gate {g}` (either with [--note TEXT] [--patch FILE])",
                               f"then `runner run resume --run {rid}`"])
