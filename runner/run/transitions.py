"""The state changes of a run, in memory: which gate, which attempt, what an ended
attempt or a decision does to its gate and to the run, and the event chain that
records each change. No I/O here: attempts.py and decisions.py write the files and
commit; this module only says what the run becomes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from runner.errors import NotFoundError, StateError
from runner.hashing import sha256_bytes
from runner.jsonio import canonical_bytes
from runner.models.decision import Decision
from runner.models.run import (
    Actor,
    ArtifactIndexEntry,
    Attempt,
    AttemptRef,
    DecisionRef,
    Event,
    GateState,
    OpenAttempt,
    Run,
    ValidationSummary,
    Waiting,
)
from runner.paths import check_name
from runner.timeutil import iso, parse

TIMER = Actor(name="timer")
AUTO_APPROVE = Actor(name="auto-approve")


def event_hash(event: Event) -> str:
    """The SHA-256 of an event's canonical JSON: the next event's `prev`."""
    return sha256_bytes(canonical_bytes(msgspec.to_builtins(event)))


def append_event(run: Run, type_: str, actor: Actor, *, gate: str | None = None,
                 attempt: int | None = None, **data: Any) -> None:
    """Append an event to a run with the hash of the one before."""
    events = run.events
    prev = event_hash(events[-1]) if events else None
    events.append(Event(seq=len(events) + 1, type=type_, at=iso(), actor=msgspec.structs.replace(actor), gate=gate,
                        attempt=attempt, data={k: v for k, v in data.items() if v is not None}, prev=prev))


def gate_index(run_id: str, gate_ids: list[str], gate_id: str) -> int:
    """Where `gate_id` is among a run's gates; NotFoundError naming the others."""
    check_name(gate_id, "gate id")
    if gate_id not in gate_ids:
        raise NotFoundError(f"gate {gate_id} is not in run {run_id}", f"its gates: {', '.join(gate_ids)}")
    return gate_ids.index(gate_id)


def gate_of(run: Run, gate_id: str) -> GateState:
    return run.gates[gate_index(run.run_id, [g.gate for g in run.gates], gate_id)]


def open_attempt(run: Run, gate_id: str) -> tuple[GateState, OpenAttempt]:
    state = gate_of(run, gate_id)
    if state.current is None:
        last = state.attempts[-1] if state.attempts else None
        ended = f" (attempt {last.attempt} already ended {last.status})" if last else ""
        raise StateError(f"gate {gate_id} has no running attempt{ended}",
                         f"start one with `runner gate start --run {run.run_id} --gate {gate_id}`")
    return state, state.current


def completed(run: Run) -> bool:
    """Ended by `run complete` (even FAILED): no more attempts; a run FAILED by a gate can
    still be retried."""
    return any(e.type == "run_completed" for e in run.events)


def failed_blocking(run: Run) -> list[str]:
    return [g.gate for g in run.gates if g.blocking and g.status == "FAIL"]


def attempt_ended(run: Run, state: GateState, attempt: Attempt, ref: AttemptRef, actor: Actor) -> None:
    """An attempt file was written: the gate takes its status, the run its outputs and verdicts."""
    gate, number = state.gate, attempt.attempt
    state.attempts.append(ref)
    state.current, state.status, state.waiting = None, attempt.status, None
    index = {e.path: e for e in run.artifacts_index}
    for artifact in attempt.artifacts:
        index.pop(artifact.path, None)
        if artifact.exists:
            index[artifact.path] = ArtifactIndexEntry(path=artifact.path, sha256=artifact.sha256, size=artifact.size,
                                                      gate=gate, attempt=number)
    run.artifacts_index = sorted(index.values(), key=lambda e: e.path)
    run.validations.extend(ValidationSummary(gate=gate, attempt=number, index=v.index, type=v.type, status=v.status,
                                             target=v.target) for v in attempt.validations)
    append_event(run, "gate_finished", actor, gate=gate, attempt=number, status=attempt.status,
                 reason=attempt.failure_reason)


def needs_decision(state: GateState, attempt: Attempt) -> bool:
    return attempt.status == "PASS" and state.approval is not None and attempt.patch_of is None \
        and not attempt.skipped_by_start_from


def approves_at_once(state: GateState) -> bool:
    """auto_approve without a delay: the runner approves as soon as the checks pass."""
    approval = state.approval
    return approval is not None and approval.auto_approve and approval.auto_approve_after_s is None


def await_decision(run: Run, state: GateState, attempt: Attempt, actor: Actor) -> None:
    """Pause the gate for a person's decision, with the deadline its approval sets."""
    approval = state.approval
    state.status = "AWAITING_APPROVAL"
    if approves_at_once(state):
        return  # decided at once by the caller (a decision file is written)
    deadline = None
    if approval.auto_approve_after_s is not None:
        # from the moment it starts waiting (`since`), so that deadline - since is the delay
        deadline = iso(parse(attempt.finished_at) + timedelta(seconds=approval.auto_approve_after_s))
    packet = attempt.prompt_packet
    state.waiting = Waiting(attempt=attempt.attempt, waiting_for="decision", since=attempt.finished_at,
                            deadline=deadline, on_timeout=approval.on_timeout if deadline else None,
                            packet=packet.path if packet else None)
    append_event(run, "paused", actor, gate=state.gate, attempt=attempt.attempt, waiting_for="decision",
                 deadline=deadline)


def follow_route(run: Run, state: GateState, attempt: Attempt, actor: Actor) -> None:
    """Record where the attempt's decision sends the run; an escalation waits for a person."""
    route = state.route = attempt.route
    if route is None:
        return
    if route.action in ("retry", "fallback"):
        state.retries += 1
        target = run.gate(route.target) if route.target else state
        if target is None:
            raise StateError(f"gate {state.gate} routes to {route.target}, which is not in this run")
        target.next_params = route.params or None
        if target is not state:
            target.status = "PENDING"  # it runs again before this gate does
    append_event(run, "route", actor, gate=state.gate, attempt=attempt.attempt, action=route.action,
                 target=route.target, reason=route.reason, retries=state.retries)
    if route.action == "escalate":
        state.status = "AWAITING_APPROVAL"
        state.waiting = Waiting(attempt=attempt.attempt, waiting_for="decision", since=attempt.finished_at,
                                escalated=True, packet=route.packet)
        append_event(run, "paused", actor, gate=state.gate, attempt=attempt.attempt, waiting_for="decision",
                     escalated=True)


def settle_run(run: Run, state: GateState, attempt: Attempt, actor: Actor) -> None:
    """The run FAILS on a failed blocking gate (unless a route takes it elsewhere) and
    runs again once no blocking gate is failed."""
    route = attempt.route
    routed = route is not None and route.action in ("retry", "fallback", "escalate")
    if attempt.status != "PASS" and state.blocking and run.status == "RUNNING" and not routed:
        run.status, run.finished_at = "FAILED", attempt.finished_at
        append_event(run, "run_failed", actor, gate=state.gate, attempt=attempt.attempt)
    elif state.status == "PASS" and run.status == "FAILED" and not failed_blocking(run):
        run.status, run.finished_at = "RUNNING", None
        append_event(run, "run_resumed", actor, gate=state.gate, attempt=attempt.attempt)


def decided(run: Run, state: GateState, decision: Decision, ref: DecisionRef) -> None:
    """A decision file was written: the gate passes or fails with it, a blocking reject fails the run."""
    by, attempt = decision.by, decision.attempt
    state.decisions.append(ref)
    state.waiting, state.route = None, None
    state.status = "PASS" if decision.verdict == "approve" else "FAIL"
    append_event(run, "timer_fired" if decision.timed_out else "decision", by, gate=state.gate, attempt=attempt,
                 verdict=decision.verdict, decision=decision.decision, note=decision.note,
                 patch=ref.patch_pending or None)
    if decision.verdict == "reject" and state.blocking and run.status == "RUNNING":
        run.status, run.finished_at = "FAILED", decision.at
        append_event(run, "run_failed", by, gate=state.gate, attempt=attempt)
