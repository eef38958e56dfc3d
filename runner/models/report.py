"""`runner report`: everything one run's report shows, as one record (the `--json`
output; the HTML page is rendered from it). Attempts, decisions and events are the
records themselves, so the report holds their exact fields and hashes."""

from __future__ import annotations

from typing import Literal

from runner.models.base import Record, Strict, field
from runner.models.decision import Decision
from runner.models.qc import QcReport
from runner.models.run import Actor, Attempt, Event, Invocation, OpenAttempt, Waiting, WorkflowRef


class AttemptEntry(Strict):
    file: str  # workspace-relative attempt file
    sha256: str  # of the attempt file, as RUN.json lists it
    record: Attempt


class PatchDiff(Strict):
    """One file a decision's patch changes, as a unified diff."""

    path: str
    sha256_before: str
    sha256_after: str
    # bytes: computed from the file's bytes (it still holds what the decision saw);
    # patch: the patch's own lines (the bytes before are gone: the patch was applied)
    source: Literal["bytes", "patch"]
    diff: str


class DecisionEntry(Strict):
    file: str
    sha256: str
    record: Decision
    diffs: list[PatchDiff] = field(default_factory=list)


class GateEntry(Strict):
    gate: str
    name: str | None = None
    kind: str
    status: str
    attempts: list[AttemptEntry] = field(default_factory=list)
    decisions: list[DecisionEntry] = field(default_factory=list)
    current: OpenAttempt | None = None  # an attempt started and not finished
    waiting: Waiting | None = None  # what the gate waits for (outputs, a decision), since when, its deadline


class QcEntry(Strict):
    """The QC report of an attempt, when its bytes are still the ones the attempt hashed."""

    gate: str
    attempt: int
    path: str
    report: QcReport


class Picture(Strict):
    """A contact sheet of a video output (frames in a grid) or a preview of an image output,
    embedded as a data: URI."""

    path: str
    sha256: str | None  # of the file now
    recorded: bool  # the file now is the bytes an attempt recorded
    kind: Literal["contact_sheet", "image"]
    frames: int = 0  # contact sheets: frames in the grid
    data_uri: str | None = None  # None: the file could not be read (see problem), or see same_as
    problem: str | None = None
    same_as: str | None = None  # the output whose picture this one is (the same bytes), given once there


class VerifyFinding(Strict):
    code: str
    file: str
    message: str
    field: str | None = None
    commit: str | None = None


class VerifySummary(Strict):
    """`runner verify --run ID`, for this run."""

    ok: bool
    records: int
    commits: int
    artifacts: int
    findings: list[VerifyFinding] = field(default_factory=list)


class RunReport(Record):
    run_id: str
    workflow: WorkflowRef
    status: str
    started_at: str
    finished_at: str | None = None
    created_by: Actor
    runner_version: str  # of the runner that made the report
    gates: list[GateEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)  # what ran for each attempt (agents, commands)
    qc: list[QcEntry] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    verify: VerifySummary


SCHEMA_MODELS = {"run_report": RunReport}
