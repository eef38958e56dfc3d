"""Run records: RUN.json (the one mutable summary) and the append-only attempt files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from runner.models.base import Record, Strict, field
from runner.models.patch import AppliedPatch
from runner.models.workflow import Approval

# POSTED: published (`runner handoff register`), a terminal state after PASSED.
RunStatus = Literal["QUEUED", "RUNNING", "PASSED", "FAILED", "CANCELED", "POSTED"]
# AWAITING_APPROVAL: the attempt passed its checks and waits for a person's decision.
GateStatus = Literal["PENDING", "RUNNING", "AWAITING_APPROVAL", "PASS", "FAIL", "ABANDONED"]
# ABANDONED: the process that owned the attempt died (set by `runner doctor --fix`).
AttemptStatus = Literal["PASS", "FAIL", "ABANDONED"]
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


class PacketRef(Strict):
    path: str  # workspace-relative, under logs/ (not committed)
    sha256: str  # of the reproducible content: the same inputs give the same hash


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
    details: dict[str, Any] = field(default_factory=dict)


class Route(Strict):
    """Where a step's decision sends the run (QC: retry, fallback, escalate, abort)."""

    action: Literal["finalize", "retry", "fallback", "escalate", "abort"]
    target: str | None = None  # the gate to run again (retry, fallback)
    params: dict[str, Any] = field(default_factory=dict)  # settings for that gate's new attempt
    reason: str
    attempt: int  # the attempt of this gate that decided
    packet: str | None = None  # escalate: the packet that tells the person what to do


class Attempt(Record):
    """record/gates/<GATE>/attempt-<n>.json, written once when the attempt ends."""

    run_id: str
    gate: str
    attempt: Annotated[int, msgspec.Meta(ge=1)]
    status: AttemptStatus
    started_at: str
    finished_at: str
    agent: str | None = None
    started_by: Actor
    finished_by: Actor
    runner_version: str
    depth: str
    invocation_ids: list[str] = field(default_factory=list)
    contract: ContractRef | None = None
    required_outputs: list[str] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    validations: list[ValidationResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure_reason: str | None = None
    forced: bool = False
    offline: bool = False
    prompt_packet: PacketRef | None = None
    patch_of: int | None = None  # decision number whose patch this attempt re-validated
    skipped_by_start_from: bool = False
    params: dict[str, Any] = field(default_factory=dict)  # settings a route gave this attempt
    route: Route | None = None  # where this attempt's decision sent the run


class AttemptRef(Strict):
    attempt: int
    status: AttemptStatus
    file: str  # workspace-relative path of the attempt file
    sha256: str  # of the attempt file as written
    finished_at: str


class DecisionRef(Strict):
    decision: int
    attempt: int
    verdict: Literal["approve", "reject"]
    by: str
    file: str
    sha256: str
    patch_pending: bool = False  # a patch whose result is not validated as a new attempt yet


class OpenAttempt(Strict):
    """An attempt started and not finished yet (lives only in RUN.json)."""

    attempt: int
    started_at: str
    started_by: Actor
    agent: str | None = None
    forced: bool = False
    packet: PacketRef | None = None
    patch_of: int | None = None  # the decision whose patch this attempt re-validates
    skipped_by_start_from: bool = False
    params: dict[str, Any] = field(default_factory=dict)  # settings a route gave this attempt
    # Set only when the runner process itself produces the outputs (command, render, qc):
    # if that process dies, `runner doctor` can tell the attempt was abandoned.
    pid: int | None = None
    host: str | None = None


class Waiting(Strict):
    """A durable pause: what the gate waits for, since when, and the automatic action."""

    attempt: int
    waiting_for: Literal["outputs", "decision"]
    since: str
    deadline: str | None = None  # when `on_timeout` applies; None: waits for a person only
    on_timeout: Literal["approve", "reject", "escalate"] | None = None
    escalated: bool = False
    packet: str | None = None  # workspace-relative prompt packet, for the inbox


class GateState(Strict):
    gate: str
    name: str | None = None
    kind: str = "agent"
    blocking: bool = True
    approval: Approval | None = None  # resolved from the workflow and operator.yaml at run start
    status: GateStatus = "PENDING"
    current: OpenAttempt | None = None
    waiting: Waiting | None = None
    attempts: list[AttemptRef] = field(default_factory=list)
    decisions: list[DecisionRef] = field(default_factory=list)
    route: Route | None = None  # set when this gate's last attempt routed the run
    retries: int = 0  # retries and fallbacks this gate asked for (the retry budget's count)
    next_params: dict[str, Any] | None = None  # settings a route gave this gate's next attempt


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
    # A patch the runner applied (`runner patch apply`); absent otherwise, so older records
    # encode as they did.
    patch: AppliedPatch | msgspec.UnsetType = msgspec.UNSET


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
    data: dict[str, Any] = field(default_factory=dict)
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
    gates: list[GateState] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    artifacts_index: list[ArtifactIndexEntry] = field(default_factory=list)
    validations: list[ValidationSummary] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def gate(self, gate_id: str) -> GateState | None:
        return next((g for g in self.gates if g.gate == gate_id), None)
