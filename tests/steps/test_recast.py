"""The external re-cast handoff: export a pack, refuse what must be refused, re-ingest a
video as a new QC attempt, and never twice for the same file."""

from __future__ import annotations

import shutil

import pytest
from gated import ART, drive, install, load_run, policy, read, rule
from helpers import cli, commit_count

from runner.hashing import sha256_file

PACK = f"{ART}/recast"


@pytest.fixture
def exported(media_ws):
    """A run paused at REVIEW (its QC passed) whose re-cast pack was exported."""
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail="retry")), job="jobs/with-audio.job.json",
                 recast=True)
    run_id = drive(media_ws, wf, check=3).json["run_id"]
    life = cli("recast", "export", "--repo", media_ws, "--run", run_id, "--json", check=0).json
    assert life["state"] == "EXPORTED" and [t["state"] for t in life["history"]] == ["EXPORTED"]
    return media_ws, run_id


def reingest(root, run_id, video, check: int):
    return cli("recast", "reingest", "--repo", root, "--run", run_id, "--video", video, "--json", check=check)


def qc_attempts(root, run_id) -> int:
    return len(load_run(root, run_id).gate("QC").attempts)


def test_export_writes_a_hashed_pack_and_the_gate_waits_for_outputs(exported):
    root, run_id = exported
    manifest = read(root / PACK / "manifest.json")
    assert sorted(f["role"] for f in manifest["files"]) == ["hero_image", "instructions", "motion_video", "prompt"]
    for f in manifest["files"]:
        assert sha256_file(root / f["path"]) == f["sha256"]
    assert sha256_file(root / PACK / "hero.png") == sha256_file(root / "assets" / "astronaut.png")
    assert sha256_file(root / PACK / "motion.mp4") == sha256_file(root / ART / "render" / "final.mp4")
    life = read(root / PACK / "lifecycle.json")
    assert life["pack_manifest_sha256"] == sha256_file(root / PACK / "manifest.json")

    inbox = cli("inbox", "--repo", root, "--json", check=0).json
    waiting = {i["gate"]: i["waiting_for"] for i in inbox}
    assert waiting == {"RECAST": "outputs", "REVIEW": "decision"}
    assert load_run(root, run_id).gate("RECAST").status == "RUNNING"


def test_reingest_refuses_outside_files_non_videos_and_a_changed_pack(exported, tmp_path, media):
    root, run_id = exported
    attempts, commits = qc_attempts(root, run_id), commit_count(root)
    outside = shutil.copyfile(media["good.mp4"], tmp_path / "outside.mp4")
    assert "outside the workspace" in reingest(root, run_id, outside, check=4).err

    (root / "incoming").mkdir()
    notes = root / "incoming" / "notes.mp4"
    notes.write_text("not a video\n")
    assert "does not probe as a video" in reingest(root, run_id, notes, check=4).err

    video = shutil.copyfile(media["good.mp4"], root / "incoming" / "recast.mp4")
    with (root / PACK / "prompt.txt").open("a") as fh:
        fh.write("a changed prompt\n")
    assert "changed since export" in reingest(root, run_id, video, check=4).err

    assert qc_attempts(root, run_id) == attempts and commit_count(root) == commits  # nothing recorded
    assert read(root / PACK / "lifecycle.json")["state"] == "EXPORTED"
    assert not (root / PACK / "result").exists()


def test_reingest_runs_qc_on_the_video_once(exported, media):
    root, run_id = exported
    before = qc_attempts(root, run_id)
    (root / "incoming").mkdir()
    video = shutil.copyfile(media["good.mp4"], root / "incoming" / "recast.mp4")

    out = reingest(root, run_id, video, check=0).json
    life = out["lifecycle"]
    assert out["new_attempt"] is True
    assert [t["state"] for t in life["history"]] == ["EXPORTED", "RESULT_RECEIVED", "REINGESTED", "QC_DONE", "DONE"]
    assert (life["qc_action"], life["qc_attempt"]) == ("finalize", before + 1)
    assert life["result_sha256"] == sha256_file(video) == sha256_file(root / life["result_video"])
    run = load_run(root, run_id)
    assert len(run.gate("QC").attempts) == before + 1 and run.gate("QC").status == "PASS"
    assert run.gate("RECAST").status == "PASS"
    report = read(root / ART / "qc" / "qc_report.json")  # QC measured the product: now the re-cast
    assert (report["video"], report["video_sha256"]) == (f"{ART}/render/final.mp4", life["result_sha256"])

    again = reingest(root, run_id, video, check=0).json
    assert again["new_attempt"] is False
    assert qc_attempts(root, run_id) == before + 1


def test_a_reingested_video_that_fails_qc_ends_the_lifecycle_failed_and_waits_for_a_person(exported, media):
    """QC would retry the render, but nothing renders a re-cast video again: it escalates,
    and the run waits for a person instead of failing (a resume would check the old video)."""
    root, run_id = exported
    (root / "incoming").mkdir()
    mute = shutil.copyfile(media["bars.mp4"], root / "incoming" / "mute.mp4")  # no sound track

    life = reingest(root, run_id, mute, check=1).json["lifecycle"]
    assert [t["state"] for t in life["history"]][-2:] == ["QC_DONE", "FAILED"]
    assert life["qc_action"] == "escalate"
    run = load_run(root, run_id)
    qc = run.gate("QC")
    assert run.status == "RUNNING" and qc.attempts[-1].status == "FAIL"
    assert qc.status == "AWAITING_APPROVAL" and qc.waiting.escalated
    packet = (root / qc.waiting.packet).read_text()
    assert "a re-cast video is not rendered again" in packet and "audio" in packet
    waiting = {(w["gate"], w["escalated"]) for w in cli("inbox", "--repo", root, "--json", check=0).json}
    assert ("QC", True) in waiting


def test_a_second_export_points_to_reingest_and_changes_nothing(exported):
    root, run_id = exported
    before = read(root / PACK / "lifecycle.json")
    again = cli("recast", "export", "--repo", root, "--run", run_id, check=4)
    assert "already exported" in again.err and "runner recast reingest --run" in again.err
    assert "gate finish" not in again.err
    assert read(root / PACK / "lifecycle.json") == before
