"""`runner verify`, the records in the work tree: each validates against its schema and
agrees with its path; the events of every RUN.json form a hash chain, and its attempts,
decisions and final status each have their event."""

from __future__ import annotations

from typing import Any

import msgspec

from runner import schemas
from runner.hashing import sha256_bytes
from runner.jsonio import canonical_bytes
from runner.models.decision import Decision
from runner.models.run import Attempt, Run
from runner.verify import derived
from runner.verify.sources import Source, Where

MODELS = {"run": Run, "attempt": Attempt, "decision": Decision}


class Records:
    def __init__(self, audit: Source):
        self.audit = audit

    def check(self) -> list[tuple[str, Attempt]]:
        """Schema and identity of every record; the hash chain of every RUN.json.
        Returns the attempts that validated, for the artifact and contract checks."""
        attempts, runs = [], []
        for path, oid in self.audit.work.items():
            where = self.audit.where(path)
            if where.kind == "unknown":
                self.audit.add("unknown-file", path, "not a record (RUN.json, attempt-<n>.json or decision-<n>.json)")
                continue
            doc = self.audit.blobs[oid].doc
            if doc is None:
                self.audit.add("unreadable", path, "not UTF-8 JSON")
                continue
            problems = schemas.problems(MODELS[where.kind], doc)
            for loc, message in problems:
                self.audit.add("schema", path, message, loc.removeprefix("$").removeprefix(".") or None)
            if problems:
                continue
            model = msgspec.convert(doc, MODELS[where.kind])
            self._check_identity(path, where, model)
            if where.kind == "run":
                self._check_events(path, model, doc)
                runs.append((path, model))
            elif where.kind == "attempt":
                attempts.append((path, model))
        by_run: dict[str, dict[tuple[str, int], Attempt]] = {}
        for _, attempt in attempts:
            by_run.setdefault(attempt.run_id, {})[(attempt.gate, attempt.attempt)] = attempt
        for path, run in runs:
            derived.check(self.audit, path, run, by_run.get(run.run_id, {}))
        return attempts

    def _check_identity(self, path: str, where: Where, model: Any) -> None:
        expected = {"run_id": where.run_id}
        if where.kind != "run":
            expected.update({"gate": where.gate, where.kind: where.number})
        for name, want in expected.items():
            if getattr(model, name) != want:
                self.audit.add("identity", path, f"is {getattr(model, name)!r} but the path says {want!r}", name)

    def _check_events(self, path: str, run: Run, doc: dict) -> None:
        events = doc["events"]
        for i, event in enumerate(events):
            if event["seq"] != i + 1:
                self.audit.add("chain", path, f"seq is {event['seq']}, expected {i + 1}", f"events[{i}].seq")
            prev = sha256_bytes(canonical_bytes(events[i - 1])) if i else None
            if event["prev"] != prev:
                what = "the first event has a prev" if not i else "does not match the previous event"
                self.audit.add("chain", path, f"{what}: an event before it was edited, deleted or reordered",
                         f"events[{i}].prev")
        self._check_anchors(path, run)

    def _check_anchors(self, path: str, run: Run) -> None:
        """What the chain alone cannot show (the last events dropped): every attempt,
        decision and final status has its event."""
        seen = {(e.type, e.gate, e.attempt if e.type == "gate_finished" else _scalar(e.data.get("decision")))
                for e in run.events}
        types = {(e.type, _scalar(e.data.get("status"))) for e in run.events}
        if not run.events or run.events[0].type != "run_started":
            self.audit.add("event-missing", path, "the first event is not run_started", "events[0]")
        for gi, gate in enumerate(run.gates):
            for ai, ref in enumerate(gate.attempts):
                if ("gate_finished", gate.gate, ref.attempt) not in seen:
                    self.audit.add("event-missing", path, f"attempt {ref.attempt} of {gate.gate} has no gate_finished event",
                             f"gates[{gi}].attempts[{ai}]")
            for di, ref in enumerate(gate.decisions):
                if not {("decision", gate.gate, ref.decision), ("timer_fired", gate.gate, ref.decision)} & seen:
                    self.audit.add("event-missing", path, f"decision {ref.decision} of {gate.gate} has no event",
                             f"gates[{gi}].decisions[{di}]")
        if run.status == "PASSED" and ("run_completed", "PASSED") not in types:
            self.audit.add("event-missing", path, "status is PASSED without a run_completed event", "status")
        if run.status == "CANCELED" and not any(t == "run_canceled" for t, _ in types):
            self.audit.add("event-missing", path, "status is CANCELED without a run_canceled event", "status")

def _scalar(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
