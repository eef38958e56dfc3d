"""Helpers of the report tests: a small video workflow (render, QC that routes a retry,
a person's review) written into a workspace."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from helpers import REPO, git

from runner import schemas

ART = "videos/clip"
HOSTILE = '<script>alert("x")</script> & <img src="http://example.org/x.png">'
OUTPUT = {"width": 160, "height": 160, "fps": 10, "preset": "ultrafast", "crf": 30}


def _json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def make_video_workspace(root: Path) -> None:
    """Assets, two render jobs, a QC policy and the workflow `clip`, committed by the user."""
    assets = root / "assets"
    assets.mkdir()
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x160:r=10", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", str(assets / "bars.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3", str(assets / "tone.wav"))
    job = {"schema_version": 1, "job_id": "silent", "visuals": [{"kind": "clip", "path": "assets/bars.mp4"}],
           "output": OUTPUT}
    _json(root / "jobs" / "silent.job.json", job)
    _json(root / "jobs" / "sound.job.json", {**job, "job_id": "sound", "audio": {"path": "assets/tone.wav"}})
    rule = {"id": "audio_present", "metric": "audio_present", "threshold": 1.0, "direction": "min",
            "retry_stage": "RENDER", "on_fail": "retry"}
    _json(root / "policies" / "clip.json", {"schema_version": 1, "policy_id": "clip", "max_retries": 2,
                                            "rules": [rule]})
    for name in ("RENDER", "QC"):  # the project's contracts, and the schemas they check against
        shutil.copyfile(REPO / "contracts" / f"{name}.contract.json", root / "contracts" / f"{name}.contract.json")
    schemas.write(root / "schemas")  # as the record types make them now
    gates = [
        {"gate": "RENDER", "kind": "render", "contract": "contracts/RENDER.contract.json",
         "params": {"job": "jobs/silent.job.json", "out": "{artifact_path}/render"}},
        {"gate": "QC", "kind": "qc", "contract": "contracts/QC.contract.json", "params": {"video": "{artifact_path}/render/final.mp4", "policy": "policies/clip.json",
                                                "out": "{artifact_path}/qc", "sample_fps": 2,
                                                "retry": {"gate": "RENDER", "params": {"job": "jobs/sound.job.json"}}}},
        {"gate": "REVIEW", "kind": "human", "approval": {"required": True}},
    ]
    _json(root / "orchestration" / "workflows" / "clip.json", {"workflow": "clip", "version": "1", "gates": gates})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: a video workflow")
