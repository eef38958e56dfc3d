"""RUN.json is a summary of its events and attempt files: `runner verify` derives it again
and reports every field that disagrees, even when a forger folds the edit into a commit
that looks like the runner's own."""

from __future__ import annotations

import json

import pytest
from helpers import cli, git, pass_gate, start_run, write_outputs
from verify_helpers import findings, record, verify


def forge(root, run_id, change) -> None:
    """Edit RUN.json and fold the edit into the runner's last commit, its message kept."""
    path = record(root, run_id)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--amend", "--no-edit")


def gate_field(name, value, gate=0):
    def change(data):
        data["gates"][gate][name] = value
    return change


def run_field(name, value):
    def change(data):
        data[name] = value
    return change


def first_entry(key, name, value):
    def change(data):
        data[key][0][name] = value
    return change


@pytest.mark.parametrize("change, field", [
    (run_field("status", "CANCELED"), "status"),
    (gate_field("status", "FAIL", 1), "gates[1].status"),
    (gate_field("retries", 3), "gates[0].retries"),
    (gate_field("blocking", False), "gates[0].blocking"),
    (gate_field("approval", None), "gates[0].approval"),
    (first_entry("artifacts_index", "sha256", "0" * 64), "artifacts_index"),
    (first_entry("validations", "status", "WARN"), "validations"),
    (lambda data: data["workflow"].update(artifact_path="../../etc"), "workflow"),
    (run_field("depth", "deep"), "depth"),
    (run_field("created_by", {"name": "Someone Else", "email": None}), "created_by"),
    (gate_field("current", {"attempt": 9, "started_at": "2026-01-01T00:00:00.000Z",
                            "started_by": {"name": "x"}}), "gates[0].current"),
])
def test_a_summary_field_that_its_events_contradict_is_a_finding(done, change, field):
    root, run_id = done
    assert verify(root, check=0).json["findings"] == []
    forge(root, run_id, change)
    found = [f for f in findings(verify(root, check=1), "summary") if f["field"] == field]
    assert found, verify(root).json["findings"]
    assert found[0]["file"].endswith(f"{run_id}/record/RUN.json")


def fail_g2(root) -> str:
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G2", check=0)
    write_outputs(root, "G2", incomplete=True)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G2", check=1)
    return run_id


def test_a_failed_blocking_gate_laundered_into_a_passed_run_is_found(essay_ws_committed):
    """The attack the summary check exists for: a failed blocking gate marked passed and
    the run marked PASSED, with a run_completed event appended to a re-hashed chain."""
    root = essay_ws_committed
    run_id = fail_g2(root)

    def launder(data):
        from runner.hashing import sha256_bytes
        from runner.jsonio import canonical_bytes

        data["status"] = "PASSED"
        events = data["events"]
        events.append({"seq": len(events) + 1, "type": "run_completed", "at": events[-1]["at"],
                       "actor": events[-1]["actor"], "gate": None, "attempt": None, "data": {"status": "PASSED"},
                       "prev": sha256_bytes(canonical_bytes(events[-1]))})

    forge(root, run_id, launder)
    result = verify(root, check=1)
    messages = [f["message"] for f in findings(result, "summary")]
    assert any("blocking gate G2 did not pass" in m for m in messages), result.json["findings"]
    assert not findings(result, "chain")  # the chain itself was forged well: only the summary tells


def test_a_run_in_progress_agrees_with_its_events(essay_ws_committed):
    """No false alarm on a failed run, a failed-then-passed gate or an open attempt."""
    root = essay_ws_committed
    run_id = fail_g2(root)
    assert findings(verify(root, check=0), "summary") == []
    pass_gate(root, run_id, "G2")
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G3", check=0)
    assert findings(verify(root, check=0), "summary") == []


def test_an_invocation_changed_or_added_without_its_event_is_found(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    cli("invocation", "record", "--repo", root, "--run", run_id, "--gate", "G1", "--agent", "writer",
        "--status", "FAIL", check=0)
    assert findings(verify(root, check=0), "summary") == []
    forge(root, run_id, lambda data: data["invocations"][0].update(status="SUCCESS"))
    assert [f["field"] for f in findings(verify(root, check=1), "summary")] == ["invocations"]
