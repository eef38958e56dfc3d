"""The re-cast loop closes and is audited: an accepted re-cast becomes the product the
later gates use, its QC attempt hashes its own fresh QC files, every file it brings is
hashed in an attempt, and `runner verify` catches a change to any of them."""

from __future__ import annotations

import shutil

import pytest
from gated import ART, drive, install, load_attempt, load_run, policy, read, rule, write
from helpers import cli

from runner.hashing import sha256_file

PACK = f"{ART}/recast"
QC_CONTRACT = {
    "gate": "QC", "name": "QC", "description": "the report and decision of the video",
    "required_outputs": {"all_of": [
        {"path": "{artifact_path}/qc/qc_report.json", "description": "report"},
        {"path": "{artifact_path}/qc/quality_decision.json", "description": "decision"}]},
    "validations": [{"type": "file_exists", "target": "all_required"}],
}


@pytest.fixture
def reingested(media_ws, media):
    """A run whose re-cast (good.mp4, other bytes than the render) was re-ingested and
    passed QC; the run waits at REVIEW."""
    root = media_ws
    write(root / "contracts" / "QC.contract.json", QC_CONTRACT)
    wf = install(root, policy(rule("audio_present", 1.0, on_fail="retry")), job="jobs/with-audio.job.json",
                 recast=True, publish=True)
    run_id = drive(root, wf, check=3).json["run_id"]
    rendered = sha256_file(root / ART / "render" / "final.mp4")
    cli("recast", "export", "--repo", root, "--run", run_id, check=0)
    (root / "incoming").mkdir()
    video = shutil.copyfile(media["good.mp4"], root / "incoming" / "recast.mp4")
    assert sha256_file(video) != rendered
    life = cli("recast", "reingest", "--repo", root, "--run", run_id, "--video", video, "--json",
               check=0).json["lifecycle"]
    return root, run_id, life


def artifacts(root, run_id, gate, number) -> dict[str, str]:
    return {a.path: a.sha256 for a in load_attempt(root, run_id, gate, number).artifacts}


def test_the_accepted_recast_is_the_product_later_gates_publish(reingested):
    root, run_id, life = reingested
    recast = life["result_sha256"]
    assert sha256_file(root / ART / "render" / "final.mp4") == recast
    cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "REVIEW", "--note", "fine", check=0)
    assert cli("run", "resume", "--repo", root, "--run", run_id, "--json", check=0).json["status"] == "PASSED"
    assert sha256_file(root / ART / "dist.mp4") == recast


def test_the_recast_qc_attempt_hashes_its_own_fresh_files(reingested):
    root, run_id, life = reingested
    number = life["qc_attempt"]
    hashed = artifacts(root, run_id, "QC", number)
    report = root / ART / "qc" / "qc_report.json"
    assert read(report)["video_sha256"] == life["result_sha256"]
    for name in ("qc_report.json", "quality_decision.json"):
        assert hashed[f"{ART}/qc/{name}"] == sha256_file(root / ART / "qc" / name)
    assert hashed[f"{ART}/render/final.mp4"] == life["result_sha256"]
    assert not (root / PACK / "qc").exists()  # no second, unchecked copy of the QC files


def test_every_file_the_recast_brings_is_hashed_in_an_attempt(reingested):
    root, run_id, life = reingested
    recast = load_run(root, run_id).gate("RECAST").attempts[-1].attempt
    hashed = artifacts(root, run_id, "RECAST", recast)
    for name in ("hero.png", "motion.mp4", "prompt.txt", "instructions.md", "manifest.json"):
        assert hashed[f"{PACK}/{name}"] == sha256_file(root / PACK / name)
    assert hashed[life["result_video"]] == life["result_sha256"]
    assert hashed[f"{ART}/render/final.mp4"] == life["result_sha256"]


@pytest.mark.parametrize("path", ["{pack}/result/recast.mp4", "{art}/render/final.mp4", "{art}/qc/qc_report.json",
                                  "{art}/qc/quality_decision.json", "{pack}/motion.mp4"])
def test_verify_catches_appended_bytes_in_any_recast_file(reingested, path):
    root, _run_id, _life = reingested
    assert cli("verify", "--repo", root, "--json", check=0).json["ok"] is True
    rel = path.format(pack=PACK, art=ART)
    with (root / rel).open("ab") as fh:
        fh.write(b"\0appended")
    report = cli("verify", "--repo", root, "--json", check=1).json
    changed = {f["message"].split(" ")[0] for f in report["findings"] if f["code"] == "artifact-changed"}
    assert rel in changed, report["findings"]
