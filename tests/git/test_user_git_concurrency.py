"""Parallel runner processes never fail on index.lock and never lose a record, while the
user's git takes index.lock too. (Many processes with many operations each:
tests/robust/test_robust_concurrency.py.)"""

from __future__ import annotations

import json
import subprocess
import threading

import pytest
from helpers import RUNNER_BIN, commit_count, git, porcelain, start_run

from runner import records, workspace


@pytest.mark.slow
def test_parallel_cli_processes_while_the_user_runs_git(essay_ws_committed):
    """Real `runner` processes at once, while the user's git keeps taking index.lock."""
    root = essay_ws_committed
    run_ids = [start_run(root) for _ in range(2)]
    base = commit_count(root)
    stop = threading.Event()
    user_errors = []

    def user_git():
        n = 0
        while not stop.wait(0.005):
            n += 1
            (root / "user.txt").write_text(f"edit {n}\n")
            for args in (["add", "user.txt"], ["status", "--porcelain"]):
                result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
                if result.returncode != 0 and "index.lock" not in result.stderr:
                    user_errors.append(result.stderr)

    thread = threading.Thread(target=user_git, daemon=True)
    thread.start()
    try:
        procs = [subprocess.Popen([str(RUNNER_BIN), "invocation", "record", "--run", run_ids[i % 2], "--gate", "G1",
                                   "--agent", f"a{i}", "--json"], cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(4)]
        outcomes = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        stop.set()
        thread.join()
    for code, out, err in outcomes:
        assert code == 0, err
        assert "index.lock" not in err and "Traceback" not in err
    assert commit_count(root) == base + 4
    ws = workspace.find(root)
    ids = {json.loads(out)["id"] for _, out, _ in outcomes}
    recorded = {i.id for run_id in run_ids for i in records.load_run(ws, run_id).invocations}
    assert ids == recorded and len(ids) == 4
    assert user_errors == []
    # the user's staged file is still theirs, uncommitted by the runner
    assert "user.txt" not in git(root, "log", "--name-only", "--format=", "HEAD~4..HEAD")
    assert git(root, "diff", "--cached", "--name-only").split() == ["user.txt"]
    assert not [line for line in porcelain(root) if "runs/run_" in line]


@pytest.mark.slow
def test_the_users_own_commits_never_delete_or_re_add_records(essay_ws_committed):
    """Runner commits interleaved with plain `git commit` of the user's files: the runner
    holds git's index.lock for its whole commit, so a user's commit either waits, fails
    on the lock, or sees the records in the index; none of its commits touches runs/."""
    root = essay_ws_committed
    stop = threading.Event()

    def user_commits():
        n = 0
        while not stop.wait(0.005):
            n += 1
            (root / "user.txt").write_text(f"edit {n}\n")
            subprocess.run(["git", "add", "user.txt"], cwd=root, capture_output=True)
            subprocess.run(["git", "commit", "-q", "-m", f"user edit {n}"], cwd=root, capture_output=True)

    thread = threading.Thread(target=user_commits)
    thread.start()
    try:
        for _ in range(3):
            run_id = start_run(root)
            for gate in ("G1", "G2"):
                subprocess.run([str(RUNNER_BIN), "gate", "start", "--run", run_id, "--gate", gate, "--force"], cwd=root,
                               check=True, capture_output=True)
                subprocess.run([str(RUNNER_BIN), "gate", "fail", "--run", run_id, "--gate", gate, "--reason", "x"],
                               cwd=root, capture_output=True)
    finally:
        stop.set()
        thread.join()
    user_commits_touched = git(root, "log", "--grep=^user edit", "--format=", "--name-only").split()
    assert set(user_commits_touched) == {"user.txt"}, user_commits_touched  # and the user did commit meanwhile
    assert not [line for line in porcelain(root) if "runs/" in line]
