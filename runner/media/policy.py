"""QC policies: ours (load, default), theirs (import of caf's qc_policy.v1), and the
scoring of measured metrics against a policy.

Scoring (caf's rule, extended to `max` rules): a `min` rule passes at or above its
threshold, is a hard failure below its hard threshold (default half the threshold) and a
soft failure in between; a `max` rule mirrors it (hard default: twice the threshold). A
metric that was not measured is UNKNOWN."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from runner.errors import ContractError
from runner.jsonio import read_json
from runner.models.base import load as load_typed
from runner.models.media import ACTION_PRIORITY, MetricResult, QcMetrics, QcPolicy

# caf's two action vocabularies -> (our action, the stage a retry re-runs).
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


def _validate(data: Any, where: str) -> QcPolicy:
    return load_typed(QcPolicy, data, ContractError, f"QC policy {where}")


def load_policy(path: Path) -> QcPolicy:
    return _validate(read_json(path, what="QC policy", error=ContractError), str(path))


def default_policy() -> QcPolicy:
    """The policy shipped with the package (runner/media/default_qc_policy.json)."""
    text = resources.files(__package__).joinpath("default_qc_policy.json").read_text(encoding="utf-8")
    return _validate(json.loads(text), "default_qc_policy.json")


def _caf_action(value: Any, where: str) -> tuple[str, str | None]:
    if not isinstance(value, str) or value not in CAF_ACTIONS:
        raise ContractError(f"caf QC policy {where}: unknown action {value!r}", f"known: {', '.join(CAF_ACTIONS)}")
    return CAF_ACTIONS[value]


def import_caf_policy(data: dict) -> QcPolicy:
    """caf's `qc_policy.v1` as our QcPolicy. Their shipped file breaks their own schema
    (gates carry `severity` and `repairable`); we read those keys on purpose. Only what
    changes a verdict is imported: gates, the retry budget and the action for a missing
    metric. Their routing priority must equal ours; presets and modes are ignored."""
    if not isinstance(data, dict) or not isinstance(data.get("gates"), list) or not data["gates"]:
        raise ContractError("caf QC policy: expected an object with a non-empty `gates` list")
    missing = data.get("default_action_on_missing_report", "ESCALATE_USER")
    on_unknown, _ = _caf_action(missing, "default_action_on_missing_report")
    routing = data.get("routing", {})
    priority = routing.get("failure_action_priority") if isinstance(routing, dict) else routing
    if priority is not None:
        if not isinstance(priority, list):
            raise ContractError("caf QC policy routing.failure_action_priority: expected a list of actions")
        mapped = [_caf_action(p, "routing.failure_action_priority")[0] for p in priority]
        if mapped != [a for a in ACTION_PRIORITY if a in mapped]:
            raise ContractError(
                f"caf QC policy: routing priority {priority} differs from ours", " > ".join(ACTION_PRIORITY)
            )
    rules = []
    for index, gate in enumerate(data["gates"]):
        if not isinstance(gate, dict):
            raise ContractError(f"caf QC policy gates[{index}]: expected an object")
        action, stage = _caf_action(gate.get("failure_action"), f"gates[{index}].failure_action")
        rules.append({
            "id": gate.get("gate_id"), "metric": gate.get("metric"), "threshold": gate.get("threshold"),
            "direction": "min",  # their gates pass at or above the threshold
            "severity": _SEVERITIES.get(str(gate.get("severity", "MEDIUM")).upper(), "medium"),
            "repairable": gate.get("repairable", True),
            "retry_stage": gate.get("target_stage") or stage,
            "on_fail": action, "on_unknown": on_unknown,
        })  # fmt: skip
    return _validate(
        {
            "policy_id": data.get("policy_id"),
            "description": f"imported from caf {data.get('version', 'qc_policy')}",
            "max_retries": data.get("max_retries_default", 2),
            "rules": rules,
        },
        f"(imported from caf) {data.get('policy_id')}",
    )


def evaluate(metrics: QcMetrics, policy: QcPolicy) -> list[MetricResult]:
    """Score every rule of `policy` against `metrics`, in the policy's order."""
    results = []
    for rule in policy.rules:
        value = getattr(metrics, rule.metric, None) if rule.metric in QcMetrics.__struct_fields__ else None
        hard, low = rule.hard_limit, rule.direction == "min"
        if value is None:
            status, action = "UNKNOWN", rule.on_unknown
        elif (low and value >= rule.threshold) or (not low and value <= rule.threshold):
            status, action = "PASS", "finalize"
        elif (low and value < hard) or (not low and value > hard):
            status, action = "HARD_FAIL", rule.on_hard_fail or rule.on_fail
        else:
            status, action = "SOFT_FAIL", rule.on_fail
        if not rule.repairable and action in ("retry", "fallback"):
            action = "escalate"  # trying again cannot fix it
        results.append(
            MetricResult(
                rule_id=rule.id, metric=rule.metric, value=value, threshold=rule.threshold, hard_threshold=hard,
                direction=rule.direction, status=status, severity=rule.severity, repairable=rule.repairable,
                retry_stage=rule.retry_stage, action=action,
            )  # fmt: skip
        )
    return results
