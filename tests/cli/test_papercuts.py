"""What a newcomer hit first: the wording of pauses and timers, and where the summary
lines of `verify` and `contracts validate` go (results on stdout, the summary on stderr)."""

from __future__ import annotations

import json
import time

from helpers import SLUG, cli, git

from runner.models.run import Actor, GateState, Run, Waiting, WorkflowRef
from runner.run.driver import _paused_for_decision


def _timed_workflow(root, seconds: float) -> None:
    workflow = {"workflow": "signoff", "gates": [
        {"gate": "T", "name": "Sign-off", "kind": "human",
         "approval": {"required": True, "auto_approve_after_s": seconds, "on_timeout": "approve"}}]}
    path = root / "orchestration" / "workflows" / "signoff.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(workflow))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: a workflow with a timer")


def test_the_inbox_says_a_deadline_is_overdue_not_in_overdue(ws_root):
    _timed_workflow(ws_root, 0.3)
    cli("run", "signoff", "--repo", ws_root, "--slug", SLUG, check=3)
    for _ in range(50):  # until the deadline has passed (no tick: nobody applies it)
        (item,) = cli("inbox", "--repo", ws_root, "--json", check=0).json
        if item["time_left_s"] < 0:
            break
        time.sleep(0.1)
    out = cli("inbox", "--repo", ws_root, check=0).out
    assert "approve overdue (runner tick applies it)" in out
    assert " in overdue" not in out


def _escalated_run(deadline: str | None) -> tuple[Run, GateState]:
    waiting = Waiting(attempt=1, waiting_for="decision", since="2026-01-01T00:00:00Z", deadline=deadline,
                      on_timeout="escalate" if deadline else None, escalated=True)
    state = GateState(gate="QC", kind="qc", status="AWAITING_APPROVAL", waiting=waiting)
    run = Run(run_id="run_x", workflow=WorkflowRef(name="w", slug="s"), status="RUNNING",
              started_at="2026-01-01T00:00:00Z", created_by=Actor(name="Ada"), runner_version="0", gates=[state])
    return run, state


def test_a_gate_escalated_by_a_route_does_not_speak_of_a_deadline():
    routed = _paused_for_decision(*_escalated_run(None)).message
    assert routed == "gate QC waits for a decision; it was escalated: a person must decide"
    timed = _paused_for_decision(*_escalated_run("2026-01-01T01:00:00Z")).message
    assert "its deadline passed and it was escalated" in timed
