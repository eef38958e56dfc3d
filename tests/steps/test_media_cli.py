"""`runner qc VIDEO`, `runner render JOB` and `runner qc import-policy`, outside any run."""

from __future__ import annotations

import json

import pytest
from gated import policy, rule, write
from helpers import SHARED, cli

from runner.hashing import sha256_file
from runner.media import load_policy

# One rule per defect, each with its own action, so the decision names the defect.
DEFECTS = policy(
    rule("duration_s", 3.0, on_fail="abort"),
    rule("black_ratio", 0.1, "max", on_fail="retry"),
    rule("frozen_ratio", 0.25, "max", on_fail="fallback"),
    rule("loudness_lufs", -30.0, hard_threshold=-50.0, on_fail="escalate", on_unknown="finalize"),
)


@pytest.fixture(scope="module")
def defects_policy(tmp_path_factory):
    return write(tmp_path_factory.mktemp("policy") / "defects.json", DEFECTS)


def qc_json(video, policy_file, check: int):
    return cli("qc", video, "--policy", policy_file, "--sample-fps", "2", "--json", check=check).json


@pytest.mark.parametrize("clip, metric, action", [
    ("short.mp4", "duration_s", "abort"),
    ("black.mp4", "black_ratio", "retry"),  # black is frozen too: retry outranks fallback
    ("frozen.mp4", "frozen_ratio", "fallback"),
    ("silent.mp4", "loudness_lufs", "escalate"),
])
def test_a_defective_clip_fails_its_metric_and_decides(media, defects_policy, clip, metric, action):
    out = qc_json(media[clip], defects_policy, check=1)
    decision, results = out["decision"], {r["metric"]: r for r in out["report"]["results"]}
    assert results[metric]["status"] == "HARD_FAIL"
    assert metric in decision["failed_rules"]
    assert decision["action"] == action
    assert out["report"]["passed"] is False
    if action == "escalate":
        assert decision["user_action_required"]["metric"] == metric


def test_a_good_clip_is_finalized(media, defects_policy):
    out = qc_json(media["good.mp4"], defects_policy, check=0)
    assert out["decision"]["action"] == "finalize" and out["decision"]["failed_rules"] == []
    assert all(r["status"] == "PASS" for r in out["report"]["results"])
    assert out["report"]["video_sha256"] == sha256_file(media["good.mp4"])


def test_the_pose_ratio_separates_a_person_from_test_bars(media, tmp_path):
    pose = write(tmp_path / "pose.json", policy(rule("pose_detection_ratio", 0.5, on_fail="escalate")))
    person = qc_json(media["person.mp4"], pose, check=0)
    assert person["report"]["metrics"]["pose_detection_ratio"] >= 0.9
    nobody = qc_json(media["good.mp4"], pose, check=1)
    assert nobody["report"]["metrics"]["pose_detection_ratio"] == 0.0
    assert nobody["decision"]["action"] == "escalate"


def test_qc_writes_its_report_and_decision_with_out(media, defects_policy, tmp_path):
    cli("qc", media["silent.mp4"], "--policy", defects_policy, "--sample-fps", "2", "--out", tmp_path / "qc",
        check=1)
    assert json.loads((tmp_path / "qc" / "quality_decision.json").read_text())["action"] == "escalate"
    assert (tmp_path / "qc" / "qc_report.json").is_file()


def test_render_outside_a_run_is_deterministic(media_ws):
    job = media_ws / "jobs" / "with-audio.job.json"
    first = cli("render", job, "--base", media_ws, "--out", media_ws / "out1", "--json", check=0).json
    second = cli("render", job, "--base", media_ws, "--out", media_ws / "out2", "--json", check=0).json
    digest = sha256_file(media_ws / "out1" / "final.mp4")
    assert digest == sha256_file(media_ws / "out2" / "final.mp4")
    assert first["outputs"] == second["outputs"]
    assert [o["sha256"] for o in first["outputs"] if o["path"] == "final.mp4"] == [digest]
    assert json.loads((media_ws / "out1" / "result.json").read_text())["job_id"] == "with-audio"
    assert not list((media_ws / "runs").glob("run_*"))  # no run was created


CAF_POLICY = SHARED / "conformance" / "caf" / "examples" / "qc_policy.v1.json"


@pytest.mark.skipif(not CAF_POLICY.is_file(), reason=f"{CAF_POLICY} is not here")
def test_import_policy_writes_a_policy_that_loads(tmp_path):
    target = tmp_path / "imported.json"
    cli("qc", "import-policy", CAF_POLICY, target, check=0)
    caf = json.loads(CAF_POLICY.read_text())
    imported = load_policy(target)
    assert [r.id for r in imported.rules] == [g["gate_id"] for g in caf["gates"]]
    assert imported.max_retries == caf.get("max_retries_default", 2)
    assert {r.on_fail for r in imported.rules} <= {"finalize", "retry", "fallback", "escalate", "abort"}
