"""`runner handoff register`: a PASSED run becomes POSTED with an entry in the registry;
concurrent writers never lose an entry. The runs here are of a one-gate workflow (a
review that approves itself): publication does not look at the media."""

from __future__ import annotations

import subprocess

import pytest
from gated import load_run, write
from helpers import RUNNER_BIN, cli, git

from runner.run.handoff import load_registry
from runner.run.session import open_session


def workflow(root, auto_approve: bool) -> str:
    name = "auto" if auto_approve else "wait"
    write(root / "orchestration" / "workflows" / f"{name}.json", {"workflow": name, "gates": [
        {"gate": "REVIEW", "kind": "human", "approval": {"required": True, "auto_approve": auto_approve}}]})
    return name


def run_to_end(root, wf: str, slug: str, check: int) -> str:
    return cli("run", wf, "--repo", root, "--slug", slug, "--json", check=check).json["run_id"]


def registry(root):
    return load_registry(open_session(root)).entries


def test_register_posts_a_passed_run(ws_root):
    run_id = run_to_end(ws_root, workflow(ws_root, auto_approve=True), "one", check=0)
    assert load_run(ws_root, run_id).status == "PASSED"

    entry = cli("handoff", "register", "--repo", ws_root, "--run", run_id, "--platform", "youtube",
                "--url", "https://example.org/v/1", "--json", check=0).json
    assert (entry["run_id"], entry["platform"], entry["url"]) == (run_id, "youtube", "https://example.org/v/1")
    run = load_run(ws_root, run_id)
    assert run.status == "POSTED" and run.events[-1].type == "posted"
    assert [(e.run_id, e.url) for e in registry(ws_root)] == [(run_id, "https://example.org/v/1")]
    cli("run", "resume", "--repo", ws_root, "--run", run_id, check=4)  # POSTED is terminal


def test_register_refuses_a_running_run(ws_root):
    run_id = run_to_end(ws_root, workflow(ws_root, auto_approve=False), "two", check=3)
    result = cli("handoff", "register", "--repo", ws_root, "--run", run_id, "--platform", "youtube",
                 "--url", "https://example.org/v/2", check=4)
    assert "only a PASSED run" in result.err
    assert load_run(ws_root, run_id).status == "RUNNING"
    assert registry(ws_root) == []


def test_register_refuses_a_video_that_is_no_file(ws_root):
    run_id = run_to_end(ws_root, workflow(ws_root, auto_approve=True), "three", check=0)
    (ws_root / "clips").mkdir()
    before = git(ws_root, "rev-parse", "HEAD").strip()
    for given, found in (("clips", "is a directory"), ("clips/none.mp4", "does not exist")):
        result = cli("handoff", "register", "--repo", ws_root, "--run", run_id, "--platform", "youtube",
                     "--url", "https://example.org/v/3", "--video", ws_root / given, check=4)
        (line, _hint) = result.err.splitlines()
        assert f"--video {given} {found}; a video file is expected" in line
    (ws_root / "clips" / "final.mp4").write_bytes(b"not really a video")
    cli("handoff", "register", "--repo", ws_root, "--run", run_id, "--platform", "youtube",
        "--url", "https://example.org/v/3", "--video", ws_root / "clips" / "final.mp4", check=0)
    assert len(git(ws_root, "rev-list", f"{before}..HEAD").split()) == 1  # only the accepted one commits
    assert [e.video_sha256 is not None for e in registry(ws_root)] == [True]


@pytest.mark.slow
def test_concurrent_registers_lose_no_entry(ws_root):
    wf = workflow(ws_root, auto_approve=True)
    runs = [run_to_end(ws_root, wf, f"s{i}", check=0) for i in range(8)]
    procs = [subprocess.Popen([RUNNER_BIN, "handoff", "register", "--repo", ws_root, "--run", run_id,
                               "--platform", "youtube", "--url", f"https://example.org/v/{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, run_id in enumerate(runs)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0] * 8, results
    assert sorted(e.run_id for e in registry(ws_root)) == sorted(runs)
    assert {load_run(ws_root, r).status for r in runs} == {"POSTED"}
    subjects = git(ws_root, "log", "--format=%s").splitlines()
    assert sum(s.endswith("posted on youtube") for s in subjects) == 8  # one commit each
