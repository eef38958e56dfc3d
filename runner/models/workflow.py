"""Workflow definitions (what the user declares) and the workspace configuration."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import Record, Strict


class Approval(Strict):
    required: bool = False
    auto_approve: bool = False
    auto_approve_after_s: float | None = Field(default=None, ge=0)
    # What happens at the deadline (auto_approve_after_s). Default: approve when
    # auto_approve is set, otherwise escalate (the gate keeps waiting, flagged).
    on_timeout: Literal["approve", "reject", "escalate"] | None = None


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
    command: list[str] | None = None
    timeout_s: float | None = Field(default=None, gt=0)
    approval: Approval | None = None
    params: dict[str, Any] = Field(default_factory=dict)  # kind-specific settings


class Workflow(Record):
    workflow: str
    version: str | None = None
    description: str | None = None
    gates: list[WorkflowGate]

    def gate(self, gate_id: str) -> WorkflowGate | None:
        return next((g for g in self.gates if g.gate == gate_id), None)


class Config(Record):
    """runner.json at the workspace root. Every path is relative to the root."""

    contracts_dir: str = "contracts"
    workflows_dir: str = "orchestration/workflows"
    runs_dir: str = "runs"
    prompts_dir: str = "orchestration/prompts"
    operator_file: str = "orchestration/operator.yaml"
    commit: bool = True
    offline: bool = False
    lock_timeout_s: float = Field(default=60, gt=0)
