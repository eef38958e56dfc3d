"""Everything a run's report shows, read from its records, its outputs and `runner
verify`: nothing is written, nothing is committed."""

from __future__ import annotations

from runner import __version__, records
from runner.errors import RunnerError
from runner.models.decision import Decision
from runner.models.qc import QcReport
from runner.models.report import (
    AttemptEntry,
    DecisionEntry,
    GateEntry,
    QcEntry,
    RunReport,
    VerifyFinding,
    VerifySummary,
)
from runner.models.run import Attempt, GateState
from runner.report import pictures
from runner.report.diffs import decision_diffs
from runner.report.pictures import Output
from runner.verify.report import Report
from runner.workspace import Workspace

QC_REPORT = "qc_report.json"


def gather(ws: Workspace, run_id: str) -> RunReport:
    from runner.verify import audit

    run = records.load_run(ws, run_id)
    gates = [_gate(ws, run.run_id, state) for state in run.gates]
    attempts = [entry.record for gate in gates for entry in gate.attempts]
    started = pictures.start(ws.root, {art.path: art.sha256 for a in attempts for art in a.artifacts
                                       if art.exists and art.kind != "dir"})  # the last record of each path
    audit_report = audit.verify(ws, run.run_id)  # while ffmpeg makes the pictures
    now = {(a.gate, a.attempt, a.path): a.current for a in audit_report.artifacts}
    return RunReport(
        run_id=run.run_id, workflow=run.workflow, status=run.status, started_at=run.started_at,
        finished_at=run.finished_at, created_by=run.created_by, runner_version=__version__, gates=gates,
        events=run.events, invocations=run.invocations, qc=_qc(ws, attempts, now), pictures=pictures.finish(started, _outputs(attempts, now)),
        verify=_verify(audit_report))


def _gate(ws: Workspace, run_id: str, state: GateState) -> GateEntry:
    attempts = [AttemptEntry(file=ref.file, sha256=ref.sha256,
                             record=records.load_attempt(ws, run_id, state.gate, ref.attempt))
                for ref in state.attempts]
    decisions = []
    for ref in state.decisions:
        decision = records.load_model(ws.path(ref.file, "decision file"), Decision, "decision record", ws)
        decisions.append(DecisionEntry(file=ref.file, sha256=ref.sha256, record=decision,
                                       diffs=decision_diffs(ws.root, decision)))
    return GateEntry(gate=state.gate, name=state.name, kind=state.kind, status=state.status, attempts=attempts,
                     decisions=decisions, current=state.current, waiting=state.waiting)


Now = dict[tuple[str, int, str], "str | None"]


def _qc(ws: Workspace, attempts: list[Attempt], now: Now) -> list[QcEntry]:
    """The QC reports whose bytes are still those their attempt hashed, each once (under the
    attempt that first recorded it: a review gate may record the same report again)."""
    found, seen = [], set()
    for attempt in attempts:
        for art in attempt.artifacts:
            if not art.path.endswith(QC_REPORT) or not art.sha256 or now.get((attempt.gate, attempt.attempt,
                                                                              art.path)) != art.sha256:
                continue
            if (art.path, art.sha256) in seen:
                continue
            seen.add((art.path, art.sha256))
            try:
                report = records.load_model(ws.path(art.path, "qc report"), QcReport, "qc report", ws)
            except RunnerError:
                continue  # recorded by the attempt, but not a QC report of this runner
            found.append(QcEntry(gate=attempt.gate, attempt=attempt.attempt, path=art.path, report=report))
    return found


def _outputs(attempts: list[Attempt], now: Now) -> dict[str, Output]:
    """Each video or image output, by path: its SHA-256 now, and whether an attempt recorded those bytes."""
    seen: dict[str, Output] = {}
    for attempt in attempts:
        for art in attempt.artifacts:
            if not art.exists or art.kind == "dir" or not pictures.is_picture(art.path):
                continue
            current = now.get((attempt.gate, attempt.attempt, art.path))
            previous = seen.get(art.path)
            recorded = current is not None and current == art.sha256
            seen[art.path] = Output(art.path, current, recorded or (previous is not None and previous.recorded))
    return seen


def _verify(report: Report) -> VerifySummary:
    return VerifySummary(ok=report.ok, records=report.records, commits=report.commits,
                         artifacts=len(report.artifacts),
                         findings=[VerifyFinding(code=f.code, file=f.file, message=f.message, field=f.field,
                                                 commit=f.commit) for f in report.findings])
