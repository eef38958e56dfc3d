"""`runner import esy RUNS_DIR`: the run records of the original Esy runner become runner
records, one commit per run (a transaction, with trailers), so that `run list`, `run
show` and `verify` read them.

Each original attempt becomes an attempt file with its original times, statuses,
verdicts and output hashes; the events are rebuilt from the attempts (gate_started,
gate_finished, at their original times) through the same transitions as a live run,
so the summary verify derives is the one written. The hashes the original recorded are
kept as they are and checked against the files present (unchanged, changed, missing:
said in the result, in the attempt's warnings, and later by `runner verify`). What
cannot be carried is named per field, in the result and in the run's `imported` event,
with the SHA-256 of every original file read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Literal

import msgspec

from runner import __version__, records
from runner.errors import NotFoundError, RecordError, RunnerError
from runner.hashing import sha256_file
from runner.models.run import (
    Artifact,
    Attempt,
    AttemptRef,
    GateState,
    Invocation,
    OpenAttempt,
    Run,
    ValidationResult,
    WorkflowRef,
)
from runner.paths import check_name
from runner.run import esy_records
from runner.run.esy_records import Notes, Original, Paths, text
from runner.run.session import Session, Transaction, transaction
from runner.run.transitions import append_event, attempt_ended
from runner.timeutil import iso
from runner.vocab import DEPTHS

Outcome = Literal["imported", "skipped", "refused"]


class ImportedRun(msgspec.Struct):
    run_id: str
    outcome: Outcome
    message: str
    attempts: int = 0
    outputs: dict[str, int] = msgspec.field(default_factory=dict)  # unchanged / changed / missing -> count
    not_carried: dict[str, str] = msgspec.field(default_factory=dict)  # field -> why

    def to_dict(self) -> dict:
        return msgspec.to_builtins(self)


def import_esy(s: Session, source: Path) -> list[ImportedRun]:
    folder = source if source.is_absolute() else s.ws.root / source
    if not folder.is_dir():
        raise NotFoundError(f"no folder {source}", "give the Esy runs folder, e.g. orchestration/runs")
    runs = sorted(p for p in folder.iterdir() if (p / "record" / "RUN.json").is_file())
    if not runs:
        raise NotFoundError(f"no Esy run records in {source} (<run-id>/record/RUN.json)",
                            "give the folder that holds the Esy runner's run folders")
    return [_import_one(s, run) for run in runs]


def _import_one(s: Session, folder: Path) -> ImportedRun:
    name = folder.name
    try:
        check_name(name, "run id")
        original = esy_records.read_original(folder)
        esy_records.check_paths(original)
        if original.run["run_id"] != name:
            raise RecordError(f"{folder.name}: its RUN.json says run_id {original.run['run_id']!r}",
                              "the folder name is the run id")
    except esy_records.RunnerRecord:
        return ImportedRun(name, "skipped", "already a runner record (imported before)")
    except RunnerError as exc:
        return ImportedRun(name, "refused", str(exc))
    target = records.record_dir(s.ws, name)
    in_place = target.resolve() == (folder / "record").resolve()
    if not in_place and target.exists():
        return ImportedRun(name, "skipped", f"{s.ws.rel(target)} already exists (imported before)")
    return _write(s, original, in_place)


def _write(s: Session, original: Original, in_place: bool) -> ImportedRun:
    run_id, notes = original.run["run_id"], original.notes
    if in_place:  # the original bytes stay beside the run, in its git-ignored logs
        keep = records.logs_dir(s.ws, run_id) / "esy-original"
        shutil.copytree(original.folder / "record", keep, dirs_exist_ok=True)
        for key in original.attempts:
            records.attempt_file(s.ws, run_id, *key).unlink(missing_ok=True)
    records.run_dir(s.ws, run_id).mkdir(parents=True, exist_ok=True)
    with transaction(s, run_id, "import esy") as tx:
        builder = _Builder(tx, original)
        run = builder.build()
        append_event(run, "imported", s.actor, source="esy", files=original.sha256, not_carried=notes.fields,
                     outputs=builder.outputs)
        tx.subject = f"import esy ({len(original.attempts)} attempts, {run.status})"
        tx.trailers = {"Status": run.status, "Op": "import-esy"}
        tx.save_run(run)
    return ImportedRun(run_id, "imported", f"{len(original.attempts)} attempts, status {run.status}",
                       len(original.attempts), builder.outputs, notes.fields)


class _Builder:
    """The runner record of one original run, built by replaying its attempts in time order."""

    def __init__(self, tx: Transaction, original: Original):
        self.tx, self.original, self.actor = tx, original, tx.session.actor
        self.notes: Notes = original.notes
        data = original.run
        wf = data["workflow"]
        self.paths = Paths(wf["slug"], text(wf.get("artifact_path")))
        self.outputs: dict[str, int] = {}
        depth = data.get("depth") or "standard"
        if depth not in DEPTHS:
            self.notes.add("depth", f"{depth!r} is not a depth runner knows; standard is recorded")
            depth = "standard"
        ref = WorkflowRef(name=str(wf.get("name") or "visual-essay"), version=text(wf.get("version")),
                          slug=wf["slug"], artifact_path=text(wf.get("artifact_path")))
        self.run = Run(run_id=data["run_id"], workflow=ref, depth=depth, prompt=text(data.get("prompt")),
                       status="QUEUED", started_at=data["started_at"], created_by=self.actor,
                       runner_version=__version__, gates=self._gates())
        self.notes.add("created_by", "the original recorded no person; the one who imported is recorded")
        for field, why in esy_records.RUN_NOT_CARRIED.items():
            if data.get(field):
                self.notes.add(field, why)
        self.invocations = [i for i in data.get("invocations") or [] if isinstance(i, dict)]
        for name in sorted({k for i in self.invocations for k in i} - esy_records.INVOCATION_FIELDS):
            self.notes.add(f"invocations[].{name}", "a field runner does not know; not carried")

    def _gates(self) -> list[GateState]:
        listed = [str(g.get("gate")) for g in self.original.run.get("gates") or [] if isinstance(g, dict)]
        names = {str(g.get("gate")): g.get("name") for g in self.original.run.get("gates") or []
                 if isinstance(g, dict)}
        extra = sorted({gate for gate, _ in self.original.attempts} - set(listed))
        return [GateState(gate=g, name=text(names.get(g))) for g in listed + extra]  # ids checked on reading

    def build(self) -> Run:
        run = self.run
        append_event(run, "run_started", self.actor, workflow=run.workflow.name, depth=run.depth,
                     ref=msgspec.to_builtins(run.workflow), gates={g.gate: {"blocking": g.blocking, "kind": g.kind,
                     "approval": None} for g in run.gates})
        self._at(run.started_at)
        for when, phase, key in self._timeline():
            (self._finish, self._start, self._invoke)[phase](key, when)
        self._settle(self.original.run.get("status"), self.original.run.get("finished_at"))
        return run

    def _timeline(self) -> list[tuple[str, int, tuple[str, int]]]:
        """(time, 0 finish / 1 start / 2 invocation, (gate, n or invocation index)), in
        order. An attempt ends at the latest when the next attempt of its gate starts (the
        original let a gate start again while an attempt was open); one it never finished
        otherwise stays open."""
        points, attempts = [], self.original.attempts
        for i, inv in enumerate(self.invocations):
            points.append((esy_records.when(inv) or self.run.started_at, 2, (str(inv.get("gate") or ""), i)))
        for (gate, n), data in attempts.items():
            start = str(data.get("started_at") or self.run.started_at)
            points.append((start, 1, (gate, n)))
            later = sorted(str(d.get("started_at") or "") for (g, m), d in attempts.items() if g == gate and m > n)
            end = data.get("finished_at") or (later[0] if later else None)
            if end:
                points.append((max(min([str(end), *later[:1]]), start), 0, (gate, n)))
        points.sort(key=lambda p: (p[0], p[1], p[2][1], p[2][0]))
        ordered, started, early = [], set(), {}
        for point in points:  # an end sorted before its own start (same time) comes right after it
            key = point[2]
            if point[1] == 0 and key not in started:
                early[key] = point
                continue
            ordered.append(point)
            if point[1] == 1:
                started.add(key)
                if key in early:
                    ordered.append(early.pop(key))
        return ordered

    def _at(self, when: Any) -> None:
        """The event just appended happened at the original time `when`."""
        if isinstance(when, str) and when:
            self.run.events[-1].at = when

    def _start(self, key: tuple[str, int], when: str) -> None:
        gate, number = key
        state, agent = self.run.gate(gate), text(self.original.attempts[key].get("agent"))
        state.current = OpenAttempt(attempt=number, started_at=when, started_by=self.actor, agent=agent)
        state.status = "RUNNING"
        if self.run.status == "QUEUED":
            self.run.status = "RUNNING"
        append_event(self.run, "gate_started", self.actor, gate=gate, attempt=number, agent=agent)
        self._at(when)

    def _invoke(self, key: tuple[str, int], when: str) -> None:
        """An invocation the original recorded, at its time, with its event."""
        gate, index = key
        data, state = self.invocations[index], self.run.gate(gate)
        number = data.get("attempt") if isinstance(data.get("attempt"), int) else \
            (state.current.attempt if state is not None and state.current else None)
        inv = Invocation(id=str(data.get("id") or f"inv_imported_{index + 1}"), gate=gate, attempt=number,
                         agent=str(data.get("agent") or "unknown"), status=str(data.get("status") or "SUCCESS"),
                         model=text(data.get("model")), at=when, actor=self.actor)
        self.run.invocations.append(inv)
        append_event(self.run, "invocation_recorded", self.actor, gate=gate, attempt=number, invocation=inv.id,
                     status=inv.status)
        self._at(when)

    def _finish(self, key: tuple[str, int], when: str) -> None:
        gate, number = key
        state, attempt = self.run.gate(gate), self._attempt(key, when)
        path = records.attempt_file(self.tx.session.ws, self.run.run_id, gate, number)
        self.tx.save_new(path, attempt)
        ref = AttemptRef(attempt=number, status=attempt.status, file=self.tx.session.ws.rel(path),
                         sha256=sha256_file(path), finished_at=attempt.finished_at)
        attempt_ended(self.run, state, attempt, ref, self.actor)
        self._at(attempt.finished_at)

    def _attempt(self, key: tuple[str, int], when: str) -> Attempt:
        gate, number = key
        data, where = self.original.attempts[key], f"gates.{gate}.attempts[{number}]"
        warnings = [f"imported from the Esy runner: {name}: {why}"
                    for name, why in esy_records.ATTEMPT_NOT_CARRIED.items() if esy_records.mentions(data, name)]
        for name in sorted(set(data) - esy_records.ATTEMPT_FIELDS):
            self.notes.add(f"{where}.{name}", "a field runner does not know; not carried")
        for name in esy_records.ATTEMPT_NOT_CARRIED:
            if esy_records.mentions(data, name):
                self.notes.add(f"attempts[].{name}" if name != "resolved_path" else "attempts[].validations[]."
                               "resolved_path", esy_records.ATTEMPT_NOT_CARRIED[name])
        status = data.get("status")
        if status not in ("PASS", "FAIL"):
            self.notes.add(f"{where}.status", f"{status!r}: the original never finished it; ABANDONED is recorded")
            warnings.append(f"imported from the Esy runner: status {status!r}, never finished; ABANDONED")
            status = "ABANDONED"
        artifacts = [self._artifact(a, warnings) for a in data.get("artifacts") or [] if isinstance(a, dict)]
        started = str(data.get("started_at") or self.run.started_at)
        return Attempt(run_id=self.run.run_id, gate=gate, attempt=number, status=status, started_at=started,
                       finished_at=str(data.get("finished_at") or when), agent=text(data.get("agent")),
                       started_by=self.actor, finished_by=self.actor, runner_version=__version__,
                       depth=self.run.depth, invocation_ids=[str(i) for i in data.get("invocation_ids") or []],
                       required_outputs=[self.paths.resolve(str(p)) for p in data.get("required_outputs") or []],
                       artifacts=artifacts, validations=self._validations(data.get("validations") or []),
                       warnings=warnings, failure_reason=text(data.get("failure_reason")))

    def _artifact(self, data: dict[str, Any], warnings: list[str]) -> Artifact:
        path = self.paths.resolve(str(data.get("path") or ""), data.get("absolute_path"))
        exists, recorded = bool(data.get("exists")), data.get("sha256")
        if exists and recorded:
            full = self.tx.session.ws.root / path
            now = sha256_file(full) if full.is_file() else None
            seen = "unchanged" if now == recorded else "missing" if now is None else "changed"
            self.outputs[seen] = self.outputs.get(seen, 0) + 1
            if seen != "unchanged":
                warnings.append(f"{path}: {seen} since the Esy runner hashed it (sha256 {recorded[:12]}…)")
        return Artifact(path=path, exists=exists, sha256=recorded if exists else None,
                        kind="file" if exists else None)

    def _validations(self, items: list[Any]) -> list[ValidationResult]:
        results = []
        for index, item in enumerate(i for i in items if isinstance(i, dict)):
            severity = "warning" if item.get("severity") == "warning" else "error"
            status = esy_records.check_status(item, severity)
            target = item.get("path")
            details = {k: v for k, v in item.items() if k not in ("type", "pass", "severity", "description", "path",
                                                                   "resolved_path", "message")}
            results.append(ValidationResult(index=index, type=str(item.get("type") or "unknown"), status=status,
                                            severity=severity, description=text(item.get("description")),
                                            target=self.paths.resolve(target) if isinstance(target, str) else None,
                                            message=esy_records.check_message(item, status), details=details))
        return results

    def _settle(self, status: Any, finished_at: Any) -> None:
        """The run's final status as the original recorded it."""
        run = self.run
        if status in (None, "RUNNING", "QUEUED"):
            if status == "RUNNING" and run.status == "QUEUED":
                self.notes.add("status", "RUNNING, but no attempt ever started: QUEUED is recorded")
            return
        for state in run.gates:  # a completed run has no open attempt
            if state.current is not None:
                self._finish((state.gate, state.current.attempt), str(finished_at or iso()))
        blocked = [g.gate for g in run.gates if g.blocking and g.status != "PASS"]
        if status == "PASSED" and blocked:
            self.notes.add("status", f"PASSED, but {', '.join(blocked)} did not pass: FAILED is recorded")
            status = "FAILED"
        if status not in ("PASSED", "FAILED", "CANCELED"):
            self.notes.add("status", f"{status!r} is not a run status runner knows; the run stays RUNNING")
            return
        run.status, run.finished_at = status, str(finished_at or iso())
        if status == "CANCELED":
            append_event(run, "run_canceled", self.actor, reason="canceled in the Esy runner")
        else:
            append_event(run, "run_completed", self.actor, status=status, reason="completed in the Esy runner")
        self._at(finished_at)
