"""decide() and the scoring rule, on reports built by hand (no media needed)."""

from __future__ import annotations

import msgspec
import pytest

from runner.media import decide, default_policy, evaluate
from runner.models.qc import QcMetrics, QcPolicy, QcReport


def policy(*rules, max_retries: int = 2) -> QcPolicy:
    return msgspec.convert({"policy_id": "test", "max_retries": max_retries, "rules": list(rules)}, QcPolicy)


def rule(id: str, metric: str, threshold: float, direction: str = "min", **more) -> dict:
    return {"id": id, "metric": metric, "threshold": threshold, "direction": direction, **more}


def report(**metrics) -> QcReport:
    return QcReport(
        video="clip.mp4", video_sha256="0" * 64, policy_id="test", sample_fps=5.0, video_codec="h264",
        audio_codec="aac", metrics=QcMetrics(**metrics), results=[], passed=False, stage_seconds={},
    )  # fmt: skip


@pytest.mark.parametrize(
    "value, status",
    [(0.8, "PASS"), (0.7, "PASS"), (0.5, "SOFT_FAIL"), (0.35, "SOFT_FAIL"), (0.34, "HARD_FAIL"), (None, "UNKNOWN")],
)
def test_min_rule_statuses(value, status):
    [result] = evaluate(QcMetrics(pose_detection_ratio=value), policy(rule("pose", "pose_detection_ratio", 0.7)))
    assert result.status == status


@pytest.mark.parametrize("value, status", [(0.1, "PASS"), (0.15, "SOFT_FAIL"), (0.2, "SOFT_FAIL"), (0.21, "HARD_FAIL")])
def test_max_rule_statuses(value, status):
    [result] = evaluate(QcMetrics(black_ratio=value), policy(rule("black", "black_ratio", 0.1, "max")))
    assert result.status == status


def test_negative_threshold_needs_a_hard_threshold():
    with pytest.raises(ValueError, match="hard_threshold"):
        policy(rule("loud", "loudness_lufs", -24))
    with pytest.raises(ValueError, match="passing side"):
        policy(rule("loud", "loudness_lufs", -24, hard_threshold=-10))


def test_retry_below_budget_then_escalate():
    p = policy(rule("black", "black_ratio", 0.1, "max", retry_stage="generate"))
    assert decide(report(black_ratio=0.5), p, 0).action == "retry"
    below = decide(report(black_ratio=0.5), p, 1)
    assert (below.action, below.retry_stages, below.user_action_required) == ("retry", ["generate"], None)
    spent = decide(report(black_ratio=0.5), p, 2)
    assert spent.action == "escalate" and spent.retry_stages == []
    ask = spent.user_action_required
    assert ask.reason == "retry_budget_exceeded"
    assert (ask.rule_id, ask.metric, ask.threshold, ask.value) == ("black", "black_ratio", 0.1, 0.5)
    assert ask.expected_artifact and ask.example_fix and "black_ratio" in ask.message


def test_abort_wins_over_everything():
    p = policy(
        rule("black", "black_ratio", 0.1, "max", on_fail="retry"),
        rule("short", "duration_s", 5, on_fail="fallback", on_hard_fail="abort"),
        rule("pose", "pose_detection_ratio", 0.5, on_fail="escalate"),
    )
    decision = decide(report(black_ratio=0.9, duration_s=1, pose_detection_ratio=0.0), p, 0)
    assert decision.action == "abort"
    assert decision.failed_rules == ["black", "short", "pose"]
    assert decision.user_action_required is None
    # Without the hard failure: escalate > retry > fallback.
    assert decide(report(black_ratio=0.9, duration_s=4, pose_detection_ratio=0.0), p, 0).action == "escalate"
    assert decide(report(black_ratio=0.9, duration_s=4, pose_detection_ratio=0.9), p, 0).action == "retry"
    assert decide(report(black_ratio=0.0, duration_s=4, pose_detection_ratio=0.9), p, 0).action == "fallback"
    assert decide(report(black_ratio=0.0, duration_s=6, pose_detection_ratio=0.9), p, 0).action == "finalize"


def test_not_repairable_escalates_at_once():
    p = policy(rule("costume", "pose_detection_ratio", 0.9, repairable=False, severity="critical"))
    decision = decide(report(pose_detection_ratio=0.8), p, 0)
    assert decision.action == "escalate"
    assert decision.user_action_required.reason == "not_repairable"


def test_unknown_metric_uses_on_unknown():
    p = policy(rule("identity", "identity_consistency", 0.7))  # a metric qc does not measure
    decision = decide(report(), p, 0)
    assert decision.action == "escalate"
    assert decision.user_action_required.reason == "metric_unknown"
    relaxed = policy(rule("identity", "identity_consistency", 0.7, on_unknown="finalize"))
    decision = decide(report(), relaxed, 0)
    assert decision.action == "finalize" and decision.failed_rules == ["identity"]


def test_default_policy_is_complete():
    p = default_policy()
    assert {r.metric for r in p.rules} == {
        "duration_s", "fps", "audio_present", "loudness_lufs", "black_ratio", "frozen_ratio", "pose_detection_ratio",
    }  # fmt: skip
    assert p.max_retries == 2
    assert all(r.expected_artifact and r.example_fix for r in p.rules)
