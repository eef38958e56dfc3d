"""Run records: RUN.json (the one mutable summary) and the append-only attempt files."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import Record, Strict

RunStatus = Literal["QUEUED", "RUNNING", "PAUSED", "PASSED", "FAILED", "CANCELED"]
TERMINAL_RUN_STATUSES = ("PASSED", "FAILED", "CANCELED")
GateStatus = Literal["PENDING", "RUNNING", "PASS", "FAIL"]
AttemptStatus = Literal["PASS", "FAIL"]
CheckStatus = Literal["PASS", "FAIL", "WARN", "SKIPPED"]


class Actor(Strict):
    """Who acted: the git identity, or --actor."""

    name: str
    email: str | None = None


class WorkflowRef(Strict):
    name: str
    version: str | None = None
    slug: str
    artifact_path: str | None = None
    path: str | None = None  # workspace-relative workflow file
    sha256: str | None = None


class ContractRef(Strict):
    path: str
    sha256: str


class Artifact(Strict):
    path: str
    exists: bool
    sha256: str | None = None
    size: int | None = None
    kind: Literal["file", "dir"] | None = None
    required: bool = True


class ValidationResult(Strict):
    index: int  # position in the contract's validations[]
    type: str
    status: CheckStatus
    severity: Literal["error", "warning"] = "error"
    description: str | None = None
    target: str | None = None
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class Attempt(Record):
    """record/gates/<GATE>/attempt-<n>.json, written once when the attempt ends."""

    run_id: str
    gate: str
    attempt: int = Field(ge=1)
    status: AttemptStatus
    started_at: str
    finished_at: str
    agent: str | None = None
    started_by: Actor
    finished_by: Actor
    runner_version: str
    depth: str
    invocation_ids: list[str] = Field(default_factory=list)
    contract: ContractRef | None = None
    required_outputs: list[str] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    validations: list[ValidationResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    failure_reason: str | None = None
    forced: bool = False
    offline: bool = False


class AttemptRef(Strict):
    attempt: int
    status: AttemptStatus
    file: str  # workspace-relative path of the attempt file
    sha256: str  # of the attempt file as written
    finished_at: str


class OpenAttempt(Strict):
    """An attempt started and not finished yet (lives only in RUN.json)."""

    attempt: int
    started_at: str
    started_by: Actor
    agent: str | None = None
    forced: bool = False
    pid: int | None = None
    host: str | None = None


class GateState(Strict):
    gate: str
    name: str | None = None
    blocking: bool = True
    status: GateStatus = "PENDING"
    current: OpenAttempt | None = None
    attempts: list[AttemptRef] = Field(default_factory=list)


class Invocation(Strict):
    id: str
    gate: str
    attempt: int | None = None
    agent: str
    status: str
    model: str | None = None
    at: str
    actor: Actor
    command: list[str] | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    stdout_log: str | None = None
    stderr_log: str | None = None


class ArtifactIndexEntry(Strict):
    path: str
    sha256: str | None
    size: int | None = None
    gate: str
    attempt: int


class ValidationSummary(Strict):
    gate: str
    attempt: int
    index: int
    type: str
    status: CheckStatus
    target: str | None = None


class Event(Strict):
    """Each event carries the SHA-256 of the previous one, so the list is a hash chain."""

    seq: int
    type: str
    at: str
    actor: Actor
    gate: str | None = None
    attempt: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    prev: str | None = None  # sha256 of the previous event's canonical JSON


class Run(Record):
    """record/RUN.json."""

    run_id: str
    workflow: WorkflowRef
    depth: str = "standard"
    prompt: str | None = None
    status: RunStatus = "QUEUED"
    started_at: str
    finished_at: str | None = None
    created_by: Actor
    runner_version: str
    gates: list[GateState] = Field(default_factory=list)
    invocations: list[Invocation] = Field(default_factory=list)
    artifacts_index: list[ArtifactIndexEntry] = Field(default_factory=list)
    validations: list[ValidationSummary] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    def gate(self, gate_id: str) -> GateState | None:
        return next((g for g in self.gates if g.gate == gate_id), None)
