"""Decisions on gate attempts (approve / reject, with an optional patch), the timers
that decide when nobody does, and the inbox of gates waiting for a person."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from runner import __version__, records
from runner.errors import StateError, UsageError
from runner.hashing import sha256_file
from runner.models.decision import Decision, PatchedFile
from runner.models.run import Actor, DecisionRef, GateState, Run
from runner.run import listing, transitions
from runner.run.session import Session, Transaction, is_reserved, parse_actor, transaction
from runner.run.transitions import TIMER, append_event, gate_of
from runner.timeutil import iso, now, parse
from runner.vocab import CLOSED, PAST

DECISION_FILE = re.compile(r"^decision-(\d+)\.json$")


def record_decision(tx: Transaction, run: Run, state: GateState, verdict: str, by: Actor, *,
                    note: str | None = None, automatic: bool = False, timed_out: bool = False,
                    deadline: str | None = None, patch=None, patched: list[PatchedFile] | None = None) -> Decision:
    ws, by_name = tx.session.ws, by.name
    attempt = state.attempts[-1].attempt
    directory = records.gate_dir(ws, run.run_id, state.gate)
    on_disk = [int(m.group(1)) for p in directory.glob("decision-*.json") if (m := DECISION_FILE.match(p.name))]
    recorded = [d.decision for d in state.decisions]
    unlisted = sorted(set(on_disk) - set(recorded))
    if unlisted:  # a decision written by a command killed before RUN.json listed it
        raise StateError(f"gate {state.gate}: decision-{unlisted[0]}.json was written by an interrupted command "
                         f"but RUN.json does not list it", "run `runner doctor --fix` to record it first")
    number = max(on_disk + recorded + [0]) + 1
    decision = Decision(run_id=run.run_id, gate=state.gate, decision=number, attempt=attempt, verdict=verdict,
                        by=by, at=iso(), note=note, automatic=automatic, timed_out=timed_out, deadline=deadline,
                        patch=patch, patched_files=patched or [], runner_version=__version__)
    path = directory / f"decision-{number}.json"
    tx.save_new(path, decision)
    transitions.decided(run, state, decision, DecisionRef(
        decision=number, attempt=attempt, verdict=verdict, by=by_name, file=ws.rel(path), sha256=sha256_file(path),
        patch_pending=bool(patched)))
    done = PAST[verdict].upper()
    tx.subject = f"gate {state.gate} attempt {attempt} {done} by {by_name}"
    tx.trailers = {"Gate": state.gate, "Attempt": attempt, "Decision": number,
                   "Status": done, "Op": "decision"}
    return decision


class AnotherAttempt(StateError):
    """The decision names an attempt, and another one waits now."""


def decide(s: Session, run_id: str, gate_id: str, verdict: str, *, by: str | None = None,
           note: str | None = None, patch: Any = None, patch_file: Path | None = None,
           target: str | None = None, attempt: int | None = None) -> Decision:
    """A person approves or rejects the attempt that waits for a decision, optionally
    with a patch to its outputs (`patch`: the data, or `patch_file`: a file read from
    anywhere, like --prompt-file). The patch is planned now onto the bytes the person saw;
    an approval applies it at once (under the same lock), a rejection when the run
    resumes. Either way the decision's `patch_pending` stays set until the patched
    outputs are validated as a new attempt (`runner.run.patching`). `attempt`: the one
    the person looked at; refused when another one waits now."""
    if verdict not in ("approve", "reject"):
        raise UsageError(f"invalid decision {verdict!r}", "approve or reject")
    if patch is not None and patch_file is not None:
        raise UsageError("give the patch as data or as a file, not both", "drop one of them")
    actor = parse_actor(by) if by else s.actor
    if is_reserved(actor.name):
        raise UsageError(f"--by {actor.name!r} is reserved for automatic decisions", "give a person's name")
    if patch_file is not None:
        from runner import patches

        patch = patches.load_patch(Path(patch_file))
    with transaction(s, run_id, f"decide {gate_id}") as tx:
        run = tx.load_run()
        state = gate_of(run, gate_id)
        _decidable(run, state)
        waiting = state.attempts[-1].attempt
        if attempt is not None and attempt != waiting:
            raise AnotherAttempt(f"gate {gate_id} attempt {attempt} is not the one waiting: attempt {waiting} is "
                             "(a patch or a re-run made it since)", f"look at attempt {waiting}, then decide it")
        if verdict == "approve":
            _still_checked(s, run, state)
        stored, planned = plan_patch(s, run, state, patch, target) if patch is not None else (None, [])
        patched = [PatchedFile(path=p.path, sha256_before=p.sha256_before, sha256_after=p.sha256_after)
                   for p in planned]
        decision = record_decision(tx, run, state, verdict, actor, note=note, patch=stored, patched=patched)
        tx.save_run(run)  # lists the decision (patch pending) before any output changes
        if planned and verdict == "approve":
            from runner import patches

            patches.apply(s.ws.root, planned)
        return decision


def plan_patch(s: Session, run: Run, state: GateState, patch: Any, target: str | None) -> tuple[Any, list]:
    """A patch planned onto the outputs of the gate's last attempt, in the form records
    store it (`patches.stored_form`), so that applying it later writes the bytes planned
    now: (the stored patch, with its target resolved; the planned files)."""
    from runner import patches

    raw = patches.stored_form(patch)
    planned = patches.plan(s.ws.root, raw, outputs_of(s, run, state), target)
    return patches.describe(raw, planned[0].path), planned


def _decidable(run: Run, state: GateState) -> None:
    if run.status in CLOSED:
        raise StateError(f"run {run.run_id} is {run.status}; its gates can no longer be decided",
                         "start a new run")
    if state.status == "AWAITING_APPROVAL":
        return
    if state.decisions and state.attempts and state.decisions[-1].attempt == state.attempts[-1].attempt:
        last = state.decisions[-1]
        raise StateError(f"gate {state.gate} attempt {last.attempt} was already decided: {last.verdict} by {last.by}",
                         "a decision is final; a new attempt can be decided again")
    raise StateError(f"gate {state.gate} has no attempt waiting for a decision (status {state.status})",
                     "decisions apply to an attempt whose checks passed and that needs approval")


def _still_checked(s: Session, run: Run, state: GateState) -> None:
    """An approval is of the bytes the attempt's checks passed: refused when an output
    changed since (a re-cast written over the product, a hand edit), or the approval
    would vouch for bytes nobody checked."""
    from runner.hashing import sha256_dir

    number = state.attempts[-1].attempt
    attempt = records.load_attempt(s.ws, run.run_id, state.gate, number)
    for artifact in attempt.artifacts:
        if not artifact.exists:
            continue
        path = s.ws.root / artifact.path
        if artifact.kind == "dir":
            now = sha256_dir(path)[0] if path.is_dir() else None
        else:
            now = sha256_file(path) if path.is_file() else None
        if now != artifact.sha256:
            what = "is gone" if now is None else f"has sha256 {now[:12]}…, not the {artifact.sha256[:12]}… checked"
            raise StateError(f"gate {state.gate} attempt {number}: {artifact.path} {what}; an approval is of the "
                             "bytes that were checked",
                             f"reject it (`runner gate reject --run {run.run_id} --gate {state.gate} --note ...`) "
                             "and resume the run to check the outputs as they are now")


def outputs_of(s: Session, run: Run, state: GateState) -> list[str]:
    """The files the gate's last attempt hashed (what a patch may change)."""
    if not state.attempts:
        raise StateError(f"gate {state.gate} has no attempt yet: it has no outputs to patch",
                         "a patch changes the outputs an attempt recorded")
    attempt = records.load_attempt(s.ws, run.run_id, state.gate, state.attempts[-1].attempt)
    return [a.path for a in attempt.artifacts if a.exists and a.kind != "dir"]


def pending_patch(s: Session, run: Run, state: GateState):
    """The decision whose patch must be applied (or, after an approval, was applied) and
    whose result must be validated as a new attempt before the run goes on."""
    if has_pending_patch(state):
        return records.load_model(s.ws.path(state.decisions[-1].file), Decision, "decision record")
    return None


def has_pending_patch(state: GateState) -> bool:
    return bool(state.decisions and state.decisions[-1].patch_pending and state.current is None
                and state.status in ("FAIL", "PASS"))


def apply_patch(s: Session, run: Run, state: GateState, decision: Decision) -> None:
    """Apply a decision's patch, only onto the bytes the decision saw (a file that
    already holds the patched bytes, from an apply interrupted before it was recorded, is
    left as it is)."""
    from runner import patches

    patches.apply(s.ws.root, patches.replan(s.ws.root, decision.patch, decision.patched_files))


class Fired(msgspec.Struct):
    run_id: str
    gate: str
    action: str


def _expired(state: GateState) -> bool:
    w = state.waiting
    return bool(w and w.deadline and not w.escalated and parse(w.deadline) <= now())


def tick_run(s: Session, run_id: str) -> list[Fired]:
    """Apply the expired deadlines of one run."""
    if not any(_expired(g) for g in records.load_run(s.ws, run_id).gates):
        return []
    fired = []
    with transaction(s, run_id, "tick") as tx:
        run = tx.load_run()  # again, under the lock
        for state in run.gates:
            if not _expired(state) or run.status in CLOSED:
                continue
            w = state.waiting
            if w.on_timeout == "escalate":
                w.escalated = True
                append_event(run, "timer_fired", TIMER, gate=state.gate, attempt=w.attempt, action="escalate",
                             deadline=w.deadline)
                tx.subject = f"gate {state.gate} attempt {w.attempt} ESCALATED by timer"
                tx.trailers = {"Gate": state.gate, "Attempt": w.attempt, "Status": "ESCALATED", "Op": "timer"}
            else:
                record_decision(tx, run, state, w.on_timeout, TIMER, note=f"deadline {w.deadline} passed",
                                automatic=True, timed_out=True, deadline=w.deadline)
            fired.append(Fired(run_id, state.gate, w.on_timeout))
        if fired:
            tx.save_run(run)
    return fired


class Waiting(msgspec.Struct):
    run_id: str
    gate: str
    attempt: int
    waiting_for: str
    since: str
    age_s: float
    deadline: str | None
    time_left_s: float | None
    on_timeout: str | None
    escalated: bool
    packet: str | None

    def to_dict(self) -> dict:
        return msgspec.structs.asdict(self)


def inbox(ws) -> list[Waiting]:
    """Every gate waiting for a person, across all runs, oldest first."""
    items = []
    moment = now()
    for run_id, gates in listing.waiting_gates(ws):
        for gate, attempt, waiting_for, since, deadline, on_timeout, escalated, packet in gates:
            left = (parse(deadline) - moment).total_seconds() if deadline and not escalated else None
            items.append(Waiting(run_id, gate, attempt, waiting_for, since,
                                 round((moment - parse(since)).total_seconds(), 1), deadline,
                                 None if left is None else round(left, 1), on_timeout, escalated, packet))
    items.sort(key=lambda i: i.since)
    return items


def overdue(run: Run) -> list[str]:
    """Gates of `run` whose deadline has passed but whose timer has not been applied."""
    return [g.gate for g in run.gates if _expired(g)]
