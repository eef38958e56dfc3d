"""Runs: start, complete, cancel. Gate attempts are in attempts.py, decisions and
timers in decisions.py, the workflow driver in driver.py."""

from __future__ import annotations

import string

import msgspec

from runner import __version__, contracts, records, steps
from runner.errors import StateError, UsageError
from runner.models.contract import Contract
from runner.models.run import GateState, Run, WorkflowRef
from runner.models.workflow import Workflow, WorkflowGate
from runner.paths import VARIABLE, check_name
from runner.run import approvals
from runner.run.attempts import close, new_attempt
from runner.run.session import Session, transaction
from runner.run.transitions import append_event, completed
from runner.timeutil import compact, iso
from runner.vocab import CLOSED, COMPLETE_STATUSES, DEPTHS

_B36 = string.digits + string.ascii_lowercase
NEEDS_ARTIFACT_PATH = frozenset({"artifact_path", "client_component"})


def new_run_id(slug: str) -> str:
    import secrets

    return f"run_{compact()}_{slug}_{''.join(secrets.choice(_B36) for _ in range(6))}"


def start_run(s: Session, workflow: str, slug: str, artifact_path: str | None = None,
              depth: str = "standard", prompt: str | None = None) -> Run:
    check_name(slug, "slug")
    if depth not in DEPTHS:
        raise UsageError(f"invalid depth {depth!r}", "use quick, standard or deep")
    if artifact_path is not None:
        artifact_path = s.ws.rel(s.ws.flag_path(artifact_path, "--artifact-path"))
    loaded = contracts.load_workflow(s.ws, workflow)
    wf: Workflow = loaded.model
    defaults = approvals.operator_defaults(s.ws)
    gate_contracts = {g.gate: _contract(s, g) for g in wf.gates}
    if artifact_path is None:
        _refuse_without_artifact_path(wf, gate_contracts)
    gate_states = [_gate_state(s, g, gate_contracts[g.gate], defaults) for g in wf.gates]
    s.ws.runs_dir.mkdir(parents=True, exist_ok=True)
    while True:  # the directory is the reservation: unique under concurrency
        run_id = new_run_id(slug)
        try:
            folder = records.run_dir(s.ws, run_id)
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
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
        # what RUN.json fixes at the start, in the chain too, so `runner verify` can derive it
        append_event(run, "run_started", s.actor, workflow=wf.workflow, depth=depth,
                     ref=msgspec.to_builtins(run.workflow), gates=_fixed_at_start(gate_states))
        tx.subject, tx.trailers = f"start ({wf.workflow})", {"Status": "QUEUED", "Op": "run-start"}
        tx.save_run(run)
    return run


def _fixed_at_start(gates: list[GateState]) -> dict:
    return {g.gate: {"blocking": g.blocking, "kind": g.kind, "approval": msgspec.to_builtins(g.approval), "name": g.name}
            for g in gates}


def _contract(s: Session, gate: WorkflowGate) -> Contract | None:
    return contracts.load_gate_contract(s.ws, gate).model if steps.has_contract(s.ws, gate) else None


def _refuse_without_artifact_path(wf: Workflow, gate_contracts: dict[str, Contract | None]) -> None:
    """A workflow whose contracts, params or commands use {artifact_path} (or
    {client_component}) needs one: refused here, before the run exists, so nothing is
    written or committed."""
    users = [g.gate for g in wf.gates if _uses_artifact_path(gate_contracts[g.gate], g.params, g.command)]
    if users:
        raise UsageError(f"no --artifact-path, but workflow {wf.workflow} uses {{artifact_path}} in "
                         f"{', '.join(users)}", "start the run with --artifact-path FOLDER")


def _uses_artifact_path(*declared) -> bool:
    text = msgspec.json.encode(declared).decode()
    return any(m.group(1) in NEEDS_ARTIFACT_PATH for m in VARIABLE.finditer(text))


def _gate_state(s: Session, gate: WorkflowGate, contract: Contract | None, defaults: dict) -> GateState:
    kind = steps.kind_of(gate)
    name, blocking = gate.name, not kind.on_demand
    if contract is not None:
        name, blocking = gate.name or contract.name, contract.blocking and not kind.on_demand
    if gate.blocking is not None:
        blocking = gate.blocking
    approval = approvals.resolve(s.ws, gate, kind.requires_approval, defaults)
    return GateState(gate=gate.gate, name=name, kind=gate.kind, blocking=blocking, approval=approval)


def workflow_of(s: Session, run: Run) -> Workflow:
    return contracts.load_workflow(s.ws, run.workflow.path or run.workflow.name).model


def complete_run(s: Session, run_id: str, status: str | None = None, reason: str | None = None) -> Run:
    if status is not None and status not in COMPLETE_STATUSES:
        raise UsageError(f"invalid --status {status!r}", "use PASSED, FAILED or CANCELED")
    with transaction(s, run_id, "run complete") as tx:
        run = tx.load_run()
        if run.status in CLOSED or completed(run):
            raise StateError(f"run {run_id} is already completed ({run.status})")
        gates = run.gates
        running = [g.gate for g in gates if g.current is not None or g.status == "AWAITING_APPROVAL"]
        not_passed = [g.gate for g in gates if g.blocking and g.status != "PASS"]
        status = status or ("PASSED" if not not_passed else "FAILED")
        if status == "PASSED" and (not_passed or running):
            raise StateError(f"run {run_id} cannot pass: {', '.join(not_passed or running)} not passed",
                             "pass those gates, or complete with --status FAILED or CANCELED")
        _close_open_attempts(tx, run, f"run completed {status}")
        run.status, run.finished_at = status, iso()
        append_event(run, "run_completed", s.actor, status=status, reason=reason)
        tx.subject, tx.trailers = f"complete {status}", {"Status": status, "Op": "run-complete"}
        tx.save_run(run)
    return run


def cancel_run(s: Session, run_id: str, reason: str | None = None) -> Run:
    with transaction(s, run_id, "run cancel") as tx:
        run = tx.load_run()
        if run.status in CLOSED:
            raise StateError(f"run {run_id} is already {run.status}; nothing to cancel")
        _close_open_attempts(tx, run, f"run canceled: {reason or 'no reason given'}")
        for state in run.gates:
            state.waiting = None
        run.status, run.finished_at = "CANCELED", iso()
        append_event(run, "run_canceled", s.actor, reason=reason)
        tx.subject, tx.trailers = "canceled", {"Status": "CANCELED", "Op": "run-cancel"}
        tx.save_run(run)
    return run


def _close_open_attempts(tx, run: Run, reason: str) -> None:
    """An open attempt never stays RUNNING forever: it ends FAIL with the reason."""
    subject, trailers = tx.subject, tx.trailers
    for state in run.gates:
        if state.current is not None:
            attempt = new_attempt(tx.session, run, state.gate, state.current, "FAIL", reason)
            blocking, state.blocking = state.blocking, False  # the run's status is set by the caller
            close(tx, run, state, attempt)
            state.blocking = blocking
    tx.subject, tx.trailers = subject, trailers
