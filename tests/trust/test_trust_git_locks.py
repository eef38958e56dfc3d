"""A git lock file left by a killed git or runner process is named by doctor and removed
by `doctor --fix`; one a running git holds is left alone; a commit that meets a held
branch lock names it."""

from __future__ import annotations

import os
import subprocess
import time

from helpers import cli, git, start_run, write_outputs


def _age(path, seconds=60):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_git_locks_are_found_and_removed(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    locks = [root / ".git" / "index.lock", root / ".git" / "refs" / "heads" / "main.lock"]
    for lock in locks:
        lock.write_text("")
        _age(lock)
    found = cli("doctor", "--repo", root, "--json", check=1).json
    assert sorted(f["path"] for f in found if f["kind"] == "stale-git-lock") == [".git/index.lock",
                                                                                 ".git/refs/heads/main.lock"]
    blocked = cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=4)
    assert "index.lock exists" in blocked.err and "runner doctor --fix" in blocked.err
    fixed = cli("doctor", "--repo", root, "--fix", "--json", check=0).json
    assert all(f["fixed"] for f in fixed if f["kind"] == "stale-git-lock")
    assert not any(lock.exists() for lock in locks)
    # the refused start wrote its attempt but could not commit it: doctor committed it
    write_outputs(root, "G1")
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    assert git(root, "status", "--porcelain", "--", "runs") == ""


def test_a_fresh_lock_or_one_a_running_git_holds_is_left_alone(essay_ws_committed):
    root = essay_ws_committed
    lock = root / ".git" / "index.lock"
    lock.write_text("")  # just made: a git at work
    assert not [f for f in cli("doctor", "--repo", root, "--fix", "--json", check=0).json
                if f["kind"] == "stale-git-lock"]
    assert lock.exists()
    _age(lock)
    # a git process running in the repository (waiting on its stdin)
    holder = subprocess.Popen(["git", "hash-object", "--stdin"], cwd=root, stdin=subprocess.PIPE)
    try:
        time.sleep(0.2)
        assert not [f for f in cli("doctor", "--repo", root, "--fix", "--json", check=0).json
                    if f["kind"] == "stale-git-lock"]
        assert lock.exists()
    finally:
        holder.communicate(b"x")
