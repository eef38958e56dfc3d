"""Patches on a run's gates, each ending in an attempt that hashes and checks the patched
outputs: a decision's patch (an approval applies it at once, a rejection when the run
resumes) and a patch applied directly, without a decision (`runner patch apply`, the
seed's `patches/{stage}/apply`).

    patching.decide(s, run_id, "G2", "approve", patch=fix)   # decision, patch, attempt
    patching.apply_direct(s, run_id, "G2", fix, note="typo")  # an attempt of its own"""

from __future__ import annotations

from typing import Any

import msgspec

from runner import records
from runner.errors import StateError
from runner.models.decision import Decision, PatchedFile
from runner.models.patch import AppliedPatch
from runner.models.run import Attempt, GateState, Run
from runner.patches.base import PatchError
from runner.run import attempts, decisions
from runner.run.drivelock import driving
from runner.run.session import Session, transaction
from runner.run.transitions import append_event, gate_of, open_attempt
from runner.vocab import CLOSED

PATCH_AGENT = "patch"  # the agent of an attempt whose outputs a patch produced


def decide(s: Session, run_id: str, gate_id: str, verdict: str, **options: Any) -> Decision:
    """`decisions.decide`; an approval with a patch then validates the patched outputs as
    a new attempt of the gate (`patch_of`: the decision), so the run goes on with them."""
    if verdict != "approve" or (options.get("patch") is None and options.get("patch_file") is None):
        return decisions.decide(s, run_id, gate_id, verdict, **options)  # a rejection's patch waits for resume
    with driving(s, run_id):
        decision = decisions.decide(s, run_id, gate_id, verdict, **options)
        follow_up(s, run_id, gate_id, decision)
    return decision


def follow_up(s: Session, run_id: str, gate_id: str, decision: Decision) -> Attempt | None:
    """Apply a decision's pending patch and validate the result as a new attempt. A patch
    whose files changed since the decision is recorded as not applied: after a rejection
    the gate is retried as after any rejection (None); after an approval the files as
    they are now are validated as a new attempt that waits for a person again."""
    applied = _record_application(s, run_id, gate_id, decision)
    if not applied and decision.verdict == "reject":
        return None
    attempts.gate_start(s, run_id, gate_id, patch_of=decision.decision if applied else None)
    return attempts.gate_finish(s, run_id, gate_id)


def _record_application(s: Session, run_id: str, gate_id: str, decision: Decision) -> bool:
    """Apply a decision's patch (a file already patched is left as it is); whether it
    applied. Either way the decision's patch is no longer pending."""
    with transaction(s, run_id, f"patch {gate_id}") as tx:
        run = tx.load_run()
        state = run.gate(gate_id)
        try:
            decisions.apply_patch(s, run, state, decision)
            applied, reason = True, None
        except PatchError as exc:
            applied, reason = False, exc.message
        state.decisions[-1].patch_pending = False
        number = decision.decision
        if applied:
            append_event(run, "patch_applied", s.actor, gate=gate_id, attempt=decision.attempt, decision=number,
                         files=msgspec.to_builtins(decision.patched_files))
            tx.subject = f"gate {gate_id} patch of decision {number} applied"
        else:
            append_event(run, "patch_not_applied", s.actor, gate=gate_id, attempt=decision.attempt, decision=number,
                         reason=reason)
            tx.subject = f"gate {gate_id} patch of decision {number} not applied: {reason}"
        tx.trailers = {"Gate": gate_id, "Attempt": decision.attempt, "Status": "PATCHED" if applied else "UNPATCHED",
                       "Op": "patch"}
        tx.save_run(run)
    return applied


def apply_direct(s: Session, run_id: str, gate_id: str, patch: Any, target: str | None = None,
                 note: str | None = None) -> Attempt:
    """Apply a patch to the outputs of a gate's last attempt, without a decision, as a new
    attempt of the gate: its invocation records who applied which patch (the patch, its
    SHA-256, each file's hashes before and after); its outputs are hashed and checked
    against the gate's contract like any attempt's, and a gate that needs approval waits
    for a person again. A patch that does not fit records nothing."""
    with driving(s, run_id):
        run = records.load_run(s.ws, run_id)
        state = _patchable(run, gate_id)
        stored, planned = decisions.plan_patch(s, run, state, patch, target)  # refused here: nothing recorded
        attempts.gate_start(s, run_id, gate_id, PATCH_AGENT, supersede="a patch was applied to its outputs")
        try:
            _apply_in_attempt(s, run_id, gate_id, stored, planned, note)
        except PatchError as exc:  # its files changed in the meantime: the attempt says so
            attempts.gate_fail(s, run_id, gate_id, f"the patch could not be applied: {exc.message}")
            raise
        return attempts.gate_finish(s, run_id, gate_id)


def _patchable(run: Run, gate_id: str) -> GateState:
    state = gate_of(run, gate_id)
    if run.status in CLOSED:
        raise StateError(f"run {run.run_id} is {run.status}; its outputs can no longer be patched", "start a new run")
    if state.current is not None:
        raise StateError(f"gate {gate_id} attempt {state.current.attempt} is still running",
                         "patch its outputs once it has finished")
    return state


def _apply_in_attempt(s: Session, run_id: str, gate_id: str, stored: Any, planned: list, note: str | None) -> None:
    """Write the planned bytes (only onto the bytes planned from) and record the patch as
    the open attempt's invocation, in one commit."""
    from runner import patches

    with transaction(s, run_id, f"patch {gate_id}") as tx:
        run = tx.load_run()
        _, current = open_attempt(run, gate_id)
        files = [PatchedFile(path=p.path, sha256_before=p.sha256_before, sha256_after=p.sha256_after) for p in planned]
        applied = AppliedPatch(patch=stored, sha256=patches.fingerprint(stored), files=files, note=note)
        patches.apply(s.ws.root, planned)
        inv = attempts.invoked(s, run, gate_id, current.attempt, PATCH_AGENT, "SUCCESS", patch=applied)
        append_event(run, "patch_applied", s.actor, gate=gate_id, attempt=current.attempt, invocation=inv.id,
                     files=msgspec.to_builtins(files))
        tx.subject = f"gate {gate_id} attempt {current.attempt} patched by {s.actor.name}"
        tx.trailers = {"Gate": gate_id, "Attempt": current.attempt, "Status": "PATCHED", "Op": "patch"}
        tx.save_run(run)
