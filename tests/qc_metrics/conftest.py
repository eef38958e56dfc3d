"""Clips made for the factory's metrics (qcm_scenes.py), built once per session, and
their QC reports under the original factory's own policy, imported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)
pytest.importorskip("mediapipe")

CAF = Path("/work/shared/conformance/caf")
THEIR_POLICY = {
    "version": "qc_policy.v1", "policy_id": "default-motion-identity-v1", "max_retries_default": 2,
    "default_action_on_missing_report": "ESCALATE_USER",
    "gates": [
        {"gate_id": "identity_consistency_gate", "metric": "identity_consistency", "dimension": "identity",
         "threshold": 0.7, "severity": "HIGH", "repairable": True, "failure_action": "RETRY_STAGE",
         "target_stage": "frame"},
        {"gate_id": "mask_edge_bleed_gate", "metric": "mask_edge_bleed", "dimension": "identity", "threshold": 0.6,
         "severity": "MEDIUM", "repairable": True, "failure_action": "RETRY_STAGE", "target_stage": "frame"},
        {"gate_id": "temporal_stability_gate", "metric": "temporal_stability", "dimension": "motion",
         "threshold": 0.7, "severity": "MEDIUM", "repairable": True, "failure_action": "RETRY_STAGE",
         "target_stage": "motion"},
        {"gate_id": "loop_seam_gate", "metric": "loop_seam", "dimension": "motion", "threshold": 0.7,
         "severity": "LOW", "repairable": True, "failure_action": "RETRY_STAGE", "target_stage": "motion"},
        {"gate_id": "audio_video_gate", "metric": "audio_video", "dimension": "audio", "threshold": 0.95,
         "severity": "HIGH", "repairable": True, "failure_action": "RETRY_STAGE", "target_stage": "video"},
        {"gate_id": "costume_fidelity_gate", "metric": "costume_fidelity", "dimension": "costume", "threshold": 1.0,
         "severity": "CRITICAL", "repairable": False, "failure_action": "ESCALATE_USER", "target_stage": "artifact"},
        {"gate_id": "background_stability_gate", "metric": "background_stability", "dimension": "motion",
         "threshold": 0.8, "severity": "MEDIUM", "repairable": True, "failure_action": "RETRY_STAGE",
         "target_stage": "motion"},
        {"gate_id": "identity_drift_gate", "metric": "identity_drift", "dimension": "identity", "threshold": 0.8,
         "severity": "HIGH", "repairable": True, "failure_action": "RETRY_STAGE", "target_stage": "frame"},
    ],
}  # fmt: skip  (their shipped qc_policy.v1.json's gates, for machines without ../shared)


@pytest.fixture(scope="session")
def their_policy_file(tmp_path_factory) -> Path:
    """Their shipped qc_policy.v1.json when ../shared is here, else the same gates."""
    shipped = CAF / "examples" / "qc_policy.v1.json"
    if shipped.is_file():
        return shipped
    path = tmp_path_factory.mktemp("policy") / "qc_policy.v1.json"
    path.write_text(json.dumps(THEIR_POLICY))
    return path


@pytest.fixture(scope="session")
def their_policy(their_policy_file):
    from runner.media import read_policy

    return read_policy(their_policy_file)


@pytest.fixture(scope="session")
def scenes(tmp_path_factory) -> dict[str, Path]:
    import qcm_scenes

    return qcm_scenes.build(tmp_path_factory.mktemp("scenes"))


@pytest.fixture(scope="session")
def reports(scenes, their_policy):
    """QC of every clip against the hero image, under their policy."""
    from runner.media import qc

    return {name: qc(path, their_policy, reference=scenes["hero"]) for name, path in scenes.items() if name != "hero"}
