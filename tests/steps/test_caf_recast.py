"""The re-cast handoff in the original factory's files: `recast export` writes their
`viggle_pack.v1`, a `viggle_reingest_pointer.v1` dropped in the inbox is picked up by
`runner recast watch` (once), and `handoff register` keeps their `handoff_registry.v1`
valid; all checked with jsonschema against their schema files."""

from __future__ import annotations

import json
import shutil

import pytest
from caf import example, needs_caf, problems
from gated import drive, install, load_run, policy, read, rule, write
from helpers import cli, commit_count

from runner.models.base import load
from runner.models.recast import ReingestPointer

pytestmark = needs_caf
PACK = "sandbox/dist_artifacts/clip/viggle_pack"  # their layout; the run's slug is their job id


@pytest.fixture
def exported(media_ws):
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail="retry")), job="jobs/with-audio.job.json",
                 recast={"out": "sandbox/dist_artifacts/{slug}/viggle_pack"})
    run_id = drive(media_ws, wf, check=3).json["run_id"]
    done = cli("recast", "export", "--repo", media_ws, "--run", run_id, check=0)
    assert f"pack exported into {PACK}/" in done.out  # the person learns where the pack is
    return media_ws, run_id


def pointer(root, name: str, video: str, job_id: str = "clip", theirs: bool = True) -> str:
    """A pointer file in the inbox; `theirs`: it also passes their schema (their paths)."""
    doc = {"version": "viggle_reingest_pointer.v1", "job_id": job_id, "source": "viggle",
           "result_video_relpath": video, "submitted_at": "2026-02-17T00:08:00Z", "notes": "from the test"}
    assert (problems("viggle_reingest_pointer.v1", doc) == []) is theirs
    write(root / "sandbox" / "inbox" / name, doc)
    return f"sandbox/inbox/{name}"


def test_their_pointer_example_loads():
    data = example("viggle_reingest_pointer.v1.example.json")
    assert load(ReingestPointer, data, ValueError, "example").job_id == "demo-dance-loop-v1"


def test_export_writes_their_pack_manifest(exported):
    root, _run_id = exported
    pack = read(root / PACK / "viggle_pack.v1.json")
    assert problems("viggle_pack.v1", pack) == []
    assert (pack["job_id"], pack["pack_root"], pack["motion_video"]) == ("clip", PACK, f"{PACK}/motion.mp4")
    for key in ("hero_image", "motion_video", "prompt_file", "instructions_file"):
        assert (root / pack[key]).is_file()
    life = read(root / PACK / "external_recast_lifecycle.v1.json")
    assert problems("external_recast_lifecycle.v1", life) == []
    assert (life["job_id"], life["state"]) == ("clip", "VIGGLE_EXPORTED")


def test_a_pointer_in_the_inbox_is_picked_up_once(exported, media):
    root, run_id = exported
    video = "sandbox/inbox/viggle_results/clip/viggle.mp4"
    (root / video).parent.mkdir(parents=True)
    shutil.copyfile(media["good.mp4"], root / video)
    name = pointer(root, "viggle-reingest-clip-1760000000.json", video)  # their naming
    (root / "sandbox" / "inbox" / "notes.json").write_text(json.dumps({"not": "a pointer"}))

    picked = cli("recast", "watch", "--repo", root, "--once", "--json", check=0).json
    assert [(p["pointer"], p["run_id"], p["state"], p["new_attempt"]) for p in picked] == [
        (name, run_id, "DONE", True)]
    life = read(root / PACK / "lifecycle.json")
    assert (life["pointer"], life["source_video"]) == (name, video)
    assert load_run(root, run_id).gate("RECAST").status == "PASS"
    theirs = read(root / PACK / "external_recast_lifecycle.v1.json")
    assert problems("external_recast_lifecycle.v1", theirs) == []
    assert (theirs["state"], theirs["reingest_pointer"], theirs["reingest_result_video"]) == ("DONE", name, video)

    commits = commit_count(root)
    again = cli("recast", "watch", "--repo", root, "--once", "--json", check=0).json
    assert [(p["pointer"], p["new_attempt"]) for p in again] == [(name, False)]
    assert commit_count(root) == commits  # picked up before: nothing recorded
    shown = cli("recast", "watch", "--repo", root, "--once", check=0)
    assert "(picked up before)" in shown.out and "1 pointer(s) in sandbox/inbox/" in shown.err


def test_tick_picks_up_a_pointer_once_and_continues_the_run(exported, media):
    root, run_id = exported
    video = "sandbox/inbox/viggle_results/clip/viggle.mp4"
    (root / video).parent.mkdir(parents=True)
    shutil.copyfile(media["good.mp4"], root / video)
    name = pointer(root, "viggle-reingest-clip-1760000001.json", video)
    ticked = cli("tick", "--repo", root, "--json", check=0).json
    assert [(p["pointer"], p["run_id"], p["new_attempt"]) for p in ticked["picked_up"]] == [(name, run_id, True)]
    assert load_run(root, run_id).gate("RECAST").status == "PASS"
    assert cli("tick", "--repo", root, "--json", check=0).json["picked_up"] == []  # each pointer once
    assert cli("tick", "--repo", root, "--no-resume", "--json", check=0).json["picked_up"] == []


def test_a_bad_pointer_is_refused_and_the_others_are_still_picked_up(exported, media):
    root, run_id = exported
    (root / "incoming").mkdir()
    shutil.copyfile(media["good.mp4"], root / "incoming" / "v.mp4")
    lost = pointer(root, "a-lost.json", "incoming/v.mp4", job_id="nobody", theirs=False)
    outside = pointer(root, "b-outside.json", "../v.mp4", theirs=False)
    good = pointer(root, "c-good.json", "incoming/v.mp4", theirs=False)  # runner reads any path inside
    picked = {p["pointer"]: p for p in cli("recast", "watch", "--repo", root, "--once", "--json", check=1).json}
    assert "no run of job nobody has a re-cast pack waiting" in picked[lost]["error"]
    assert "outside the workspace" in picked[outside]["error"]
    assert (picked[good]["run_id"], picked[good]["state"]) == (run_id, "DONE")


def test_the_handoff_registry_stays_valid_against_their_schema(ws_root):
    write(ws_root / "orchestration" / "workflows" / "auto.json", {"workflow": "auto", "gates": [
        {"gate": "REVIEW", "kind": "human", "approval": {"required": True, "auto_approve": True}}]})
    runs = [cli("run", "auto", "--repo", ws_root, "--slug", slug, "--json", check=0).json["run_id"]
            for slug in ("cat-one", "cat-two")]
    cli("handoff", "register", "--repo", ws_root, "--run", runs[0], "--platform", "youtube",
        "--url", "https://example.org/v/1", check=0)
    path = ws_root / "runs" / "handoff_registry.json"
    older = read(path)  # as an earlier runner wrote it: without their names
    for entry in older["entries"]:
        del entry["job_id"], entry["post_url"]
    path.write_text(json.dumps(older))
    cli("handoff", "register", "--repo", ws_root, "--run", runs[1], "--platform", "tiktok",
        "--url", "https://example.org/v/2", check=0)
    registry = read(path)
    assert problems("handoff_registry.v1", registry) == []
    assert [(e["job_id"], e["post_url"]) for e in registry["entries"]] == [
        (runs[0], "https://example.org/v/1"), ("cat-two", "https://example.org/v/2")]
