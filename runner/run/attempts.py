"""Gate attempts: start, finish (validate, hash, record), fail, and invocations.
Every refusal is a StateError (exit 4)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

from runner import __version__, contracts, records, steps
from runner.errors import NotFoundError, StateError, UsageError
from runner.hashing import sha256_file
from runner.models.run import (
    Attempt,
    AttemptRef,
    ContractRef,
    GateState,
    Invocation,
    OpenAttempt,
    PacketRef,
    Route,
    Run,
    Waiting,
)
from runner.paths import run_variables
from runner.run import decisions, owners, transitions
from runner.run.session import Session, Transaction, transaction
from runner.run.transitions import append_event, completed, gate_of, open_attempt
from runner.steps.base import Ran

if TYPE_CHECKING:
    from runner.contracts.evaluate import Evaluation
    from runner.models.workflow import WorkflowGate
from runner.timeutil import compact, iso
from runner.vocab import CLOSED

# packet(run, state, number) writes an attempt's prompt packet and returns its PacketRef.
PacketWriter = Callable[[Run, GateState, int], PacketRef]


def gate_start(s: Session, run_id: str, gate_id: str, agent: str | None = None, force: bool = False,
               *, patch_of: int | None = None, start_from: bool = False, packet: PacketWriter | None = None,
               owned: bool = False, params: dict | None = None, supersede: str | None = None) -> OpenAttempt:
    """Open a new attempt; returns it."""
    with transaction(s, run_id, f"gate start {gate_id}") as tx:
        run = tx.load_run()
        state = gate_of(run, gate_id)
        if run.status in CLOSED or completed(run):
            raise StateError(f"run {run_id} is completed ({run.status}); no gate can start", "start a new run")
        if state.current is not None:
            current = state.current
            raise StateError(
                f"gate {gate_id} attempt {current.attempt} is still running (started {current.started_at})",
                f"finish it with `runner gate finish --run {run_id} --gate {gate_id}` or fail it with `runner gate fail`",
            )
        if state.status == "AWAITING_APPROVAL" and supersede:
            append_event(run, "decision_superseded", s.actor, gate=gate_id, attempt=state.attempts[-1].attempt,
                         reason=supersede)
        elif state.status == "AWAITING_APPROVAL":
            raise StateError(f"gate {gate_id} attempt {state.attempts[-1].attempt} waits for a decision",
                             f"approve or reject it first: `runner gate approve|reject --run {run_id} --gate {gate_id}`")
        before = run.gates[: next(i for i, g in enumerate(run.gates) if g is state)]
        pending = [g.gate for g in before if g.blocking and g.status != "PASS"]
        if pending and not force and not start_from:
            raise StateError(
                f"gate {gate_id} cannot start before {', '.join(pending)} passed",
                "pass those gates first, or add --force (recorded as an event)",
            )
        recorded = [a.attempt for a in state.attempts]
        number = max(records.attempt_numbers(s.ws, run_id, gate_id) + recorded + [0]) + 1
        opened = state.current = OpenAttempt(attempt=number, started_at=iso(), started_by=s.actor, agent=agent,
            forced=bool(pending) and not start_from, patch_of=patch_of, skipped_by_start_from=start_from,
            params=params or state.next_params or {},
            pid=os.getpid() if owned else None, host=owners.hostname() if owned else None)
        if packet is not None:
            opened.packet = packet(run, state, number)
        state.status, state.waiting, state.next_params = "RUNNING", None, None
        if run.status in ("QUEUED", "FAILED"):
            run.status, run.finished_at = "RUNNING", None
        if pending and not start_from:
            append_event(run, "gate_forced", s.actor, gate=gate_id, attempt=number, skipped=pending)
        append_event(run, "gate_started", s.actor, gate=gate_id, attempt=number, agent=agent, patch_of=patch_of,
                     start_from=start_from or None)
        tx.subject = f"gate {gate_id} attempt {number} start"
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": "RUNNING", "Op": "gate-start"}
        tx.save_run(run)
        return opened


def gate_finish(s: Session, run_id: str, gate_id: str, *, failure: str | None = None,
                route: Route | None = None, ran: Ran | None = None, outputs: list[str] | None = None) -> Attempt:
    """Validate and hash the outputs and record the attempt (returned). `failure`
    (e.g. a command that exited non-zero) fails the attempt whatever the checks say;
    `route` is where the step's decision sends the run; `ran`, what the runner ran to
    produce the outputs, is recorded as the attempt's invocation in the same commit;
    `outputs` (workspace-relative) are files the runner itself produced for this attempt,
    hashed into its artifacts beside the contract's outputs, with or without a contract.

    The outputs are hashed and checked before the workspace lock is taken (checks may
    take long; other runs' commands need not wait); under the lock the attempt must
    still be the one that was checked."""
    run = records.load_run(s.ws, run_id, for_change=True)
    _, checked = open_attempt(run, gate_id)
    wf_gate = contracts.run_workflow(s.ws, run.workflow).gate(gate_id)
    if wf_gate is None:
        raise NotFoundError(f"gate {gate_id} is no longer in workflow {run.workflow.name}")
    if route is not None and route.target and run.gate(route.target) is None:  # before anything is written
        raise StateError(f"gate {gate_id} routes to {route.target}, which is not in this run",
                         "fix the route's target (a QC policy's retry stage, or a workflow's stages)")
    verdict = _evaluate(s, run, wf_gate) if steps.has_contract(s.ws, wf_gate) else None
    produced = _hash_produced(s, outputs or [])
    with transaction(s, run_id, f"gate finish {gate_id}") as tx:
        run = tx.load_run()
        state, current = open_attempt(run, gate_id)
        if (current.attempt, current.started_at) != (checked.attempt, checked.started_at):
            raise StateError(f"gate {gate_id}: attempt {checked.attempt} ended while its outputs were checked",
                             "see `runner run show`; finish the attempt that is open now")
        if ran is not None:
            invoked(s, run, gate_id, current.attempt, ran.agent, ran.status, command=ran.command,
                     exit_code=ran.exit_code, duration_s=ran.duration_s, stdout_log=ran.stdout_log,
                     stderr_log=ran.stderr_log)
        attempt = new_attempt(s, run, gate_id, current, "PASS", None)
        if verdict is not None:
            ref, ev = verdict
            attempt.contract = ref
            attempt.status, attempt.failure_reason = ev.status, ev.failure_reason
            attempt.required_outputs, attempt.artifacts = ev.required_outputs, ev.artifacts
            attempt.validations, attempt.warnings = ev.validations, ev.warnings
        known = {a.path for a in attempt.artifacts}
        attempt.artifacts = attempt.artifacts + [a for a in produced if a.path not in known]
        if failure:
            attempt.status = "FAIL"
            reason = attempt.failure_reason
            attempt.failure_reason = failure + (f"; {reason}" if reason else "")
        attempt.route = route
        close(tx, run, state, attempt)
        return attempt


def _hash_produced(s: Session, outputs: list[str]) -> list:
    """The artifacts of files a step produced itself (hashed before the lock, as the contract's)."""
    from runner.checks.base import Output
    from runner.contracts.evaluate import hash_output

    unique = list(dict.fromkeys(outputs))
    return [hash_output(s.ws.root, Output(rel, True, "produced by the step", "all_of"), s.progress) for rel in unique]


def _evaluate(s: Session, run: Run, wf_gate: WorkflowGate) -> tuple[ContractRef, Evaluation]:
    """The gate's contract against its outputs, each check within runner.json's bounds."""
    from runner.contracts import evaluate

    loaded = contracts.load_gate_contract(s.ws, wf_gate)
    wf = run.workflow
    values = run_variables(s.ws.root, wf.slug, wf.artifact_path, run.run_id)
    ev = evaluate.evaluate(s.ws.root, loaded.model, loaded.path, values, run.depth, s.offline, s.progress,
                           bounds=(s.ws.config.check_timeout_s, s.ws.config.check_memory_mb))
    return ContractRef(path=loaded.path, sha256=loaded.sha256), ev


def gate_fail(s: Session, run_id: str, gate_id: str, reason: str) -> Attempt:
    if not reason.strip():
        raise UsageError("--reason is empty", "say why the gate failed")
    with transaction(s, run_id, f"gate fail {gate_id}") as tx:
        run = tx.load_run()
        state, current = open_attempt(run, gate_id)
        attempt = new_attempt(s, run, gate_id, current, "FAIL", reason)
        close(tx, run, state, attempt)
        return attempt


def new_attempt(s: Session, run: Run, gate_id: str, current: OpenAttempt, status: str, reason: str | None) -> Attempt:
    """The attempt record of the open attempt `current`, ending now."""
    invocations = [i.id for i in run.invocations if i.gate == gate_id and i.attempt == current.attempt]
    return Attempt(run_id=run.run_id, gate=gate_id, attempt=current.attempt, status=status,
        started_at=current.started_at, finished_at=iso(), agent=current.agent,
        started_by=current.started_by, finished_by=s.actor, runner_version=__version__,
        depth=run.depth, invocation_ids=invocations, failure_reason=reason, forced=current.forced,
        offline=s.offline, prompt_packet=current.packet, patch_of=current.patch_of,
        skipped_by_start_from=current.skipped_by_start_from, params=current.params,
    )


def close(tx: Transaction, run: Run, state: GateState, attempt: Attempt) -> None:
    """Write the attempt file and bring RUN.json in line with it."""
    path = records.attempt_file(tx.session.ws, run.run_id, state.gate, attempt.attempt)
    tx.save_new(path, attempt)
    register(tx, run, state, attempt, path)


def register(tx: Transaction, run: Run, state: GateState, attempt: Attempt, path) -> None:
    """Bring RUN.json in line with an attempt file already written (also used by
    `runner doctor` when a finish was interrupted between the two writes)."""
    ws, actor, gate, number = tx.session.ws, tx.session.actor, state.gate, attempt.attempt
    ref = AttemptRef(attempt=number, status=attempt.status, file=ws.rel(path), sha256=sha256_file(path),
                     finished_at=attempt.finished_at)
    transitions.attempt_ended(run, state, attempt, ref, actor)
    if transitions.needs_decision(state, attempt):
        transitions.await_decision(run, state, attempt, actor)
        if transitions.approves_at_once(state):
            decisions.record_decision(tx, run, state, "approve", transitions.AUTO_APPROVE,
                                      note="auto_approve is set", automatic=True)
    transitions.follow_route(run, state, attempt, actor)
    transitions.settle_run(run, state, attempt, actor)
    route = attempt.route
    tx.subject = f"gate {gate} attempt {number} {attempt.status}"
    if route is not None and route.action != "finalize":
        tx.subject += f", {route.action}" + (f" {route.target}" if route.target else "")
    tx.trailers = {"Gate": gate, "Attempt": number, "Status": attempt.status, "Op": "gate-finish",
                   "Route": route.action if route else None}
    tx.save_run(run)


def record_invocation(s: Session, run_id: str, gate_id: str, agent: str, status: str = "SUCCESS",
                      model: str | None = None, **extra: Any) -> Invocation:
    with transaction(s, run_id, f"invocation {gate_id}") as tx:
        run = tx.load_run()
        state = gate_of(run, gate_id)
        number = state.current.attempt if state.current else None
        inv = invoked(s, run, gate_id, number, agent, status, model=model, **extra)
        tx.subject = f"gate {gate_id} invocation {inv.id} {status}"
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": status, "Op": "invocation"}
        tx.save_run(run)
        return inv


def invoked(s: Session, run: Run, gate_id: str, number: int | None, agent: str, status: str,
             **fields: Any) -> Invocation:
    inv = Invocation(id=f"inv_{compact()}_{os.urandom(3).hex()}", gate=gate_id, attempt=number, agent=agent,
                     status=status, at=iso(), actor=s.actor, **fields)
    run.invocations.append(inv)
    append_event(run, "invocation_recorded", s.actor, gate=gate_id, attempt=number, invocation=inv.id, status=status)
    return inv


def mark_waiting_for_outputs(s: Session, run_id: str, gate_id: str) -> None:
    """Record that an agent gate waits for a person to produce its outputs."""
    with transaction(s, run_id, f"pause {gate_id}") as tx:
        run = tx.load_run()
        state, current = open_attempt(run, gate_id)
        if state.waiting is not None:
            return
        number, packet = current.attempt, current.packet
        state.waiting = Waiting(attempt=number, waiting_for="outputs", since=iso(),
                                     packet=packet.path if packet else None)
        append_event(run, "paused", s.actor, gate=gate_id, attempt=number, waiting_for="outputs")
        tx.subject = f"gate {gate_id} attempt {number} paused"
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": "PAUSED", "Op": "pause"}
        tx.save_run(run)
