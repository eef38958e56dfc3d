"""The run state machine: start a run, start/finish/fail gate attempts, record
invocations, complete a run. Every refusal is a StateError (exit 4)."""

from __future__ import annotations

import os
import secrets
import socket
import string
from dataclasses import dataclass

from . import __version__, contracts, gates, records
from .errors import NotFoundError, StateError, UsageError
from .hashing import sha256_file
from .models.contract import Contract
from .models.run import (
    TERMINAL_RUN_STATUSES, Attempt, AttemptRef, ArtifactIndexEntry, ContractRef, GateState,
    Invocation, OpenAttempt, Run, ValidationSummary, WorkflowRef,
)
from .models.workflow import Workflow
from .paths import check_name, inside
from .session import Session, Transaction, append_event, transaction
from .timeutil import compact, iso

DEPTHS = ("quick", "standard", "deep")
COMPLETE_STATUSES = ("PASSED", "FAILED", "CANCELED")
_B36 = string.digits + string.ascii_lowercase


def new_run_id(slug: str) -> str:
    return f"run_{compact()}_{slug}_{''.join(secrets.choice(_B36) for _ in range(6))}"


def start_run(s: Session, workflow: str, slug: str, artifact_path: str | None = None,
              depth: str = "standard", prompt: str | None = None) -> Run:
    check_name(slug, "slug")
    if depth not in DEPTHS:
        raise UsageError(f"invalid depth {depth!r}", "use quick, standard or deep")
    if artifact_path is not None:
        artifact_path = s.ws.rel(inside(s.ws.root, artifact_path, what="--artifact-path"))
    loaded = contracts.load_workflow(s.ws, workflow)
    wf: Workflow = loaded.model
    gate_states = [_gate_state(s, g) for g in wf.gates]
    s.ws.runs_dir.mkdir(parents=True, exist_ok=True)
    while True:  # the directory is the reservation: unique under concurrency
        run_id = new_run_id(slug)
        try:
            records.run_dir(s.ws, run_id).mkdir()
            break
        except FileExistsError:
            continue
    run = Run(
        run_id=run_id, depth=depth, prompt=prompt, status="QUEUED", started_at=iso(),
        created_by=s.actor, runner_version=__version__, gates=gate_states,
        workflow=WorkflowRef(name=wf.workflow, version=wf.version, slug=slug, artifact_path=artifact_path,
                             path=loaded.path, sha256=loaded.sha256),
    )
    with transaction(s, run_id, "run start") as tx:
        append_event(run, "run_started", s.actor, workflow=wf.workflow, depth=depth)
        tx.subject, tx.trailers = f"start ({wf.workflow})", {"Status": "QUEUED", "Op": "run-start"}
        tx.save_run(run)
    return run


def _gate_state(s: Session, gate) -> GateState:
    contract: Contract = contracts.load_contract(s.ws, contracts.contract_path(s.ws, gate)).model
    blocking = gate.blocking if gate.blocking is not None else contract.blocking
    return GateState(gate=gate.gate, name=gate.name or contract.name, blocking=blocking)


def _workflow(s: Session, run: Run) -> Workflow:
    return contracts.load_workflow(s.ws, run.workflow.path or run.workflow.name).model


def _gate(run: Run, gate_id: str) -> GateState:
    check_name(gate_id, "gate id")
    state = run.gate(gate_id)
    if state is None:
        known = ", ".join(g.gate for g in run.gates)
        raise NotFoundError(f"gate {gate_id} is not in run {run.run_id}", f"its gates: {known}")
    return state


def gate_start(s: Session, run_id: str, gate_id: str, agent: str | None = None, force: bool = False) -> OpenAttempt:
    with transaction(s, run_id, f"gate start {gate_id}") as tx:
        run = records.load_run(s.ws, run_id)
        state = _gate(run, gate_id)
        if run.status in ("PASSED", "CANCELED"):
            raise StateError(f"run {run_id} is {run.status}; no gate can start", "start a new run")
        if state.current is not None:
            raise StateError(
                f"gate {gate_id} attempt {state.current.attempt} is still running (started {state.current.started_at})",
                f"finish it with `runner gate finish --run {run_id} --gate {gate_id}` or fail it with `runner gate fail`",
            )
        pending = [g.gate for g in run.gates[: run.gates.index(state)] if g.blocking and g.status != "PASS"]
        if pending and not force:
            raise StateError(
                f"gate {gate_id} cannot start before {', '.join(pending)} passed",
                "pass those gates first, or add --force (recorded as an event)",
            )
        number = _next_attempt(s, run, state)
        state.current = OpenAttempt(attempt=number, started_at=iso(), started_by=s.actor, agent=agent,
                                    forced=bool(pending), pid=os.getpid(), host=socket.gethostname())
        state.status = "RUNNING"
        if run.status in ("QUEUED", "FAILED", "PAUSED"):
            run.status, run.finished_at = "RUNNING", None
        if pending:
            append_event(run, "gate_forced", s.actor, gate=gate_id, attempt=number, skipped=pending)
        append_event(run, "gate_started", s.actor, gate=gate_id, attempt=number, agent=agent)
        tx.subject = f"gate {gate_id} attempt {number} start"
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": "RUNNING", "Op": "gate-start"}
        tx.save_run(run)
        return state.current


def _next_attempt(s: Session, run: Run, state: GateState) -> int:
    on_disk = records.attempt_numbers(s.ws, run.run_id, state.gate)
    in_record = [a.attempt for a in state.attempts]
    return max(on_disk + in_record + [0]) + 1


def _open(run: Run, gate_id: str) -> tuple[GateState, OpenAttempt]:
    state = _gate(run, gate_id)
    if state.current is None:
        last = f" (attempt {state.attempts[-1].attempt} already ended {state.attempts[-1].status})" if state.attempts else ""
        raise StateError(f"gate {gate_id} has no running attempt{last}",
                         f"start one with `runner gate start --run {run.run_id} --gate {gate_id}`")
    return state, state.current


def gate_finish(s: Session, run_id: str, gate_id: str) -> Attempt:
    with transaction(s, run_id, f"gate finish {gate_id}") as tx:
        run = records.load_run(s.ws, run_id)
        state, current = _open(run, gate_id)
        wf_gate = _workflow(s, run).gate(gate_id)
        if wf_gate is None:
            raise NotFoundError(f"gate {gate_id} is no longer in workflow {run.workflow.name}")
        loaded = contracts.load_contract(s.ws, contracts.contract_path(s.ws, wf_gate))
        values = gates.variables(s.ws.root, run.workflow.slug, run.workflow.artifact_path, run_id)
        ev = gates.evaluate(s.ws.root, loaded.model, loaded.path, values, run.depth, s.offline, s.progress)
        attempt = _attempt(s, run, gate_id, current, ev.status, ev.failure_reason,
                           ContractRef(path=loaded.path, sha256=loaded.sha256))
        attempt.required_outputs, attempt.artifacts = ev.required_outputs, ev.artifacts
        attempt.validations, attempt.warnings = ev.validations, ev.warnings
        _close(tx, run, state, attempt)
        return attempt


def gate_fail(s: Session, run_id: str, gate_id: str, reason: str) -> Attempt:
    if not reason.strip():
        raise UsageError("--reason is empty", "say why the gate failed")
    with transaction(s, run_id, f"gate fail {gate_id}") as tx:
        run = records.load_run(s.ws, run_id)
        state, current = _open(run, gate_id)
        attempt = _attempt(s, run, gate_id, current, "FAIL", reason, None)
        _close(tx, run, state, attempt)
        return attempt


def _attempt(s: Session, run: Run, gate_id: str, current: OpenAttempt, status: str,
             reason: str | None, contract: ContractRef | None) -> Attempt:
    invocations = [i.id for i in run.invocations if i.gate == gate_id and i.attempt == current.attempt]
    return Attempt(
        run_id=run.run_id, gate=gate_id, attempt=current.attempt, status=status,
        started_at=current.started_at, finished_at=iso(), agent=current.agent,
        started_by=current.started_by, finished_by=s.actor, runner_version=__version__,
        depth=run.depth, invocation_ids=invocations, contract=contract,
        failure_reason=reason, forced=current.forced, offline=s.offline,
    )


def _close(tx: Transaction, run: Run, state: GateState, attempt: Attempt) -> None:
    ws = tx.session.ws
    path = records.attempt_file(ws, run.run_id, state.gate, attempt.attempt)
    tx.save_new(path, attempt)
    state.attempts.append(AttemptRef(attempt=attempt.attempt, status=attempt.status, file=ws.rel(path),
                                     sha256=sha256_file(path), finished_at=attempt.finished_at))
    state.current, state.status = None, attempt.status
    for artifact in attempt.artifacts:
        run.artifacts_index = [e for e in run.artifacts_index if e.path != artifact.path]
        if artifact.exists:
            run.artifacts_index.append(ArtifactIndexEntry(path=artifact.path, sha256=artifact.sha256,
                                                           size=artifact.size, gate=state.gate, attempt=attempt.attempt))
    run.artifacts_index.sort(key=lambda e: e.path)
    run.validations.extend(ValidationSummary(gate=state.gate, attempt=attempt.attempt, index=v.index, type=v.type,
                                             status=v.status, target=v.target) for v in attempt.validations)
    append_event(run, "gate_finished", tx.session.actor, gate=state.gate, attempt=attempt.attempt,
                 status=attempt.status, reason=attempt.failure_reason)
    if attempt.status == "FAIL" and state.blocking and run.status == "RUNNING":
        run.status, run.finished_at = "FAILED", attempt.finished_at
        append_event(run, "run_failed", tx.session.actor, gate=state.gate, attempt=attempt.attempt)
    elif attempt.status == "PASS" and run.status == "FAILED" and not _failed_blocking(run):
        run.status, run.finished_at = "RUNNING", None
        append_event(run, "run_resumed", tx.session.actor, gate=state.gate, attempt=attempt.attempt)
    tx.subject = f"gate {state.gate} attempt {attempt.attempt} {attempt.status}"
    tx.trailers = {"Gate": state.gate, "Attempt": attempt.attempt, "Status": attempt.status, "Op": "gate-finish"}
    tx.save_run(run)


def _failed_blocking(run: Run) -> list[str]:
    return [g.gate for g in run.gates if g.blocking and g.status == "FAIL"]


def record_invocation(s: Session, run_id: str, gate_id: str, agent: str, status: str = "SUCCESS",
                      model: str | None = None, **extra) -> Invocation:
    with transaction(s, run_id, f"invocation {gate_id}") as tx:
        run = records.load_run(s.ws, run_id)
        state = _gate(run, gate_id)
        number = state.current.attempt if state.current else None
        inv = Invocation(id=f"inv_{compact()}_{secrets.token_hex(3)}", gate=gate_id, attempt=number, agent=agent,
                         status=status, model=model, at=iso(), actor=s.actor, **extra)
        run.invocations.append(inv)
        append_event(run, "invocation_recorded", s.actor, gate=gate_id, attempt=number, invocation=inv.id,
                     status=status)
        tx.subject = f"gate {gate_id} invocation {inv.id} {status}"
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": status, "Op": "invocation"}
        tx.save_run(run)
        return inv


def complete_run(s: Session, run_id: str, status: str | None = None, reason: str | None = None) -> Run:
    if status is not None and status not in COMPLETE_STATUSES:
        raise UsageError(f"invalid --status {status!r}", "use PASSED, FAILED or CANCELED")
    with transaction(s, run_id, "run complete") as tx:
        run = records.load_run(s.ws, run_id)
        if run.status in ("PASSED", "CANCELED"):
            raise StateError(f"run {run_id} is already {run.status}")
        running = [g.gate for g in run.gates if g.current is not None]
        not_passed = [g.gate for g in run.gates if g.blocking and g.status != "PASS"]
        status = status or ("PASSED" if not not_passed else "FAILED")
        if status == "PASSED" and (not_passed or running):
            raise StateError(f"run {run_id} cannot pass: {', '.join(not_passed or running)} not passed",
                             "pass those gates, or complete with --status FAILED or CANCELED")
        run.status, run.finished_at = status, iso()
        append_event(run, "run_completed", s.actor, status=status, reason=reason, open_gates=running or None)
        tx.subject, tx.trailers = f"complete {status}", {"Status": status, "Op": "run-complete"}
        tx.save_run(run)
        return run


def is_terminal(run: Run) -> bool:
    return run.status in TERMINAL_RUN_STATUSES
