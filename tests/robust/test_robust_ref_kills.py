"""A kill loop aimed at the moment a record commit moves the branch: `runner gate finish`
is SIGKILLed with the branch's lock taken, with it written, right after the branch moved
(the user's index not yet in place), right after the index, and halfway through a reflog
line. After each kill the next runner command goes on (or `doctor --fix` names and clears
what the kill left), the user's index never drops or re-adds a record, `git fsck --strict`
is clean, nothing committed is lost, and `runner verify` passes at the end."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import RUNNER_BIN, cli, git
from robust_helpers import (assert_all_committed, assert_nothing_committed_was_lost, assert_runs_consistent,
                            run_verify, start_torture_run, torture_workspace)

POINTS = ["ref-lock-taken", "ref-lock-written", "ref-moved", "index-moved", "reflog"]
ROUNDS = 3
KILLPOINTS = Path(__file__).with_name("killpoints")


def killed_finish(root: Path, run_id: str, point: str) -> int:
    env = {**os.environ, "RUNNER_KILL_AT": point,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(KILLPOINTS), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([str(RUNNER_BIN), "gate", "finish", "--repo", str(root), "--run", run_id, "--gate", "A"],
                          check=False, env=env, capture_output=True, text=True, timeout=120)
    return proc.returncode


def index_agrees_with_head(root: Path) -> None:
    """No record staged for deletion or addition: the user's next `git commit` keeps them all."""
    staged = git(root, "diff", "--cached", "--name-status", "--", "runs").splitlines()
    assert staged == [], staged


@pytest.mark.parametrize("point", POINTS)
def test_kills_around_the_branch_update_lose_nothing(ws_root, point):
    root = torture_workspace(ws_root)
    for k in range(ROUNDS):
        run_id = start_torture_run(root, k)
        cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
        assert killed_finish(root, run_id, point) == -9
        doctor = cli("doctor", "--repo", root, "--fix", "--json")
        assert doctor.code == 0, doctor
        assert cli("doctor", "--repo", root, "--json", check=0).json == []
        index_agrees_with_head(root)
        # the attempt is recorded once: by the killed command (its branch moved) or by a retry
        if cli("run", "show", "--repo", root, "--run", run_id, "--json", check=0).json["gates"][0]["status"] \
                == "RUNNING":
            cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A", check=0)
        assert_all_committed(root)
        index_agrees_with_head(root)
    assert_runs_consistent(root)
    assert_nothing_committed_was_lost(root)
    subprocess.run(["git", "-C", str(root), "fsck", "--strict", "--no-progress"], check=True, capture_output=True)
    report = run_verify(root)
    assert report["findings"] == [], report["findings"]
