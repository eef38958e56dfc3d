"""A runner command never builds on a RUN.json it did not write: a hand edit is refused
(exit 4) with the fields that differ and the way back, and nothing is committed; the
bytes HEAD holds (a clone, a pull) and the bytes the runner wrote but did not commit yet
(--no-commit, a command killed before its commit) are accepted."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from helpers import cli, commit_count, git, pass_gate, start_run, write_outputs

from runner import records


def _record(root, run_id):
    return root / "runs" / run_id / "record" / "RUN.json"


def _edit(root, run_id, change):
    path = _record(root, run_id)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


@pytest.fixture
def failed_run(essay_ws):
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "bad intake", check=1)
    return essay_ws, run_id


def test_unblocking_a_failed_gate_by_hand_does_not_pass_the_run(failed_run):
    root, run_id = failed_run
    commits = commit_count(root)
    _edit(root, run_id, lambda d: d["gates"][0].update(blocking=False))
    result = cli("run", "complete", "--repo", root, "--run", run_id, "--status", "PASSED", check=4)
    rel = f"runs/{run_id}/record/RUN.json"
    assert f"run record {rel} was changed outside the runner: fields $.gates[0].blocking differ" in result.err
    assert f"git checkout -- {rel}" in result.err
    assert commit_count(root) == commits
    git(root, "checkout", "--", rel)
    cli("run", "complete", "--repo", root, "--run", run_id, "--status", "PASSED", check=4)  # refused honestly now
    assert "cannot pass" in cli("run", "complete", "--repo", root, "--run", run_id, "--status", "PASSED").err


@pytest.mark.parametrize("change", [
    lambda d: d.update(events=[]),
    lambda d: d.update(depth="quick"),
    lambda d: d["gates"][0].update(retries=3),
    lambda d: d["workflow"].update(artifact_path="../../etc"),
], ids=["events", "depth", "retries", "artifact_path"])
def test_any_hand_edit_is_refused_by_every_command_that_changes_the_run(failed_run, change):
    root, run_id = failed_run
    _edit(root, run_id, change)
    before = _record(root, run_id).read_bytes()
    for args in (("gate", "start", "--gate", "G1"), ("run", "cancel")):
        result = cli(*args, "--repo", root, "--run", run_id)
        assert result.code == 4 and "was changed outside the runner" in result.err, (args, result)
    doctor = cli("doctor", "--fix", "--json", "--repo", root, check=1)  # found, reported, not committed
    assert {(f["kind"], f["fixed"]) for f in doctor.json} == {("malformed", False), ("uncommitted", False)}
    assert _record(root, run_id).read_bytes() == before
    assert git(root, "status", "--porcelain", "--", f"runs/{run_id}/record/RUN.json").startswith(" M")


def test_a_clone_and_uncommitted_runner_writes_are_trusted(essay_ws_committed, tmp_path):
    essay_ws = essay_ws_committed
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(essay_ws), str(clone)], check=True)
    git(clone, "config", "user.name", "Ada Tester")
    git(clone, "config", "user.email", "ada@example.org")
    write_outputs(clone, "G2")
    cli("gate", "start", "--repo", clone, "--run", run_id, "--gate", "G2", "--no-commit", check=0)
    cli("gate", "finish", "--repo", clone, "--run", run_id, "--gate", "G2", "--no-commit", check=0)
    assert git(clone, "status", "--porcelain", "--", "runs").strip()  # written, not committed
    shutil.rmtree(clone / ".git" / "runner-written")  # without the marks of its own writes...
    records._TRUSTED.clear()  # ...and in a new process
    result = cli("gate", "start", "--repo", clone, "--run", run_id, "--gate", "G3")
    assert result.code == 4  # ...uncommitted bytes nobody vouches for are refused
    git(clone, "checkout", "--", "runs")
    git(clone, "clean", "-fdq", "--", "runs")
    cli("gate", "start", "--repo", clone, "--run", run_id, "--gate", "G2", check=0)  # HEAD's bytes are trusted
