"""Helpers of the media-step tier: write render jobs, QC policies and small workflows
(render → QC → human review) into a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

SIZE, FPS, SECONDS = 160, 10, 4
ART = "videos/clip"
OUTPUT = {"width": SIZE, "height": SIZE, "fps": FPS, "preset": "ultrafast", "crf": 30}


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def job(job_id: str, audio: bool = True, clip: str = "assets/bars.mp4") -> dict:
    data = {"schema_version": 1, "job_id": job_id, "visuals": [{"kind": "clip", "path": clip}], "output": OUTPUT}
    if audio:
        data["audio"] = {"path": "assets/tone.wav"}
    return data


def rule(metric: str, threshold: float, direction: str = "min", **extra) -> dict:
    return {"id": extra.pop("id", metric), "metric": metric, "threshold": threshold, "direction": direction,
            "retry_stage": extra.pop("retry_stage", "RENDER"), **extra}


def policy(*rules: dict, max_retries: int = 2, policy_id: str = "test") -> dict:
    return {"schema_version": 1, "policy_id": policy_id, "max_retries": max_retries, "rules": list(rules)}


def install(root: Path, qc_policy: dict, *, job: str = "jobs/silent.job.json", qc_params: dict | None = None,
            recast: bool | dict = False, name: str = "mini", publish: bool = False, stages: dict | None = None) -> str:
    """Write workflow `name`: RENDER (job) → QC (qc_policy, sample_fps 2) → [RECAST] →
    REVIEW (a person approves) → [PUBLISH: copies render/final.mp4 to dist/final.mp4].
    Returns the workflow's name."""
    write(root / "policies" / f"{name}.json", qc_policy)
    qc = {"video": "{artifact_path}/render/final.mp4", "policy": f"policies/{name}.json",
          "out": "{artifact_path}/qc", "sample_fps": 2, **(qc_params or {})}
    gates = [
        {"gate": "RENDER", "kind": "render", "params": {"job": job, "out": "{artifact_path}/render"}},
        {"gate": "QC", "kind": "qc", "params": qc},
    ]
    if recast:
        gates.append({"gate": "RECAST", "kind": "recast",
                      "params": {"hero_image": "assets/astronaut.png",
                                 "motion_video": "{artifact_path}/render/final.mp4",
                                 **(recast if isinstance(recast, dict) else {})}})
    gates.append({"gate": "REVIEW", "kind": "human", "approval": {"required": True}})
    if publish:
        gates.append({"gate": "PUBLISH", "kind": "command",
                      "command": ["cp", "{artifact_path}/render/final.mp4", "{artifact_path}/dist.mp4"]})
    declared = {"workflow": name, "version": "1", "gates": gates, **({"stages": stages} if stages else {})}
    write(root / "orchestration" / "workflows" / f"{name}.json", declared)
    return name



def drive(root: Path, workflow: str, check: int | None = None):
    """`runner run WORKFLOW` in process, on the artifact folder ART."""
    from helpers import cli

    return cli("run", workflow, "--repo", root, "--slug", "clip", "--artifact-path", ART, "--json", check=check)


def load_run(root: Path, run_id: str):
    from runner import Repo

    return Repo(root).run(run_id)


def load_attempt(root: Path, run_id: str, gate: str, number: int):
    from runner import Repo

    return Repo(root).attempt(run_id, gate, number)


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def route_events(run) -> list[dict]:
    return [msgspec.to_builtins(e) for e in run.events if e.type == "route"]
