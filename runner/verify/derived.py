"""`runner verify`, RUN.json against what it summarises: the statuses, retry counts,
open attempts, artifact index and verdicts of a run are derived again from its event
chain and its append-only attempt files, and every field that disagrees is a finding.
A hand edit of the summary (a blocking failure turned into a pass, a run marked PASSED
that failed) shows here even when the edit came with a forged commit."""

from __future__ import annotations

from typing import Any

import msgspec

from runner.models.run import ArtifactIndexEntry, Attempt, Event, Run, ValidationSummary
from runner.verify.sources import Source

CODE = "summary"


class Derived(msgspec.Struct):
    """What the events and attempt files say a run's summary must be."""

    run_status: str = "QUEUED"
    gate_status: dict[str, str] = msgspec.field(default_factory=dict)
    retries: dict[str, int] = msgspec.field(default_factory=dict)
    open_attempt: dict[str, int | None] = msgspec.field(default_factory=dict)
    artifacts: dict[str, ArtifactIndexEntry] = msgspec.field(default_factory=dict)
    validations: list[ValidationSummary] = msgspec.field(default_factory=list)
    deciders: dict[tuple[str, int], str] = msgspec.field(default_factory=dict)
    patch_pending: dict[tuple[str, int], bool] = msgspec.field(default_factory=dict)
    unknown: set[tuple[str, int]] = msgspec.field(default_factory=set)  # finished attempts without a file


def derive(run: Run, attempts: dict[tuple[str, int], Attempt]) -> Derived:
    """Replay the events of `run` in order, as the state machine applied them."""
    d = Derived()
    for event in run.events:
        _apply(d, event, attempts)
    return d


def _apply(d: Derived, event: Event, attempts: dict[tuple[str, int], Attempt]) -> None:
    kind, gate, data = event.type, event.gate, event.data
    if kind == "gate_started":
        d.gate_status[gate], d.open_attempt[gate] = "RUNNING", event.attempt
        if d.run_status in ("QUEUED", "FAILED"):
            d.run_status = "RUNNING"
    elif kind == "gate_finished":
        d.gate_status[gate], d.open_attempt[gate] = data.get("status"), None
        _fold_attempt(d, gate, event.attempt, attempts)
    elif kind == "paused" and data.get("waiting_for") == "decision":
        d.gate_status[gate] = "AWAITING_APPROVAL"
    elif kind == "route":
        if data.get("retries") is not None:
            d.retries[gate] = data["retries"]
        target = data.get("target")
        if data.get("action") in ("retry", "fallback") and target and target != gate:
            d.gate_status[target] = "PENDING"
        elif data.get("action") == "escalate":
            d.gate_status[gate] = "AWAITING_APPROVAL"
    elif kind in ("decision", "timer_fired") and data.get("verdict") in ("approve", "reject"):
        d.gate_status[gate] = "PASS" if data["verdict"] == "approve" else "FAIL"
        d.deciders[(gate, data.get("decision"))] = event.actor.name
        d.patch_pending[(gate, data.get("decision"))] = bool(data.get("patch"))
    elif kind in ("patch_applied", "patch_not_applied"):
        d.patch_pending[(gate, data.get("decision"))] = False
    elif kind == "run_failed":
        d.run_status = "FAILED"
    elif kind == "run_resumed":
        d.run_status = "RUNNING"
    elif kind == "run_completed":
        d.run_status = data.get("status") or d.run_status
    elif kind == "run_canceled":
        d.run_status = "CANCELED"
    elif kind == "posted":
        d.run_status = "POSTED"


def _fold_attempt(d: Derived, gate: str, number: int | None, attempts: dict[tuple[str, int], Attempt]) -> None:
    attempt = attempts.get((gate, number))
    if attempt is None:
        d.unknown.add((gate, number))
        return
    for artifact in attempt.artifacts:
        d.artifacts.pop(artifact.path, None)
        if artifact.exists:
            d.artifacts[artifact.path] = ArtifactIndexEntry(path=artifact.path, sha256=artifact.sha256,
                                                            size=artifact.size, gate=gate, attempt=number)
    d.validations.extend(ValidationSummary(gate=gate, attempt=number, index=v.index, type=v.type, status=v.status,
                                           target=v.target) for v in attempt.validations)


def check(audit: Source, path: str, run: Run, attempts: dict[tuple[str, int], Attempt]) -> None:
    """Report every summary field of `run` (at `path`) that its events and attempts contradict."""
    d = derive(run, attempts)

    def differ(field: str, recorded: Any, derived: Any, what: str) -> None:
        audit.add(CODE, path, f"{what} is {recorded!r} but its events say {derived!r}", field)

    if run.status != d.run_status:
        differ("status", run.status, d.run_status, "the run's status")
    for gi, state in enumerate(run.gates):
        gate = state.gate
        status = d.gate_status.get(gate, "PENDING")
        if state.status != status:
            differ(f"gates[{gi}].status", state.status, status, f"gate {gate}'s status")
        if state.retries != d.retries.get(gate, 0):
            differ(f"gates[{gi}].retries", state.retries, d.retries.get(gate, 0), f"gate {gate}'s retry count")
        for di, ref in enumerate(state.decisions):
            by = d.deciders.get((gate, ref.decision))
            if by is not None and by != ref.by:
                differ(f"gates[{gi}].decisions[{di}].by", ref.by, by, f"decision {ref.decision} of {gate}'s maker")
            pending = d.patch_pending.get((gate, ref.decision))
            if pending is not None and pending != ref.patch_pending:
                differ(f"gates[{gi}].decisions[{di}].patch_pending", ref.patch_pending, pending,
                       f"whether decision {ref.decision} of {gate} has a patch to apply")
        current = state.current.attempt if state.current else None
        if current != d.open_attempt.get(gate):
            differ(f"gates[{gi}].current", current, d.open_attempt.get(gate), f"gate {gate}'s open attempt")
    _check_fixed(audit, path, run)
    _check_invocations(audit, path, run)
    if d.run_status in ("PASSED", "POSTED"):
        for gi, state in enumerate(run.gates):
            if state.blocking and d.gate_status.get(state.gate, "PENDING") != "PASS":
                audit.add(CODE, path, f"the run is {d.run_status} but its blocking gate {state.gate} did not pass",
                          f"gates[{gi}]")
    if d.unknown:
        return  # a missing attempt file is reported by the history check; the fold is incomplete
    index = sorted(d.artifacts.values(), key=lambda e: e.path)
    if run.artifacts_index != index:
        audit.add(CODE, path, "the artifact index differs from the artifacts of its attempts"
                  f"{_first_difference(run.artifacts_index, index)}", "artifacts_index")
    if run.validations != d.validations:
        audit.add(CODE, path, "the verdict summary differs from the validations of its attempts"
                  f"{_first_difference(run.validations, d.validations)}", "validations")


def _check_fixed(audit: Source, path: str, run: Run) -> None:
    """What the run_started event fixed (runs started by this version on): the workflow
    reference and each gate's blocking, kind and approval."""
    started = run.events[0].data if run.events and run.events[0].type == "run_started" else {}
    if "depth" in started and started["depth"] != run.depth:
        audit.add(CODE, path, f"the depth is {run.depth!r} but the run started with {started['depth']!r}", "depth")
    if run.events and run.events[0].type == "run_started" and run.events[0].actor != run.created_by:
        audit.add(CODE, path, f"created_by is {run.created_by.name!r} but {run.events[0].actor.name!r} started the run",
                  "created_by")
    if "ref" in started and started["ref"] != msgspec.to_builtins(run.workflow):
        audit.add(CODE, path, "the workflow reference differs from the one the run started with "
                  f"({msgspec.json.encode(started['ref']).decode()})", "workflow")
    fixed = started.get("gates")
    if not isinstance(fixed, dict):
        return
    if sorted(fixed) != sorted(g.gate for g in run.gates):
        audit.add(CODE, path, f"the gates are {[g.gate for g in run.gates]} but the run started with {sorted(fixed)}",
                  "gates")
    for gi, state in enumerate(run.gates):
        at_start = fixed.get(state.gate)
        if not isinstance(at_start, dict):
            continue
        now = {"blocking": state.blocking, "kind": state.kind, "approval": msgspec.to_builtins(state.approval),
               "name": state.name}
        for name, value in now.items():
            if name in at_start and at_start[name] != value:
                audit.add(CODE, path, f"gate {state.gate}'s {name} is {value!r} but the run started with "
                          f"{at_start[name]!r}", f"gates[{gi}].{name}")


def _check_invocations(audit: Source, path: str, run: Run) -> None:
    """Every recorded invocation has its event, with the same gate and status, in order."""
    events = [(e.data.get("invocation"), e.gate, e.data.get("status")) for e in run.events
              if e.type == "invocation_recorded"]
    listed = [(inv.id, inv.gate, inv.status) for inv in run.invocations]
    if listed != events:
        extra = [i for i in listed if i not in events] or [i for i in events if i not in listed]
        audit.add(CODE, path, f"the invocations differ from their events (first: {extra[0] if extra else 'order'})",
                  "invocations")


def _first_difference(recorded: list, derived: list) -> str:
    for i, (a, b) in enumerate(zip(recorded, derived)):
        if a != b:
            return f" (entry {i}: {msgspec.json.encode(a).decode()} where the attempts give " \
                   f"{msgspec.json.encode(b).decode()})"
    return f" ({len(recorded)} entries where the attempts give {len(derived)})"
