"""QC in the original factory's formats: `qc_report.v1` and `quality_decision.v1`,
written beside runner's own report so their tools read the verdict as they are.

Their schemas constrain what runner knows in other terms, so some choices are fixed here:
a score or threshold outside 0..1 (loudness, fps, seconds) is given as null / left out
(the value is in the reason and in runner's report); their relpaths must lie under
`sandbox/` (`repo/` for the policy), so a path outside their layout is null; their
report requires a policy path under `repo/`, so a policy that is not a `repo/….json`
file is named `repo/runner/policies/<policy_id>.json` (a name, not a file)."""

from __future__ import annotations

import re
from pathlib import Path

from runner import jsonio
from runner.models.qc import MetricResult, QcPolicy, QcReport, QualityDecision

REPORT_FILE, DECISION_FILE = "qc_report.v1.json", "quality_decision.v1.json"
# Our action -> their report's recommended action, and their decision's action.
RECOMMENDED = {"finalize": "PROCEED", "retry": "RETRY_STAGE", "fallback": "SWITCH_POLICY",
               "escalate": "ESCALATE_USER", "abort": "ABORT"}
_DIMENSIONS = {"audio_present": "audio", "loudness_lufs": "audio", "audio_video": "audio", "av_sync_sec": "audio",
               "frozen_ratio": "motion", "loop_seam": "motion", "pose_detection_ratio": "motion",
               "temporal_stability": "motion", "background_stability": "motion",
               "identity_consistency": "identity", "identity_drift": "identity", "mask_edge_bleed": "identity",
               "costume_fidelity": "costume"}  # a rule's own `dimension` (their gates') comes first
_REASON = 240


def _their_action(action: str, stage: str | None) -> str:
    """Their decision vocabulary has no abort or plain finalize-on-failure: a person decides."""
    if action == "finalize":
        return "proceed_finalize"
    if action in ("retry", "fallback"):
        return "retry_recast" if stage == "recast" else "retry_motion"
    return "escalate_hitl"


def _unit(value: float | None) -> bool:
    return value is not None and 0.0 <= value <= 1.0


def _relpath(rel: str | None, prefix: str) -> str | None:
    return rel if rel and rel.startswith(prefix) and rel.endswith(".json") else None


def policy_relpath(policy: QcPolicy, rel: str | None) -> str:
    if rel and re.match(r"^repo/.+\.json$", rel):
        return rel
    return f"repo/runner/policies/{policy.policy_id}.json"


def _describe(r: MetricResult) -> str:
    value = "not measured" if r.value is None else f"{r.value:g}"
    side = "at least" if r.direction == "min" else "at most"
    return f"{r.metric} {value}, {side} {r.threshold:g} required ({r.status})"[:_REASON]


def _gate(r: MetricResult, policy: QcPolicy) -> dict:
    rule = next(rule for rule in policy.rules if rule.id == r.rule_id)
    action = r.action if r.status != "PASS" else rule.on_fail
    cls = next((c.class_id for c in policy.failure_classes if r.metric in c.metrics), None)
    gate = {
        "gate_id": r.rule_id, "metric": r.metric, "dimension": rule.dimension or _DIMENSIONS.get(r.metric, "technical"),
        "status": r.status, "severity": r.severity.upper(), "repairable": r.repairable,
        "score": r.value if _unit(r.value) else None, "failure_action": _their_action(action, r.retry_stage),
        "failure_class": cls if r.status != "PASS" else None, "reason": _describe(r),
    }  # fmt: skip
    if _unit(r.threshold):
        gate["threshold"] = r.threshold
    return gate


def qc_report_v1(report: QcReport, decision: QualityDecision, policy: QcPolicy, *, job_id: str,
                 policy_rel: str | None, report_rel: str | None, at: str) -> dict:
    """Their `qc_report.v1` of our report. `report_rel`: runner's own qc_report.json."""
    gates = [_gate(r, policy) for r in report.results]
    failed = [g for g in gates if g["status"] != "PASS"]
    return {
        "version": "qc_report.v1", "job_id": job_id, "generated_at": at,
        "inputs": {"qc_policy_relpath": policy_relpath(policy, policy_rel),
                   "quality_report_relpath": _relpath(report_rel, "sandbox/"),
                   "costume_report_relpath": None, "two_pass_orchestration_relpath": None},
        "gates": gates,
        "overall": {"pass": not failed, "failed_gate_ids": [g["gate_id"] for g in failed],
                    "failed_failure_classes": decision.failure_classes,
                    "recommended_action": RECOMMENDED[decision.action]},
    }  # fmt: skip


def quality_decision_v1(report: QcReport, decision: QualityDecision, policy: QcPolicy, *, job_id: str,
                        policy_rel: str | None, out_rel: str | None, at: str) -> dict:
    """Their `quality_decision.v1` of our decision. `out_rel`: the folder of the QC files."""
    under_repo = policy_rel if policy_rel and re.match(r"^repo/.+\.json$", policy_rel) else None
    inputs = {
        "quality_report_relpath": _relpath(out_rel and f"{out_rel}/qc_report.json", "sandbox/"),
        "costume_report_relpath": None, "segment_stitch_plan_relpath": None,
        "qc_policy_relpath": under_repo,
        "qc_report_relpath": _relpath(out_rel and f"{out_rel}/{REPORT_FILE}", "sandbox/"),
        "qc_route_advice_relpath": None,
        "failed_metrics": [r.metric for r in report.results if r.rule_id in decision.failed_rules],
        "failed_failure_classes": decision.failure_classes,
    }  # fmt: skip
    if under_repo is None:
        where = policy_rel or "embedded in runner"
        inputs["qc_policy_error"] = f"runner policy {policy.policy_id} ({where}) is not a file under repo/"[:_REASON]
    stage = decision.retry_stages[0] if decision.retry_stages else None
    return {
        "version": "quality_decision.v1", "job_id": job_id, "generated_at": at, "inputs": inputs,
        "policy": {"max_retries": decision.max_retries, "retry_attempt": min(decision.retries_so_far, 50),
                   "advisory_mode_enabled": decision.advisory},
        "decision": {"action": _their_action(decision.action, stage), "reason": decision.reason[:_REASON]},
    }  # fmt: skip


def write_qc_files(out: Path, report: QcReport, decision: QualityDecision, policy: QcPolicy, *, job_id: str,
                   policy_rel: str | None = None, out_rel: str | None = None, formats: str = "both") -> None:
    """The QC files into `out`: runner's (`qc_report.json`, `quality_decision.json`, and
    `user_action_required.json` on escalation; a stale one is removed) unless `formats` is
    "caf", and theirs unless it is "runner". `out_rel`: `out` relative to the workspace."""
    from runner.models.base import to_data
    from runner.timeutil import iso

    if formats != "caf":
        jsonio.write_atomic(out / "qc_report.json", to_data(report))
        jsonio.write_atomic(out / "quality_decision.json", to_data(decision))
        action = out / "user_action_required.json"
        if decision.user_action_required is not None:
            jsonio.write_atomic(action, to_data(decision.user_action_required))
        elif action.exists():
            action.unlink()  # left by an earlier attempt; this decision needs none
    if formats != "runner":
        common = {"job_id": job_id, "policy_rel": policy_rel, "at": iso()}
        own = out_rel and f"{out_rel}/qc_report.json"
        jsonio.write_atomic(out / REPORT_FILE, qc_report_v1(report, decision, policy, report_rel=own, **common))
        jsonio.write_atomic(out / DECISION_FILE,
                            quality_decision_v1(report, decision, policy, out_rel=out_rel, **common))
