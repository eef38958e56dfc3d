"""Crash safety at each known point of a write (deterministic, in process): a command that
dies after writing an attempt or decision file, after RUN.json, or after its commit but
before the user's index was refreshed. The next command never commits a RUN.json that
lists a file the commit lacks; a refusal says to run `runner doctor --fix`; doctor repairs
it; verify passes and nothing committed is lost."""

from __future__ import annotations

import pytest
from helpers import cli, git, porcelain
from robust_helpers import (assert_all_committed, assert_nothing_committed_was_lost, assert_runs_consistent, run_verify,
                            start_torture_run, torture_workspace, verify_available)

from runner import Repo, records, workspace
from runner.errors import GitError, RunnerError
from runner.git import commit


class Died(RunnerError):
    """Stands for the process dying at that point (the CLI shows it as exit 4)."""


def _die_once(monkeypatch, module, name):
    real = getattr(module, name)
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Died(f"died in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


def _doctor_then_clean(root) -> list[str]:
    fixed = cli("doctor", "--repo", root, "--fix", "--json", check=0).json
    assert cli("doctor", "--repo", root, "--json", check=0).json == []
    assert_runs_consistent(root)
    assert_all_committed(root)
    assert_nothing_committed_was_lost(root)
    if verify_available():
        run_verify(root)
    return sorted(f["kind"] for f in fixed)


@pytest.fixture
def run(ws_root):
    root = torture_workspace(ws_root)
    return root, start_torture_run(root, 0)


def _awaiting(root, run_id):
    for args in (("gate", "start", "--gate", "H", "--force"), ("gate", "finish", "--gate", "H")):
        cli(*args, "--repo", root, "--run", run_id, check=0)


def test_died_before_the_commit_then_another_command_commits_the_files_run_json_lists(run, monkeypatch):
    root, run_id = run
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    _die_once(monkeypatch, commit, "commit_files")
    assert cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A").code == 4
    attempt = f"runs/{run_id}/record/gates/A/attempt-1.json"
    assert any(attempt in line for line in porcelain(root))  # written, not committed

    cli("invocation", "record", "--repo", root, "--run", run_id, "--gate", "H", "--agent", "x", check=0)
    assert attempt in git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert _doctor_then_clean(root) == []


def test_died_between_the_attempt_file_and_run_json_is_refused_until_doctor(run, monkeypatch):
    root, run_id = run
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    _die_once(monkeypatch, records, "save_run")
    assert cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A").code == 4
    ws = workspace.find(root)
    assert records.attempt_numbers(ws, run_id, "A") == [1]
    assert records.load_run(ws, run_id).gate("A").current.attempt == 1

    for args in (("gate", "finish"), ("gate", "fail", "--reason", "r")):
        refused = cli(*args, "--repo", root, "--run", run_id, "--gate", "A")
        assert refused.code == 4 and "runner doctor --fix" in refused.err, refused
    cli("invocation", "record", "--repo", root, "--run", run_id, "--gate", "H", "--agent", "x", check=0)
    assert _doctor_then_clean(root) == ["interrupted-finish"]
    assert records.load_run(ws, run_id).gate("A").status == "PASS"


def test_died_between_the_decision_file_and_run_json_is_refused_until_doctor(run, monkeypatch):
    root, run_id = run
    _awaiting(root, run_id)
    _die_once(monkeypatch, records, "save_run")
    assert cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "H").code == 4
    refused = cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "H")
    assert refused.code == 4 and "runner doctor --fix" in refused.err, refused  # no second decision
    assert _doctor_then_clean(root) == ["interrupted-decision"]
    run_ = Repo(root).run(run_id)
    assert [d.decision for d in run_.gate("H").decisions] == [1] and run_.gate("H").status == "PASS"


def test_an_orphan_decision_found_after_the_gate_moved_on_does_not_rewrite_its_status(run, monkeypatch):
    """Doctor records a decision file it finds late, but the gate's state follows only a
    decision of the attempt that still waits."""
    root, run_id = run
    _awaiting(root, run_id)
    cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "H", check=0)
    gate_dir = root / "runs" / run_id / "record" / "gates" / "H"
    orphan = (gate_dir / "decision-1.json").read_text().replace('"decision": 1', '"decision": 2')
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "H", check=0)
    (gate_dir / "decision-2.json").write_text(orphan)
    cli("doctor", "--repo", root, "--fix", check=0)
    state = Repo(root).run(run_id).gate("H")
    assert state.status == "RUNNING" and state.current.attempt == 2
    assert [d.decision for d in state.decisions] == [1, 2]


def test_died_after_the_commit_before_the_index_was_refreshed(run, monkeypatch):
    root, run_id = run
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    real = commit.Lock.commit

    def dies_before_the_index(lock, target):
        if target.name == "index":  # the branch has moved; the new index never takes its place
            raise GitError("killed")
        real(lock, target)

    monkeypatch.setattr(commit.Lock, "commit", dies_before_the_index)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A", check=4)
    monkeypatch.undo()
    assert not (root / ".git" / "index.lock").exists()
    head = git(root, "rev-parse", "HEAD").strip()
    kinds = _doctor_then_clean(root)
    assert set(kinds) <= {"uncommitted"}
    assert git(root, "rev-parse", "HEAD").strip() == head  # the index refreshed, no empty commit


def test_died_holding_the_lock_leaves_a_note_that_doctor_reports_and_the_next_command_ignores(run):
    root, run_id = run
    (root / ".git" / "runner.lock").write_text('{"pid": 999999999, "host": "%s", "since": "2020-01-01T00:00:00Z"}'
                                               % __import__("socket").gethostname())
    found = cli("doctor", "--repo", root, "--json")
    assert [f["kind"] for f in found.json] == ["stale-lock"]
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    assert _doctor_then_clean(root) == []


def test_leftover_temp_files_of_dead_writers_are_removed_and_live_ones_kept(run):
    """A write or a commit killed midway leaves a temp file (beside the record) or a
    folder of trees (in the git dir), named with the writer's pid."""
    import os
    import subprocess

    root, run_id = run
    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid is free now
    record = root / "runs" / run_id / "record"
    (record / f".RUN.json.{dead.pid}.0a1b2c3d.tmp").write_text("{")
    live_file = record / f".RUN.json.{os.getpid()}.0a1b2c3d.tmp"
    live_file.write_text("{")
    for pid in (dead.pid, os.getpid()):
        trees = root / ".git" / f".runner-trees.{pid}.0a1b2c3d.tmp"
        trees.mkdir()
        (trees / "0").write_bytes(b"")
    found = sorted(f["path"] for f in cli("doctor", "--repo", root, "--json").json)
    assert found == [f".git/.runner-trees.{dead.pid}.0a1b2c3d.tmp",
                     f"runs/{run_id}/record/.RUN.json.{dead.pid}.0a1b2c3d.tmp"]
    cli("doctor", "--repo", root, "--fix", check=0)
    assert not (root / ".git" / f".runner-trees.{dead.pid}.0a1b2c3d.tmp").exists()
    assert not (record / f".RUN.json.{dead.pid}.0a1b2c3d.tmp").exists()
    assert live_file.exists() and (root / ".git" / f".runner-trees.{os.getpid()}.0a1b2c3d.tmp").exists()
