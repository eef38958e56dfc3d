"""`runner gate start|finish|fail` and `runner invocation record`: exit codes, --json,
the state machine's refusals (exit 4), and the records on disk."""

from __future__ import annotations

import hashlib

import msgspec
import pytest
from helpers import ART, cli, commit_count, pass_gate, start_run, write_outputs

from runner import Repo, records, workspace
from runner.models.base import to_data as dump


def _run(root, run_id):
    return Repo(root).run(run_id)


def _gate(root, run_id, gate):
    return _run(root, run_id).gate(gate)


def _start(root, run_id, gate, *extra, check=0):
    return cli("gate", "start", "--repo", root, "--run", run_id, "--gate", gate, *extra, check=check)


def _finish(root, run_id, gate, *extra, check=None):
    return cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", gate, *extra, check=check)


@pytest.fixture
def run_id(essay_ws):
    return start_run(essay_ws)


def test_gate_start_json_and_record(essay_ws, run_id):
    data = _start(essay_ws, run_id, "G1", "--agent", "essay-orchestrator", "--json").json
    assert data["attempt"] == 1 and data["agent"] == "essay-orchestrator" and not data["forced"]
    assert data["started_by"] == {"name": "Ada Tester", "email": "ada@example.org"}
    run = _run(essay_ws, run_id)
    state = run.gate("G1")
    assert run.status == "RUNNING" and state.status == "RUNNING"
    assert dump(state.current) == data
    assert run.events[-1].type == "gate_started"
    text = _start(essay_ws, run_id, "G2", "--force").out
    assert "G2 attempt 1 started (forced)" in text


def test_gate_finish_pass_exit_0_json_and_attempt_file(essay_ws, run_id):
    _start(essay_ws, run_id, "G1", "--agent", "writer")
    write_outputs(essay_ws, "G1")
    data = _finish(essay_ws, run_id, "G1", "--json", check=0).json
    assert data["status"] == "PASS" and data["attempt"] == 1 and data["failure_reason"] is None
    ws = workspace.find(essay_ws)
    attempt = records.load_attempt(ws, run_id, "G1", 1)
    assert dump(attempt) == data
    assert attempt.agent == "writer" and attempt.depth == "standard" and attempt.schema_version == 1
    assert attempt.contract.path == "contracts/G1.contract.json"
    assert attempt.contract.sha256 == hashlib.sha256((essay_ws / "contracts/G1.contract.json").read_bytes()).hexdigest()
    intake = essay_ws / ART / "G1-INTAKE.md"
    present = [a for a in attempt.artifacts if a.exists]
    assert [(a.path, a.sha256, a.size) for a in present] == [
        (f"{ART}/G1-INTAKE.md", hashlib.sha256(intake.read_bytes()).hexdigest(), intake.stat().st_size)]
    assert {v.status for v in attempt.validations} == {"PASS"}
    assert attempt.finished_by.name == "Ada Tester" and attempt.runner_version
    run = _run(essay_ws, run_id)
    assert run.gate("G1").status == "PASS" and run.gate("G1").current is None
    assert [(e.path, e.gate, e.attempt) for e in run.artifacts_index] == [(f"{ART}/G1-INTAKE.md", "G1", 1)]
    assert [v.index for v in run.validations if v.gate == "G1"] == [0, 1, 2]


def test_gate_finish_plain_output(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    write_outputs(essay_ws, "G1")
    text = _finish(essay_ws, run_id, "G1", check=0).out
    assert f"{run_id} G1 attempt 1: PASS" in text and f"{ART}/G1-INTAKE.md" in text


def test_gate_finish_fail_exit_1_lists_every_failed_check(essay_ws, run_id):
    pass_gate(essay_ws, run_id, "G1")
    _start(essay_ws, run_id, "G2")
    write_outputs(essay_ws, "G2", incomplete=True)
    result = _finish(essay_ws, run_id, "G2", check=1)
    assert "G2 attempt 1: FAIL" in result.out
    failed = [line for line in result.out.splitlines() if line.strip().startswith("FAIL")]
    assert len(failed) == 2
    assert "[2] min_file_count" in result.out and "[3] min_sources_any_of" in result.out
    assert "need 3" in result.out  # the reason, not just the name
    attempt = Repo(essay_ws).attempt(run_id, "G2", 1)
    assert attempt.status == "FAIL"
    assert [v.index for v in attempt.validations if v.status == "FAIL"] == [2, 3]
    assert "min_file_count" in attempt.failure_reason and "min_sources_any_of" in attempt.failure_reason
    assert _run(essay_ws, run_id).status == "FAILED"


def test_gate_finish_fail_json(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    data = _finish(essay_ws, run_id, "G1", "--json", check=1).json  # no output written at all
    assert data["status"] == "FAIL"
    assert data["failure_reason"]
    assert any(v["status"] == "FAIL" for v in data["validations"])


def test_warning_check_does_not_fail_the_gate(essay_ws, run_id):
    for gate in ("G1", "G2"):
        pass_gate(essay_ws, run_id, gate)
    _start(essay_ws, run_id, "G3")
    write_outputs(essay_ws, "G3")
    spec = essay_ws / ART / "SPEC.md"
    spec.write_text(spec.read_text() + "\n[DRAFT]\n")
    result = _finish(essay_ws, run_id, "G3", "--json", check=0)
    data = result.json
    assert data["status"] == "PASS"
    assert [v["status"] for v in data["validations"]][-1] == "WARN"
    assert data["warnings"] and "not_contains" in data["warnings"][0]


def test_gate_fail_exit_1_with_the_reason(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    result = cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "scope rejected",
                 "--json", check=1)
    assert result.json["status"] == "FAIL" and result.json["failure_reason"] == "scope rejected"
    attempt = Repo(essay_ws).attempt(run_id, "G1", 1)
    assert attempt.failure_reason == "scope rejected" and attempt.contract is None
    run = _run(essay_ws, run_id)
    assert run.status == "FAILED" and run.gate("G1").status == "FAIL"
    assert [e.type for e in run.events][-2:] == ["gate_finished", "run_failed"]


def test_gate_fail_with_an_empty_reason_is_a_usage_error(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    result = cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "  ")
    assert result.code == 2, result
    assert _gate(essay_ws, run_id, "G1").current is not None


def test_finish_twice_is_refused(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    write_outputs(essay_ws, "G1")
    _finish(essay_ws, run_id, "G1", check=0)
    commits = commit_count(essay_ws)
    again = _finish(essay_ws, run_id, "G1")
    assert again.code == 4, again
    assert "no running attempt" in again.err and "attempt 1 already ended PASS" in again.err
    fail = cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "x")
    assert fail.code == 4, fail
    assert commit_count(essay_ws) == commits
    assert records.attempt_numbers(workspace.find(essay_ws), run_id, "G1") == [1]


def test_finish_without_start_is_refused(essay_ws, run_id):
    result = _finish(essay_ws, run_id, "G1")
    assert result.code == 4 and "no running attempt" in result.err and "gate start" in result.err, result


def test_start_while_running_is_refused(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    before = records.run_file(workspace.find(essay_ws), run_id).read_bytes()
    result = _start(essay_ws, run_id, "G1", check=None)
    assert result.code == 4, result
    assert "attempt 1 is still running" in result.err
    assert records.run_file(workspace.find(essay_ws), run_id).read_bytes() == before


def test_out_of_order_needs_force(essay_ws, run_id):
    result = _start(essay_ws, run_id, "G3", check=None)
    assert result.code == 4, result
    assert "G1" in result.err and "G2" in result.err and "--force" in result.err
    assert _gate(essay_ws, run_id, "G3").current is None


def test_force_is_recorded_as_an_event_and_in_the_attempt(essay_ws, run_id):
    data = _start(essay_ws, run_id, "G3", "--force", "--json").json
    assert data["forced"] is True
    run = _run(essay_ws, run_id)
    forced = [e for e in run.events if e.type == "gate_forced"]
    assert len(forced) == 1
    assert forced[0].gate == "G3" and forced[0].attempt == 1 and forced[0].data["skipped"] == ["G1", "G2"]
    assert forced[0].actor.name == "Ada Tester"
    write_outputs(essay_ws, "G3")
    attempt = _finish(essay_ws, run_id, "G3", "--json", check=0).json
    assert attempt["forced"] is True


def test_in_order_start_records_no_forced_event(essay_ws, run_id):
    pass_gate(essay_ws, run_id, "G1")
    _start(essay_ws, run_id, "G2", "--force")  # --force when nothing is skipped: not forced
    run = _run(essay_ws, run_id)
    assert not [e for e in run.events if e.type == "gate_forced"]
    assert run.gate("G2").current.forced is False


def test_retry_is_a_new_attempt_and_a_passing_retry_returns_the_run_to_running(essay_ws, run_id):
    pass_gate(essay_ws, run_id, "G1")
    _start(essay_ws, run_id, "G2")
    write_outputs(essay_ws, "G2", incomplete=True)
    _finish(essay_ws, run_id, "G2", check=1)
    assert _run(essay_ws, run_id).status == "FAILED"
    blocked = _start(essay_ws, run_id, "G3", check=None)
    assert blocked.code == 4 and "G2" in blocked.err, blocked
    retry = _start(essay_ws, run_id, "G2", "--json").json
    assert retry["attempt"] == 2
    write_outputs(essay_ws, "G2")
    data = _finish(essay_ws, run_id, "G2", "--json", check=0).json
    assert data["attempt"] == 2 and data["status"] == "PASS"
    run = _run(essay_ws, run_id)
    assert run.status == "RUNNING" and run.finished_at is None
    assert [(a.attempt, a.status) for a in run.gate("G2").attempts] == [(1, "FAIL"), (2, "PASS")]
    assert records.attempt_numbers(workspace.find(essay_ws), run_id, "G2") == [1, 2]
    pass_gate(essay_ws, run_id, "G3")
    assert cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--json", check=0).json["status"] == "PASSED"


def test_a_passed_gate_may_run_again(essay_ws, run_id):
    pass_gate(essay_ws, run_id, "G1")
    assert _start(essay_ws, run_id, "G1", "--json").json["attempt"] == 2


def test_unknown_gate_is_exit_4_naming_the_known_ones(essay_ws, run_id):
    result = _start(essay_ws, run_id, "G9", check=None)
    assert result.code == 4, result
    assert "G9" in result.err and "G1, G2, G3" in result.err


def test_unknown_run_is_exit_4(essay_ws):
    result = _start(essay_ws, "run_20260101T000000Z_x_abcdef", "G1", check=None)
    assert result.code == 4 and "no run" in result.err, result


def test_invocation_record_json_and_link_to_the_attempt(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    data = cli("invocation", "record", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--agent", "claude",
               "--model", "opus", "--json", check=0).json
    assert data["gate"] == "G1" and data["attempt"] == 1 and data["status"] == "SUCCESS" and data["model"] == "opus"
    failed = cli("invocation", "record", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--agent", "claude",
                 "--status", "FAIL", "--json", check=0).json
    run = _run(essay_ws, run_id)
    assert [dump(i) for i in run.invocations] == [data, failed]
    write_outputs(essay_ws, "G1")
    attempt = _finish(essay_ws, run_id, "G1", "--json", check=0).json
    assert attempt["invocation_ids"] == [data["id"], failed["id"]]


def test_invocation_without_a_running_attempt(essay_ws, run_id):
    data = cli("invocation", "record", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--agent", "a",
               "--json", check=0).json
    assert data["attempt"] is None


def test_no_commit_flag(essay_ws, run_id):
    commits = commit_count(essay_ws)
    _start(essay_ws, run_id, "G1", "--no-commit")
    assert commit_count(essay_ws) == commits
    assert _gate(essay_ws, run_id, "G1").status == "RUNNING"


def test_offline_is_recorded(essay_ws, run_id):
    _start(essay_ws, run_id, "G1")
    write_outputs(essay_ws, "G1")
    assert _finish(essay_ws, run_id, "G1", "--offline", "--json", check=0).json["offline"] is True


def test_non_blocking_gates_neither_hold_back_later_gates_nor_fail_the_run(essay_ws):
    import json

    path = essay_ws / "orchestration/workflows/essay.json"
    workflow = json.loads(path.read_text())
    workflow["gates"][0]["blocking"] = False  # the workflow overrides the contract
    path.write_text(json.dumps(workflow))
    run_id = start_run(essay_ws)
    assert _gate(essay_ws, run_id, "G1").blocking is False
    _start(essay_ws, run_id, "G1")
    cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "meh", check=1)
    assert _run(essay_ws, run_id).status == "RUNNING"
    data = _start(essay_ws, run_id, "G2", "--json").json  # no --force needed
    assert data["forced"] is False
    write_outputs(essay_ws, "G2")
    _finish(essay_ws, run_id, "G2", check=0)
    pass_gate(essay_ws, run_id, "G3")
    done = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--json", check=0).json
    assert done["status"] == "PASSED"


def test_the_actor_is_named_as_git_names_the_author(essay_ws, run_id, monkeypatch):
    """GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL over user.name / user.email, each on its own."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "CI Bot")
    _start(essay_ws, run_id, "G1")
    assert msgspec.to_builtins(_gate(essay_ws, run_id, "G1").current.started_by) == {"name": "CI Bot",
                                                                           "email": "ada@example.org"}
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "bot@ci.example")
    write_outputs(essay_ws, "G1")
    attempt = _finish(essay_ws, run_id, "G1", "--json", check=0).json
    assert attempt["finished_by"] == {"name": "CI Bot", "email": "bot@ci.example"}
    monkeypatch.delenv("GIT_AUTHOR_NAME")
    monkeypatch.delenv("GIT_AUTHOR_EMAIL")
    _start(essay_ws, run_id, "G2")
    assert _gate(essay_ws, run_id, "G2").current.started_by.name == "Ada Tester"
