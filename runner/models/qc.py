"""Models of QC: the policy, the report, the quality decision and the escalation a
person must act on.

Types only, no I/O. The functions live in `runner/media/`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from runner.models.base import Record, Strict, field

# The one action vocabulary, from the highest priority to the lowest.
Action = Literal["abort", "escalate", "retry", "fallback", "finalize"]
ACTION_PRIORITY: tuple[str, ...] = ("abort", "escalate", "retry", "fallback", "finalize")
Status = Literal["PASS", "SOFT_FAIL", "HARD_FAIL", "UNKNOWN"]
Severity = Literal["low", "medium", "high", "critical"]


class MetricRule(Strict):
    """One threshold on one metric. `min`: pass at or above the threshold, hard failure
    below `hard_threshold` (default half the threshold). `max`: pass at or below it, hard
    failure above `hard_threshold` (default twice the threshold)."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]+$")]
    metric: Annotated[str, msgspec.Meta(min_length=1)]
    threshold: float
    direction: Literal["min", "max"]
    hard_threshold: float | None = None
    severity: Severity = "medium"
    # False: trying again cannot fix it, so retry and fallback become escalate.
    repairable: bool = True
    retry_stage: str | None = None
    on_fail: Action = "retry"
    on_hard_fail: Action | None = None  # default: on_fail
    on_unknown: Action = "escalate"  # the metric could not be measured
    expected_artifact: str | None = None  # for the person, on escalation
    example_fix: str | None = None
    dimension: str | None = None  # what the metric is about (identity, motion, audio, ...), for reports

    def __post_init__(self) -> None:
        if self.hard_threshold is None and self.threshold < 0:
            raise ValueError(
                f"rule {self.id}: a negative threshold needs an explicit hard_threshold "
                "(half or twice a negative number points the wrong way)"
            )
        hard = self.hard_limit
        if (self.direction == "min" and hard > self.threshold) or (
            self.direction == "max" and hard < self.threshold
        ):
            raise ValueError(f"rule {self.id}: hard_threshold {hard} is on the passing side")

    @property
    def hard_limit(self) -> float:
        if self.hard_threshold is not None:
            return self.hard_threshold
        return self.threshold / 2 if self.direction == "min" else self.threshold * 2


ClassId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]+$")]


class FailureClass(Strict):
    """A named kind of failure (the original factory's `failure_classification`): the
    metrics whose failure it is, and the action it asks for."""

    class_id: ClassId
    metrics: Annotated[list[str], msgspec.Meta(min_length=1)]
    action: Action


class Preset(Strict):
    """The settings a fallback runs with for a failure class (their `workflow_presets`,
    SWITCH_POLICY): `parameter_overrides` go on top of the fallback gate's params."""

    class_id: ClassId
    preset_id: Annotated[str, msgspec.Meta(min_length=1)]
    workflow_id: str | None = None
    parameter_overrides: dict[str, Any] = field(default_factory=dict)


class Advisory(Strict):
    """Their `advisory_mode`: the decision is advice for a person; recorded with every
    decision. `allowed_actions`: the actions the advice may name."""

    enabled: bool
    allowed_actions: list[Action] = field(default_factory=list)


class QcPolicy(Record):
    policy_id: Annotated[str, msgspec.Meta(min_length=1)]
    description: str | None = None
    max_retries: Annotated[int, msgspec.Meta(ge=0, le=10)] = 2
    rules: Annotated[list[MetricRule], msgspec.Meta(min_length=1)]
    failure_classes: list[FailureClass] = field(default_factory=list)
    presets: list[Preset] = field(default_factory=list)
    advisory: Advisory | None = None

    def __post_init__(self) -> None:
        ids = [rule.id for rule in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(dupes)}")


class QcMetrics(Strict):
    """What `qc()` measures. None: not measurable for this file (e.g. no audio)."""

    duration_s: float | None = None
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    audio_present: float | None = None  # 1.0 or 0.0, so a `min 1` rule can check it
    loudness_lufs: float | None = None  # integrated loudness (EBU R128)
    black_ratio: float | None = None  # share of the duration that is black
    frozen_ratio: float | None = None  # share of the duration that is frozen
    loop_seam: float | None = None  # similarity (SSIM) of the last sampled frame to the first
    pose_detection_ratio: float | None = None  # share of sampled frames with a pose
    frames_sampled: int | None = None
    # The original factory's metrics (docs/qc-metrics.md): 0..1, higher is better.
    identity_consistency: float | None = None  # the subject against the reference image
    identity_drift: float | None = None  # first third of the clip against the last (1: no drift)
    costume_fidelity: float | None = None  # share of frames whose torso and limbs match the reference
    mask_edge_bleed: float | None = None  # 1: a clean subject edge, no halo
    temporal_stability: float | None = None  # flow-warped frame-to-frame consistency
    background_stability: float | None = None  # the background stays still
    audio_video: float | None = None  # audio present, durations agree, in sync
    av_sync_sec: float | None = None  # audio offset, positive when the sound is late; None: no shared events


class MetricResult(Strict):
    rule_id: str
    metric: str
    value: float | None
    threshold: float
    hard_threshold: float
    direction: Literal["min", "max"]
    status: Status
    severity: Severity
    repairable: bool
    retry_stage: str | None
    action: Action  # what this result asks for (finalize when it passes)


class QcReport(Record):
    video: str
    video_sha256: str
    policy_id: str
    sample_fps: float
    video_codec: str | None
    audio_codec: str | None
    metrics: QcMetrics
    results: list[MetricResult]
    passed: bool
    stage_seconds: dict[str, float]  # wall time per stage; analysis and pose overlap
    reference: str | None = None  # the image identity and costume are measured against
    reference_sha256: str | None = None
    metric_basis: dict[str, str] = field(default_factory=dict)  # what each factory metric compares


class UserActionRequired(Record):
    """What a person must do before the run can go on."""

    reason: Literal["retry_budget_exceeded", "not_repairable", "metric_unknown", "policy_escalation"]
    message: str  # what is wrong, in one sentence
    rule_id: str
    metric: str
    value: float | None
    threshold: float
    direction: Literal["min", "max"]
    expected_artifact: str
    example_fix: str


class QualityDecision(Record):
    action: Action
    reason: str
    policy_id: str
    retries_so_far: int
    max_retries: int
    failed_rules: list[str]
    retry_stages: list[str]
    user_action_required: UserActionRequired | None = None
    failure_classes: list[str] = field(default_factory=list)  # the policy's classes of the failing rules
    preset: Preset | None = None  # the settings a fallback runs with (the policy's preset for its class)
    advisory: bool = False  # the policy's advisory mode was on


SCHEMA_MODELS = {
    "qc_policy": QcPolicy,
    "qc_report": QcReport,
    "quality_decision": QualityDecision,
    "user_action_required": UserActionRequired,
}
