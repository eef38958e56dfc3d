"""Workflow definitions (what the user declares) and the workspace configuration."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from runner.models.base import UNSET, Record, Strict, field
from runner.models.batch import BatchConfig

OnTimeout = Literal["approve", "reject", "escalate"]
NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class Approval(Strict):
    """A gate's approval as resolved at run start (RUN.json)."""

    required: bool = False
    auto_approve: bool = False
    auto_approve_after_s: NonNegative | None = None
    # What happens at the deadline (auto_approve_after_s). Default: approve when
    # auto_approve is set or approval is not required (a gate that requires none but has
    # a delay waits for a person until the deadline), otherwise escalate (the gate keeps
    # waiting, flagged).
    on_timeout: OnTimeout | None = None


class ApprovalSpec(Strict):
    """An approval as declared (workflow or operator.yaml): a key left out is unset, so
    the layers merge field by field (see runner/operator.py)."""

    required: bool | msgspec.UnsetType = UNSET
    auto_approve: bool | msgspec.UnsetType = UNSET
    auto_approve_after_s: NonNegative | None | msgspec.UnsetType = UNSET
    on_timeout: OnTimeout | None | msgspec.UnsetType = UNSET


class WorkflowGate(Strict):
    gate: str
    name: str | None = None
    kind: str = "agent"  # a key of the step-kind registry; the original's workflows have none
    agent: str | None = None
    contract: str | None = None  # a path relative to the workspace, or omitted: <contracts_dir>/<gate>.contract.json
    prompt_template: str | None = None
    description: str | None = None
    phase: str | None = None
    blocking: bool | None = None  # overrides the contract's
    command: Annotated[list[str], msgspec.Meta(min_length=1)] | None = None  # an argv list, never empty
    timeout_s: Annotated[float, msgspec.Meta(gt=0)] | None = None
    approval: ApprovalSpec | None = None
    params: dict[str, Any] = field(default_factory=dict)  # kind-specific settings


class Workflow(Record):
    workflow: str
    version: str | None = None
    description: str | None = None
    gates: Annotated[list[WorkflowGate], msgspec.Meta(min_length=1)]
    # Stage names (the original factory's `frame`, `motion`, `video`, `artifact`) -> the
    # gate that makes that stage: a QC retry of stage `motion` runs that gate again.
    stages: dict[str, str] = field(default_factory=dict)

    def gate(self, gate_id: str) -> WorkflowGate | None:
        return next((g for g in self.gates if g.gate == gate_id), None)

    def stage_gate(self, stage: str) -> str:
        """The gate a stage name maps to (a gate id maps to itself)."""
        return self.stages.get(stage, stage)


class Config(Record):
    """runner.json at the workspace root. Every path is relative to the root."""

    contracts_dir: str = "contracts"
    workflows_dir: str = "orchestration/workflows"
    runs_dir: str = "runs"
    # Where a run's folder is: "flat", <runs_dir>/<run-id>/; "fanout",
    # <runs_dir>/<YYYY-MM>/<x>/<y>/<run-id>/ (the month of the id, its last two characters),
    # so that a record commit rewrites small trees however many runs there are
    # (docs/scale-records.md). Both are read; `runner doctor --fix` moves flat runs.
    runs_layout: Literal["flat", "fanout"] = "flat"
    prompts_dir: str = "orchestration/prompts"
    operator_file: str = "orchestration/operator.yaml"
    commit: bool = True
    offline: bool = False
    lock_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 60
    # Each contract check runs within this time (a check that does not answer FAILs with
    # that reason), and the checks of one evaluation within this much memory.
    check_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 30
    check_memory_mb: Annotated[int, msgspec.Meta(ge=64)] = 2048
    batch: BatchConfig | None = None  # batches across machines (docs/batches.md); None: the defaults
