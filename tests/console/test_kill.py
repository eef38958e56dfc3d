"""A server killed (SIGKILL) in the middle of a decision leaves the whole decision
committed or nothing of it: after the next command, the decision file, RUN.json and the
branch agree, `runner verify` finds nothing, and an undone decision can be made again."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest
from console_helpers import review_workspace, start_server
from helpers import cli, git

from runner import Repo

DELAYS_S = (0.0, 0.1, 0.2, 0.4)


@pytest.mark.slow
def test_a_decision_survives_a_kill_whole_or_not_at_all(ws_root, access):
    root = ws_root
    run_ids = review_workspace(root, runs=len(DELAYS_S))
    outcomes = []
    for run_id, delay in zip(run_ids, DELAYS_S):
        server = start_server(root, access, tick_interval=0)

        def approve(run_id=run_id, url=server.url):
            try:
                httpx.post(f"{url}/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "note": "kill"},
                           headers=access.auth("decider"), timeout=10)
            except httpx.HTTPError:
                pass  # the server died under the request

        thread = threading.Thread(target=approve)
        thread.start()
        time.sleep(delay)
        os.killpg(server.proc.pid, signal.SIGKILL)  # the server and anything it started
        server.proc.wait(10)
        thread.join(10)

        cli("doctor", "--fix", "--repo", root)  # what the next command repairs, if anything
        state = Repo(root).run(run_id).gate("B1")
        in_head = git(root, "ls-tree", "-r", "--name-only", "HEAD", f"runs/{run_id}/record/gates/B1").split()
        decided = f"runs/{run_id}/record/gates/B1/decision-1.json" in in_head
        on_disk = (root / "runs" / run_id / "record" / "gates" / "B1" / "decision-1.json").exists()
        assert decided == on_disk == bool(state.decisions), (delay, in_head, state)
        assert git(root, "status", "--porcelain", "runs") == "", delay
        if not decided:  # nothing of it stayed: the gate can be decided now
            assert state.status == "AWAITING_APPROVAL"
            cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "B1", "--actor",
                "Grace Hopper <grace@example.org>", check=0)
        outcomes.append(decided)
    report = Repo(root).verify()
    assert report.ok, report.findings
    print("decided before the kill:", outcomes)
