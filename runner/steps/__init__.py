"""Step kinds: what a gate of each kind does when the workflow driver reaches it.

A kind's `produce(ctx) -> Produced` makes (or waits for) the gate's outputs and says
what it ran; the driver then finishes the attempt (checks, hashes, record, one commit).
Steps never touch the run's records. To add a kind: a module here with a KIND, a line
in STEP_KINDS, and a paragraph in docs/workflows.md."""

from __future__ import annotations

from runner.errors import ContractError
from runner.models.workflow import WorkflowGate
from runner.steps import agent, command, human, qc, recast, render
from runner.steps.base import StepKind
from runner.workspace import Workspace

STEP_KINDS: dict[str, StepKind] = {
    "agent": agent.KIND,
    "human": human.KIND,
    "command": command.KIND,
    "render": render.KIND,
    "qc": qc.KIND,
    "recast": recast.KIND,
}


def kind_of(gate: WorkflowGate) -> StepKind:
    kind = STEP_KINDS.get(gate.kind)
    if kind is None:  # the workflow changed since the run started, or was never checked
        raise ContractError(f"workflow gate {gate.gate}: unknown kind {gate.kind!r}",
                            f"known kinds: {', '.join(sorted(STEP_KINDS))}")
    return kind


def has_contract(ws: Workspace, gate: WorkflowGate) -> bool:
    """Agent gates need a contract; other kinds may go without (no outputs to check)."""
    from runner.contracts import contract_path

    if gate.contract or kind_of(gate).needs_contract:
        return True
    return ws.path(contract_path(ws, gate.gate, gate.contract), "contract path").is_file()
