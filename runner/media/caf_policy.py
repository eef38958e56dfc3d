"""The original factory's `qc_policy.v1` imported as our QcPolicy, with a note for every
section that is not carried and why: nothing is dropped silently.

Their shipped file breaks their own schema (gates carry `severity` and `repairable`); we
read those keys on purpose. Carried: the gates (as rules), the retry budget, the action
for a missing metric, the failure classes, the presets a SWITCH_POLICY runs with, and the
advisory mode. Their routing priority must equal ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.errors import ContractError
from runner.jsonio import read_json
from runner.media.policy import validate
from runner.models.qc import ACTION_PRIORITY, QcPolicy

# Their two action vocabularies -> (our action, the stage a retry re-runs).
CAF_ACTIONS: dict[str, tuple[str, str | None]] = {
    "PROCEED": ("finalize", None),
    "RETRY_STAGE": ("retry", None),  # the stage is the gate's target_stage
    "SWITCH_POLICY": ("fallback", None),
    "ESCALATE_USER": ("escalate", None),
    "ABORT": ("abort", None),
    "proceed_finalize": ("finalize", None),
    "retry_motion": ("retry", "motion"),
    "retry_recast": ("retry", "recast"),
    "block_for_costume": ("escalate", None),
    "escalate_hitl": ("escalate", None),
}
_SEVERITIES = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high", "CRITICAL": "critical"}
# Sections read below; any other top-level key is reported as not carried.
_READ = {"version", "policy_id", "generated_at", "max_retries_default", "default_action_on_missing_report", "gates",
         "routing", "failure_classification", "workflow_presets", "advisory_mode"}
_DROPPED = {
    "authority_trial": "runner gives no AI a trial of authority: every decision is the policy's or a person's",
}


def _action(value: Any, where: str) -> tuple[str, str | None]:
    if not isinstance(value, str) or value not in CAF_ACTIONS:
        raise ContractError(f"caf QC policy {where}: unknown action {value!r}", f"known: {', '.join(CAF_ACTIONS)}")
    return CAF_ACTIONS[value]


def _section(data: dict, key: str, inner: str) -> list:
    section = data.get(key)
    if section is None:
        return []
    items = section.get(inner) if isinstance(section, dict) else None
    if not isinstance(items, list):
        raise ContractError(f"caf QC policy {key}: expected an object with a list `{inner}`")
    return items


def _routing(data: dict, notes: list[str]) -> None:
    routing = data.get("routing", {})
    priority = routing.get("failure_action_priority") if isinstance(routing, dict) else routing
    if priority is not None:
        if not isinstance(priority, list):
            raise ContractError("caf QC policy routing.failure_action_priority: expected a list of actions")
        mapped = [_action(p, "routing.failure_action_priority")[0] for p in priority]
        if mapped != [a for a in ACTION_PRIORITY if a in mapped]:
            raise ContractError(
                f"caf QC policy: routing priority {priority} differs from ours", " > ".join(ACTION_PRIORITY)
            )
    fallback = routing.get("fallback_action") if isinstance(routing, dict) else None
    if fallback is not None and _action(fallback, "routing.fallback_action")[0] != "escalate":
        notes.append(f"routing.fallback_action {fallback}: not carried; runner escalates when no rule decides")


def _rules(data: dict, on_unknown: str) -> list[dict]:
    rules = []
    for index, gate in enumerate(data["gates"]):
        if not isinstance(gate, dict):
            raise ContractError(f"caf QC policy gates[{index}]: expected an object")
        action, stage = _action(gate.get("failure_action"), f"gates[{index}].failure_action")
        rules.append({
            "id": gate.get("gate_id"), "metric": gate.get("metric"), "threshold": gate.get("threshold"),
            "direction": "min",  # their gates pass at or above the threshold
            "severity": _SEVERITIES.get(str(gate.get("severity", "MEDIUM")).upper(), "medium"),
            "repairable": gate.get("repairable", True),
            "retry_stage": gate.get("target_stage") or stage,
            "on_fail": action, "on_unknown": on_unknown, "dimension": gate.get("dimension"),
        })  # fmt: skip
    return rules


def import_caf(data: Any) -> tuple[QcPolicy, list[str]]:
    """Their `qc_policy.v1` as our QcPolicy, and one note per section not carried."""
    if not isinstance(data, dict) or not isinstance(data.get("gates"), list) or not data["gates"]:
        raise ContractError("caf QC policy: expected an object with a non-empty `gates` list")
    notes: list[str] = []
    on_unknown, _ = _action(data.get("default_action_on_missing_report", "ESCALATE_USER"),
                            "default_action_on_missing_report")
    _routing(data, notes)
    classes = [{**c, "action": _action(c.get("action"), f"failure_classification.classes[{i}].action")[0]}
               if isinstance(c, dict) else c
               for i, c in enumerate(_section(data, "failure_classification", "classes"))]
    presets = _section(data, "workflow_presets", "class_to_preset")
    advisory = data.get("advisory_mode")
    if isinstance(advisory, dict):
        allowed = advisory.get("allowed_actions", [])
        advisory = {**advisory, "allowed_actions": [_action(a, "advisory_mode.allowed_actions")[0]
                                                    for a in (allowed if isinstance(allowed, list) else [allowed])]}
    for key in sorted(set(data) - _READ):
        notes.append(f"{key}: not carried; {_DROPPED.get(key, 'runner knows no such section')}")
    stamp = f", generated_at {data['generated_at']}" if data.get("generated_at") else ""
    policy = validate(
        {
            "policy_id": data.get("policy_id"),
            "description": f"imported from caf {data.get('version', 'qc_policy')}{stamp}",
            "max_retries": data.get("max_retries_default", 2),
            "rules": _rules(data, on_unknown), "failure_classes": classes, "presets": presets,
            **({"advisory": advisory} if advisory is not None else {}),
        },
        f"(imported from caf) {data.get('policy_id')}",
    )
    return policy, notes


def import_caf_policy(data: Any) -> QcPolicy:
    """Their `qc_policy.v1` as our QcPolicy (see import_caf for what is not carried)."""
    return import_caf(data)[0]


def read_policy(path: Path) -> QcPolicy:
    """A QC policy file: ours, or theirs (`"version": "qc_policy.v1"`, imported as it is
    read, so their file can stay where their tools read it)."""
    data = read_json(path, what="QC policy", error=ContractError)
    if isinstance(data, dict) and data.get("version") == "qc_policy.v1":
        return import_caf_policy(data)
    return validate(data, str(path))
