"""`runner qc VIDEO --reference IMAGE --policy THEIRS --out DIR`: the imported policy
decides from measured values; their files are written beside runner's."""

from __future__ import annotations

import json

from helpers import cli

from runner.media import load_policy


def test_their_policy_imported_then_decides_finalize(scenes, their_policy_file, tmp_path):
    ours = tmp_path / "policy.json"
    cli("qc", "import-policy", their_policy_file, ours, check=0)
    out = tmp_path / "out"
    result = cli("qc", scenes["clean"], "--reference", scenes["hero"], "--policy", ours, "--out", out, "--json",
                 check=0)
    data = json.loads(result.out)
    assert data["decision"]["action"] == "finalize"
    assert not [r for r in data["report"]["results"] if r["status"] == "UNKNOWN"]
    assert len(load_policy(ours).rules) == 8
    written = {p.name for p in out.iterdir()}
    assert {"qc_report.json", "qc_report.v1.json", "recast_quality_report.v1.json"} <= written
    recast = json.loads((out / "recast_quality_report.v1.json").read_text())
    assert recast["overall"]["pass"] is True and recast["job_id"] == "clean"


def test_recoloured_subject_escalates_with_exit_1(scenes, their_policy_file):
    result = cli("qc", scenes["recolour"], "--reference", scenes["hero"], "--policy", their_policy_file, check=1)
    assert "decision: escalate" in result.out and "costume_fidelity" in result.out


def test_runner_format_only_writes_no_recast_report(scenes, tmp_path):
    cli("qc", scenes["synced"], "--reference", scenes["hero"], "--out", tmp_path, "--format", "runner")
    assert not (tmp_path / "recast_quality_report.v1.json").exists()


def test_reference_without_a_subject_is_refused_in_one_line(scenes, tmp_path):
    blank = tmp_path / "blank.png"
    import numpy as np
    from skimage import io

    io.imsave(blank, np.full((64, 64, 3), 128, np.uint8), check_contrast=False)
    result = cli("qc", scenes["clean"], "--reference", blank, "--out", tmp_path / "out", check=4)
    assert "no subject found in the reference image" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()  # nothing written


def test_reference_that_is_not_an_image_is_refused(scenes, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    result = cli("qc", scenes["clean"], "--reference", text, check=4)
    assert "cannot read the reference image" in result.err
