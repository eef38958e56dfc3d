"""Approval settings: a gate's `approval` in the workflow, over the defaults of
`orchestration/operator.yaml` (`gates: {<gate>: {required, auto_approve,
auto_approve_after_s, on_timeout}}`), over the step kind's default."""

from __future__ import annotations

from typing import Any

import msgspec

from runner.errors import ContractError
from runner.models.base import load
from runner.models.workflow import Approval, ApprovalSpec, WorkflowGate
from runner.workspace import Workspace


def operator_defaults(ws: Workspace) -> dict[str, Any]:
    path = ws.path(ws.config.operator_file, "operator_file")
    if not path.is_file():
        return {}
    from runner.contracts import read_document

    data = read_document(path, "operator file") or {}
    gates = data.get("gates", {}) if isinstance(data, dict) else None
    if not isinstance(gates, dict):
        raise ContractError(f"operator file {ws.config.operator_file}: `gates` must be a mapping of gate ids")
    return gates


def resolve(ws: Workspace, gate: WorkflowGate, kind_requires_approval: bool,
            defaults: dict[str, Any] | None = None) -> Approval | None:
    """The approval that applies to `gate`, or None when no person needs to decide. Field
    by field: what the workflow's `approval` sets, else what operator.yaml sets for the
    gate, else the kind's default (`required`) and the model's. A gate that does not
    require approval but sets `auto_approve_after_s` still waits for a person until the
    deadline, then its `on_timeout` applies (default: approve, as nobody was required)."""
    fields: dict[str, Any] = {"required": kind_requires_approval}
    if defaults is not None and gate.gate in defaults:
        entry = load(ApprovalSpec, defaults[gate.gate] or {}, ContractError,
                     f"operator file {ws.config.operator_file}: gates.{gate.gate}")
        fields.update(msgspec.to_builtins(entry))  # UNSET fields are left out
    if gate.approval is not None:
        fields.update(msgspec.to_builtins(gate.approval))
    approval = msgspec.convert(fields, Approval)
    required = approval.required or kind_requires_approval
    if not required and approval.auto_approve_after_s is None:
        return None
    approval.required = required
    if approval.on_timeout is None:
        approval.on_timeout = "approve" if approval.auto_approve or not required else "escalate"
    return approval
