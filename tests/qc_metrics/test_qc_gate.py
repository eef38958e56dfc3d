"""Inside a run: a QC gate's `params.reference` (the job's hero image) is what identity
and costume are measured against; their recast_quality_report.v1 is written beside the
other QC files and the imported policy routes from measured values."""

from __future__ import annotations

import json
import shutil

from helpers import cli


def test_a_qc_gate_measures_against_the_jobs_hero_image(ws_root, scenes, their_policy_file):
    for source, target in ((scenes["clean"], "videos/clean.mp4"), (scenes["hero"], "assets/hero.png"),
                           (their_policy_file, "policies/qc_policy.v1.json")):
        (ws_root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, ws_root / target)
    gate = {"gate": "QC", "kind": "qc", "params": {"video": "videos/clean.mp4", "reference": "assets/hero.png",
                                                  "policy": "policies/qc_policy.v1.json", "out": "{artifact_path}/qc"}}
    workflow = ws_root / "orchestration" / "workflows" / "look.json"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(json.dumps({"workflow": "look", "version": "1", "gates": [gate]}))
    cli("run", "look", "--repo", ws_root, "--slug", "clip", "--artifact-path", "videos/clip", "--json", check=0)
    qc = ws_root / "videos" / "clip" / "qc"
    report = json.loads((qc / "qc_report.json").read_text())
    assert report["reference"] == "assets/hero.png"
    assert not [r for r in report["results"] if r["status"] != "PASS"]
    recast = json.loads((qc / "recast_quality_report.v1.json").read_text())
    assert recast["job_id"] == "clip" and recast["overall"]["pass"] is True
    assert json.loads((qc / "quality_decision.json").read_text())["action"] == "finalize"
