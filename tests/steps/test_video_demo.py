"""The demo: orchestration/workflows/video.json end to end in a temporary workspace set
up as examples/demo.py does (plan → render → QC routes a retry of RENDER → review →
publish), then published with `runner handoff register`."""

from __future__ import annotations

import os
import shutil

import pytest
from gated import load_attempt, load_run, read
from helpers import PYTHON, REPO, cli, git

ART = "videos/astronaut"


@pytest.fixture
def demo_ws(ws_root, monkeypatch):
    for folder in ("contracts", "orchestration", "schemas"):
        shutil.copytree(REPO / folder, ws_root / folder, dirs_exist_ok=True)
    shutil.copytree(REPO / "examples", ws_root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    # The command gates run `python`: the venv's, with scikit-image.
    monkeypatch.setenv("PATH", f"{PYTHON.parent}{os.pathsep}{os.environ['PATH']}")
    return ws_root


def test_the_video_demo_retries_render_once_then_passes(demo_ws):
    root = demo_ws
    cli("contracts", "validate", "--repo", root, check=0)
    out = cli("run", "video", "--repo", root, "--slug", "astronaut", "--artifact-path", ART, "--json", check=3).json
    run_id = out["run_id"]
    assert (out["gate"], out["waiting_for"]) == ("REVIEW", "decision")

    first = load_attempt(root, run_id, "QC", 1)
    assert first.status == "FAIL"
    assert (first.route.action, first.route.target) == ("retry", "RENDER")
    assert first.route.params == {"job": "{artifact_path}/plan/video-with-audio.job.json"}
    run = load_run(root, run_id)
    assert [a.status for a in run.gate("RENDER").attempts] == ["PASS", "PASS"]
    assert [a.status for a in run.gate("QC").attempts] == ["FAIL", "PASS"]
    assert load_attempt(root, run_id, "RENDER", 2).params == first.route.params
    assert read(root / ART / "render" / "result.json")["job_id"] == "astronaut-v2"
    decision = read(root / ART / "qc" / "quality_decision.json")
    assert (decision["action"], decision["retries_so_far"]) == ("finalize", 1)
    assert read(root / ART / "qc" / "qc_report.json")["metrics"]["pose_detection_ratio"] >= 0.9

    cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "REVIEW", "--by", "the test",
        "--note", "approved by the test", check=0)
    done = cli("run", "resume", "--repo", root, "--run", run_id, "--json", check=0).json
    assert done["status"] == "PASSED"
    assert (root / ART / "dist" / "final.mp4").is_file()

    subjects = git(root, "log", "--format=%s").splitlines()
    for step in ("PLAN attempt 1 PASS", "RENDER attempt 1 PASS", "QC attempt 1 FAIL, retry RENDER",
                 "RENDER attempt 2 PASS", "QC attempt 2 PASS", "REVIEW attempt 1 PASS",
                 "REVIEW attempt 1 APPROVED by the test", "PUBLISH attempt 1 PASS", "complete PASSED"):
        assert any(s.endswith(step) for s in subjects), (step, subjects)

    cli("handoff", "register", "--repo", root, "--run", run_id, "--platform", "youtube",
        "--url", "https://example.org/astronaut", "--video", root / ART / "dist" / "final.mp4", check=0)
    assert load_run(root, run_id).status == "POSTED"
