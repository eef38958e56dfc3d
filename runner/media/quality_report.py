"""The original factory's `recast_quality_report.v1`, written from runner's QC report so
their tools read the scores of a re-cast as they are.

Their schema has room for five metrics (identity_consistency, mask_edge_bleed,
temporal_stability, loop_seam, audio_video) and refuses any other key, so identity_drift,
background_stability and costume_fidelity are only in runner's report and in their
qc_report.v1 (caf_qc). Fixed choices their schema forces:
- a threshold is the policy's `min` rule for the metric when it is in 0..1, else the one
  of their shipped qc_policy.v1 (DEFAULT_THRESHOLDS);
- `av_sync_sec` is required: when the offset could not be measured (no shared
  audio-visual events) it is 0.0 and the reason says so;
- `video_relpath` must lie under `sandbox/`: a video outside their layout is named
  `sandbox/output/<job_id>/final.mp4` (a name, not a file; runner's report has the real one);
- `overall.score` is the mean of the available scores, as in their example."""

from __future__ import annotations

import re
from pathlib import Path

from runner import jsonio
from runner.models.qc import QcPolicy, QcReport

FILE = "recast_quality_report.v1.json"
SCORED = ("identity_consistency", "mask_edge_bleed", "temporal_stability", "loop_seam")
DEFAULT_THRESHOLDS = {"identity_consistency": 0.7, "mask_edge_bleed": 0.6, "temporal_stability": 0.7,
                      "loop_seam": 0.7, "audio_video": 0.95}
_VIDEO = re.compile(r"^sandbox/.+\.(mp4|mov|mkv|webm)$")


def threshold(policy: QcPolicy, metric: str) -> float:
    for rule in policy.rules:
        if rule.metric == metric and rule.direction == "min" and 0.0 <= rule.threshold <= 1.0:
            return rule.threshold
    return DEFAULT_THRESHOLDS[metric]


def _scored(report: QcReport, policy: QcPolicy, metric: str) -> dict:
    value = getattr(report.metrics, metric)
    limit = threshold(policy, metric)
    entry = {"available": value is not None, "score": None if value is None else round(min(1.0, max(0.0, value)), 4),
             "threshold": limit, "pass": value is not None and value >= limit}
    basis = report.metric_basis.get(metric)
    entry["reason"] = f"not measured: {basis}" if value is None else f"{value:.4g} against {limit:g}; {basis}"
    return entry


def _audio_video(report: QcReport, policy: QcPolicy) -> dict:
    m = report.metrics
    limit, score = threshold(policy, "audio_video"), m.audio_video or 0.0
    present = bool(m.audio_present)
    if not present:
        reason = "no audio stream"
    elif m.av_sync_sec is None:
        reason = "offset not measured: no audio-visual events to align (av_sync_sec 0.0 is a placeholder)"
    else:
        reason = f"audio {'late' if m.av_sync_sec > 0 else 'early'} by {abs(m.av_sync_sec):.3f} s"
    return {"audio_stream_present": present, "av_sync_sec": m.av_sync_sec or 0.0, "score": round(score, 4),
            "threshold": limit, "pass": present and score >= limit, "reason": reason}


def recast_quality_report(report: QcReport, policy: QcPolicy, *, job_id: str, video_rel: str | None,
                          at: str) -> dict:
    """Their `recast_quality_report.v1` of our report. `video_rel`: the video, workspace-relative."""
    metrics = {name: _scored(report, policy, name) for name in SCORED}
    metrics["audio_video"] = _audio_video(report, policy)
    scores = [entry["score"] for entry in metrics.values() if entry["score"] is not None]
    failed = [name for name, entry in metrics.items() if not entry["pass"]]
    return {
        "version": "recast_quality_report.v1", "job_id": job_id,
        "video_relpath": video_rel if video_rel and _VIDEO.match(video_rel) else f"sandbox/output/{job_id}/final.mp4",
        "generated_at": at, "metrics": metrics,
        "overall": {"score": round(sum(scores) / len(scores), 4) if scores else 0.0, "pass": not failed,
                    "failed_metrics": failed},
    }  # fmt: skip


def write_recast_quality(out: Path, report: QcReport, policy: QcPolicy, *, job_id: str, video_rel: str | None,
                         at: str) -> Path:
    jsonio.write_atomic(out / FILE, recast_quality_report(report, policy, job_id=job_id, video_rel=video_rel, at=at))
    return out / FILE
