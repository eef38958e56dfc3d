"""Clips made for the factory's metrics (qcm_scenes.py), built once per session, and
their QC reports under the original factory's own policy, imported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import SHARED

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)
pytest.importorskip("mediapipe")

CAF = SHARED / "conformance" / "caf"
# Their shipped qc_policy.v1.json's gates, for machines without ../shared:
# (metric, dimension, threshold, severity, repairable, failure_action, target_stage).
_GATES = [
    ("identity_consistency", "identity", 0.7, "HIGH", True, "RETRY_STAGE", "frame"),
    ("mask_edge_bleed", "identity", 0.6, "MEDIUM", True, "RETRY_STAGE", "frame"),
    ("temporal_stability", "motion", 0.7, "MEDIUM", True, "RETRY_STAGE", "motion"),
    ("loop_seam", "motion", 0.7, "LOW", True, "RETRY_STAGE", "motion"),
    ("audio_video", "audio", 0.95, "HIGH", True, "RETRY_STAGE", "video"),
    ("costume_fidelity", "costume", 1.0, "CRITICAL", False, "ESCALATE_USER", "artifact"),
    ("background_stability", "motion", 0.8, "MEDIUM", True, "RETRY_STAGE", "motion"),
    ("identity_drift", "identity", 0.8, "HIGH", True, "RETRY_STAGE", "frame"),
]
_KEYS = ("metric", "dimension", "threshold", "severity", "repairable", "failure_action", "target_stage")
THEIR_POLICY = {
    "version": "qc_policy.v1", "policy_id": "default-motion-identity-v1", "max_retries_default": 2,
    "default_action_on_missing_report": "ESCALATE_USER",
    "gates": [{"gate_id": f"{g[0]}_gate", **dict(zip(_KEYS, g))} for g in _GATES],
}


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
