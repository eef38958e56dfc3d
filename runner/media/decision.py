"""From a QC report to one action: `finalize | retry | fallback | escalate | abort`.

Each failing rule asks for an action (see `policy.evaluate`); the decision is the one of
highest priority, abort > escalate > retry > fallback > finalize. A retry once the
budget is spent (retries_so_far >= max_retries) becomes an escalation. An escalation
carries a UserActionRequired: what is wrong, which rule, what to supply, an example."""

from __future__ import annotations

from runner.media.policy import evaluate
from runner.models.qc import (
    ACTION_PRIORITY,
    MetricResult,
    MetricRule,
    Preset,
    QcPolicy,
    QcReport,
    QualityDecision,
    UserActionRequired,
)

_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _describe(result: MetricResult) -> str:
    if result.value is None:
        return f"{result.metric} could not be measured (rule {result.rule_id})"
    side = "at least" if result.direction == "min" else "at most"
    return (
        f"{result.metric} is {result.value:g}, {side} {result.threshold:g} required "
        f"({result.status}, rule {result.rule_id})"
    )


def _user_action(result: MetricResult, rule: MetricRule, budget_spent: bool, retries: int) -> UserActionRequired:
    if budget_spent:
        reason, why = "retry_budget_exceeded", f"still failing after {retries} retries"
    elif result.status == "UNKNOWN":
        reason, why = "metric_unknown", "the metric is missing from the report"
    elif not result.repairable:
        reason, why = "not_repairable", "the policy marks it as not repairable by a retry"
    else:
        reason, why = "policy_escalation", "the policy asks a person to decide"
    side = "at least" if result.direction == "min" else "at most"
    return UserActionRequired(
        reason=reason,
        message=f"{_describe(result)}; {why}",
        rule_id=result.rule_id,
        metric=result.metric,
        value=result.value,
        threshold=result.threshold,
        direction=result.direction,
        expected_artifact=rule.expected_artifact or f"a video whose {result.metric} is {side} {result.threshold:g}",
        example_fix=rule.example_fix
        or f"fix the input of the {result.retry_stage or 'failing'} stage by hand, then run QC again",
    )


def decide(report: QcReport, policy: QcPolicy, retries_so_far: int) -> QualityDecision:
    """The action for `report` under `policy` after `retries_so_far` retries."""
    results = evaluate(report.metrics, policy)
    failing = [r for r in results if r.status != "PASS"]
    common = {
        "policy_id": policy.policy_id,
        "retries_so_far": retries_so_far,
        "max_retries": policy.max_retries,
        "failed_rules": [r.rule_id for r in failing],
    }
    action = min((r.action for r in failing), key=ACTION_PRIORITY.index, default="finalize")
    budget_spent = action == "retry" and retries_so_far >= policy.max_retries
    if budget_spent:
        culprits = [r for r in failing if r.action == "retry"]
        action = "escalate"
    else:
        culprits = [r for r in failing if r.action == action]
    culprits.sort(key=lambda r: _SEVERITY_RANK[r.severity])  # stable: policy order among equals
    if not failing:
        reason = f"all {len(results)} rules pass"
    elif action == "finalize":
        reason = "; ".join(_describe(r) for r in failing) + " (the policy finalizes anyway)"
    else:
        reason = "; ".join(_describe(r) for r in culprits)
        if budget_spent:
            reason += f"; retry budget spent ({retries_so_far} of {policy.max_retries})"
    stages = sorted({r.retry_stage for r in culprits if r.retry_stage}) if action in ("retry", "fallback") else []
    user_action = None
    if action == "escalate":
        rules = {rule.id: rule for rule in policy.rules}
        user_action = _user_action(culprits[0], rules[culprits[0].rule_id], budget_spent, retries_so_far)
    classes = [c for c in policy.failure_classes if any(r.metric in c.metrics for r in failing)]
    preset = _preset(policy, culprits) if action == "fallback" else None
    return QualityDecision(
        action=action, reason=reason, retry_stages=stages, user_action_required=user_action,
        failure_classes=[c.class_id for c in classes], preset=preset,
        advisory=bool(policy.advisory and policy.advisory.enabled), **common,
    )


def _preset(policy: QcPolicy, culprits: list[MetricResult]) -> Preset | None:
    """The policy's preset for the class of the most severe rule that asked for the fallback."""
    presets = {p.class_id: p for p in policy.presets}
    for result in culprits:
        for cls in policy.failure_classes:
            if result.metric in cls.metrics and cls.class_id in presets:
                return presets[cls.class_id]
    return None
