"""The original factory's eight QC metrics, measured from QC's one decoding pass (see
docs/qc-metrics.md): identity_consistency, identity_drift, costume_fidelity,
mask_edge_bleed, temporal_stability, background_stability (collect.py and the modules it
calls), audio_video (sync.py), loop_seam (qc_metrics.loop_seam). Scores in 0..1, higher
is better. numpy, OpenCV and mediapipe are imported inside the functions."""

from __future__ import annotations

FACTORY_METRICS = ("identity_consistency", "identity_drift", "mask_edge_bleed", "temporal_stability",
                   "background_stability", "loop_seam", "audio_video", "costume_fidelity")


def basis(reference_rel: str | None) -> dict[str, str]:
    """What each metric compares against, for the report."""
    ref = f"the reference image {reference_rel}" if reference_rel else "no reference image (not measured)"
    return {
        "identity_consistency": f"subject (pose mask) hue-saturation histogram and body proportions of every "
                                f"sampled frame against {ref}",
        "identity_drift": "the subject's hue-saturation histogram and proportions in the first third of the clip "
                          "against the last third",
        "costume_fidelity": f"torso and limb regions (pose landmarks) of every sampled frame against the same "
                            f"regions of {ref}: share of frames that match",
        "mask_edge_bleed": "pixels within 3 px of the subject mask's edge against the subject just inside and the "
                           "background just outside",
        "temporal_stability": "each sampled frame against the one before, warped by optical flow (SSIM), and the "
                              "flow against the flow before (jerk)",
        "background_stability": "the background (outside both subject masks) of each sampled frame against the "
                                "one before, without motion compensation",
        "audio_video": "audio stream present; audio duration against video duration; audio level changes "
                       "against picture changes, cross-correlated (av_sync_sec)",
        "loop_seam": "the last sampled frame against the first (SSIM)",
    }
