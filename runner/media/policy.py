"""QC policies: ours (load, default; theirs are imported by media/caf_policy.py), and
the scoring of measured metrics against a policy.

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
from runner.models.qc import MetricResult, QcMetrics, QcPolicy


def validate(data: Any, where: str) -> QcPolicy:
    return load_typed(QcPolicy, data, ContractError, f"QC policy {where}")


def load_policy(path: Path) -> QcPolicy:
    return validate(read_json(path, what="QC policy", error=ContractError), str(path))


def default_policy() -> QcPolicy:
    """The policy shipped with the package (runner/media/default_qc_policy.json)."""
    text = resources.files(__package__).joinpath("default_qc_policy.json").read_text(encoding="utf-8")
    return validate(json.loads(text), "default_qc_policy.json")


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
