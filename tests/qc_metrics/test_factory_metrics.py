"""Each of the factory's metrics on a clip made to move it, against the clean clip:
the direction and a margin, never a snapshot of floats."""

from __future__ import annotations

import pytest

from runner.media import decide, qc
from runner.media.metrics import FACTORY_METRICS
from runner.models.base import to_data


def value(reports, clip: str, metric: str) -> float:
    found = getattr(reports[clip].metrics, metric)
    assert found is not None, f"{metric} not measured on {clip}"
    return found


def status(report, metric: str) -> str:
    return next(r.status for r in report.results if r.metric == metric)


def test_clean_clip_passes_all_eight_and_finalizes(reports, their_policy):
    report = reports["clean"]
    assert {r.metric for r in report.results} == set(FACTORY_METRICS)
    assert [r for r in report.results if r.status != "PASS"] == []
    assert decide(report, their_policy, 0).action == "finalize"
    for metric in FACTORY_METRICS:
        assert 0.0 <= value(reports, "clean", metric) <= 1.0


def test_every_metric_names_what_it_compares(reports, scenes):
    report = reports["clean"]
    assert report.reference == scenes["hero"].name and len(report.reference_sha256) == 64
    assert set(FACTORY_METRICS) <= set(report.metric_basis)
    assert "hero.png" in report.metric_basis["identity_consistency"]
    assert "first third" in report.metric_basis["identity_drift"]


def test_subject_recoloured_halfway_drops_identity_and_costume(reports, their_policy):
    assert value(reports, "recolour", "identity_consistency") < value(reports, "clean", "identity_consistency") - 0.2
    assert value(reports, "recolour", "identity_drift") < value(reports, "clean", "identity_drift") - 0.4
    assert value(reports, "recolour", "costume_fidelity") <= 0.6  # the second half no longer matches
    assert value(reports, "clean", "costume_fidelity") == 1.0
    decision = decide(reports["recolour"], their_policy, 0)
    assert decision.action == "escalate"  # their costume gate is not repairable
    assert {"identity_drift_gate", "costume_fidelity_gate"} <= set(decision.failed_rules)
    # the backdrop and the motion are those of the clean clip
    assert value(reports, "recolour", "temporal_stability") > 0.9


def test_shaking_flickering_background_drops_background_stability(reports, their_policy):
    assert value(reports, "jitter", "background_stability") < value(reports, "clean", "background_stability") - 0.4
    assert status(reports["jitter"], "background_stability") != "PASS"
    assert value(reports, "jitter", "identity_consistency") > 0.7  # the subject is unchanged
    decision = decide(reports["jitter"], their_policy, 0)
    assert decision.action == "retry" and "motion" in decision.retry_stages


@pytest.mark.parametrize("clip", ["cuts", "shuffled"])
def test_cuts_and_shuffles_drop_temporal_stability(reports, clip):
    assert value(reports, clip, "temporal_stability") < value(reports, "clean", "temporal_stability") - 0.4
    assert status(reports[clip], "temporal_stability") != "PASS"


def test_sway_is_intended_motion_not_instability(reports):
    assert value(reports, "clean", "temporal_stability") > 0.9  # the subject moves 40 px back and forth


def test_haloed_composite_raises_mask_bleed(reports, their_policy):
    assert value(reports, "halo", "mask_edge_bleed") < value(reports, "clean", "mask_edge_bleed") - 0.3
    assert status(reports["halo"], "mask_edge_bleed") != "PASS"
    decision = decide(reports["halo"], their_policy, 0)
    assert "mask_edge_bleed_gate" in decision.failed_rules and "frame" in decision.retry_stages


def test_audio_300_ms_late_is_found_within_40_ms(reports):
    assert value(reports, "late_audio", "av_sync_sec") == pytest.approx(0.3, abs=0.04)
    assert value(reports, "synced", "av_sync_sec") == pytest.approx(0.0, abs=0.04)
    assert value(reports, "synced", "audio_video") >= 0.95
    assert value(reports, "late_audio", "audio_video") < 0.95 - 0.3
    assert status(reports["late_audio"], "audio_video") != "PASS"


def test_no_shared_events_leave_the_offset_unmeasured_not_failed(reports):
    assert reports["clean"].metrics.av_sync_sec is None  # a steady tone under a swaying subject
    assert reports["clean"].metrics.audio_video == 1.0


def test_same_video_same_measures(scenes, reports, their_policy):
    again = qc(scenes["jitter"], their_policy, reference=scenes["hero"])
    assert to_data(again.metrics) == to_data(reports["jitter"].metrics)
    assert to_data(again.results) == to_data(reports["jitter"].results)


def test_without_reference_only_identity_and_costume_are_unknown(scenes, their_policy):
    report = qc(scenes["clean"], their_policy)
    unknown = {r.metric for r in report.results if r.status == "UNKNOWN"}
    assert unknown == {"identity_consistency", "costume_fidelity"}
    assert report.reference is None and "not measured" in report.metric_basis["identity_consistency"]
    assert report.metrics.identity_drift > 0.8  # the clip against itself needs no reference


def test_a_still_clip_is_perfectly_stable(tmp_path, their_policy):
    """Identical frames are run through mediapipe once (the pose pool repeats the result):
    every repeat is measured as the frame it repeats."""
    import numpy as np
    import qcm_clips as c

    rgb, alpha = c.astronaut_cutout()
    still = c.composite(c.background(), rgb, alpha, 170, 40)
    clip = c.encode(tmp_path / "still.mp4", (still for _ in range(2 * c.FPS)), 2 * c.FPS, c.tone(2))
    report = qc(clip, their_policy)
    m = report.metrics
    assert m.frames_sampled == 10 and m.pose_detection_ratio == 1.0
    assert m.temporal_stability >= 0.99 and m.background_stability == 1.0
    assert m.identity_drift >= 0.99 and m.loop_seam >= 0.99
    assert np.isfinite(m.mask_edge_bleed)
