"""The workflow driver without a terminal: each pause is recorded, says what to do next and
exits 3; `run resume` continues where the run stopped; the git log holds one commit per
record change."""

from __future__ import annotations

import pytest
from helpers import ART, PYTHON, SLUG, write_outputs
from run_helpers import (IDENTITY, add_workflow, attempt, check_history, commit_all, decision, events, head, load,
                         porcelain, rin, run_id_of, runner)

pytestmark = pytest.mark.slow


def test_agent_human_command_workflow_pauses_resumes_and_passes(mix_ws):
    root, base = mix_ws, head(mix_ws)
    (root / "prompt.txt").write_text("An essay on the word robot.\n")

    # stdin closed altogether (`<&-`), not only empty: still no terminal, still exit 3.
    first = runner(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, "--prompt-file", "prompt.txt",
                   stdin="closed", check=3)
    rid = run_id_of(first)
    assert "gate G1 attempt 1 waits for its outputs" in first.out
    assert f"prompt packet: runs/{rid}/logs/gates/G1/prompt-1.txt" in first.out
    assert f"runner run resume --run {rid}" in first.out
    run = load(root, rid)
    assert run.status == "RUNNING" and run.prompt == "An essay on the word robot.\n"
    assert run.gate("G1").waiting.waiting_for == "outputs" and run.gate("G1").current.attempt == 1

    # The agent wrote its outputs: resume validates G1, and the human gate H1 waits.
    write_outputs(root, "G1")
    second = runner(root, "run", "resume", "--run", rid, check=3)
    assert "gate H1 waits for a decision" in second.out
    assert f"runner gate approve --run {rid} --gate H1" in second.out
    assert f"runner gate reject --run {rid} --gate H1` (either with [--note TEXT] [--patch FILE])" in second.out
    assert f"then `runner run resume --run {rid}`" in second.out
    run = load(root, rid)
    assert [g.status for g in run.gates] == ["PASS", "AWAITING_APPROVAL", "PENDING"]
    assert run.gate("H1").waiting.waiting_for == "decision" and run.gate("H1").waiting.deadline is None

    # Resuming without a decision changes nothing but the resume event: still exit 3.
    assert "gate H1 waits for a decision" in runner(root, "run", "resume", "--run", rid, check=3).out

    approved = runner(root, "gate", "approve", "--run", rid, "--gate", "H1", "--note", "reads well", check=0)
    assert f"approved by {IDENTITY[0]}" in approved.out
    assert load(root, rid).status == "RUNNING"  # a decision does not drive the run on

    done = runner(root, "run", "resume", "--run", rid, check=0)
    assert f"run {rid} PASSED" in done.out

    run = load(root, rid)
    assert run.status == "PASSED" and [g.status for g in run.gates] == ["PASS", "PASS", "PASS"]
    assert [[a.attempt for a in g.attempts] for g in run.gates] == [[1], [1], [1]]
    d = decision(root, rid, "H1", 1)
    assert (d.verdict, d.by.name, d.by.email, d.note, d.attempt) == ("approve", *IDENTITY, "reads well", 1)
    assert not d.automatic and not d.timed_out
    (inv,) = run.invocations
    assert inv.gate == "C1" and inv.attempt == 1 and inv.exit_code == 0 and inv.status == "SUCCESS"
    assert inv.duration_s is not None and inv.duration_s >= 0
    assert (root / inv.stdout_log).read_text() == f"built {ART}\n" and (root / inv.stderr_log).is_file()
    assert attempt(root, rid, "C1", 1).invocation_ids == [inv.id]
    assert (root / ART / "built.txt").read_text() == "built\n"
    types = [e.type for e in run.events]
    assert types.count("paused") == 2 and types.count("resumed") == 3 and types.count("decision") == 1
    assert types[-1] == "run_completed"

    revs = check_history(root, rid, base)
    # run start, G1 start, G1 pause, resume, G1 finish, H1 start, H1 finish+pause, resume,
    # decision, resume, C1 start, C1 finish with its invocation (one commit), run complete
    assert len(revs) == 13


def test_failed_blocking_gate_stops_with_exit_1_and_resume_retries_it(essay_ws_committed):
    root = essay_ws_committed
    rid = run_id_of(runner(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, check=3))
    write_outputs(root, "G1")
    assert "gate G2 attempt 1 waits for its outputs" in rin(root, "run", "resume", "--run", rid, check=3).out

    write_outputs(root, "G2", incomplete=True)
    failed = runner(root, "run", "resume", "--run", rid, check=1)
    assert "gate G2 failed" in failed.out and "min_sources_any_of" in failed.out
    assert f"`runner run resume --run {rid}` retries G2 as a new attempt (its prompt packet says why" in failed.out
    run = load(root, rid)
    assert run.status == "FAILED" and run.gate("G2").status == "FAIL"
    assert attempt(root, rid, "G2", 1).status == "FAIL"

    # `run resume` opens attempt 2 (its packet says why attempt 1 failed) and waits for outputs.
    retry = rin(root, "run", "resume", "--run", rid, check=3)
    assert "gate G2 attempt 2 waits for its outputs" in retry.out
    packet = (root / "runs" / rid / "logs" / "gates" / "G2" / "prompt-2.txt").read_text()
    assert "## Previous attempt" in packet and "min_sources" in packet
    write_outputs(root, "G2")
    assert "gate G3 attempt 1 waits for its outputs" in rin(root, "run", "resume", "--run", rid, check=3).out
    write_outputs(root, "G3")
    rin(root, "run", "resume", "--run", rid, check=0)

    run = load(root, rid)
    assert run.status == "PASSED"
    assert [(a.attempt, a.status) for a in run.gate("G2").attempts] == [(1, "FAIL"), (2, "PASS")]
    assert [p.name for p in (root / "runs").iterdir() if p.name.startswith("run_")] == [rid]  # no new run
    assert [e.data["status"] for e in events(root, rid, "gate_finished") if e.gate == "G2"] == ["FAIL", "PASS"]


def test_resume_ready_validates_the_retry_of_a_fixed_gate_at_once(essay_ws_committed):
    """The person fixed the failed gate's outputs before resuming: one resume, not two. The
    go-ahead is for that gate only: the next agent gate still waits for its outputs."""
    root = essay_ws_committed
    rid = run_id_of(runner(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, check=3))
    write_outputs(root, "G1")
    rin(root, "run", "resume", "--run", rid, check=3)
    write_outputs(root, "G2", incomplete=True)
    runner(root, "run", "resume", "--run", rid, check=1)
    write_outputs(root, "G2")
    out = rin(root, "run", "resume", "--run", rid, "--ready", check=3).out
    assert "gate G3 attempt 1 waits for its outputs" in out
    run = load(root, rid)
    assert run.status == "RUNNING"
    assert [(a.attempt, a.status) for a in run.gate("G2").attempts] == [(1, "FAIL"), (2, "PASS")]
    assert (root / "runs" / rid / "logs" / "gates" / "G2" / "prompt-2.txt").is_file()  # the retry's packet


def test_start_from_validates_earlier_gates_without_pausing(essay_ws_committed):
    root = essay_ws_committed
    write_outputs(root, "G1")
    write_outputs(root, "G2")
    out = runner(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, "--start-from", "G3", check=3)
    rid = run_id_of(out)
    assert "gate G3 attempt 1 waits for its outputs" in out.out
    for gate in ("G1", "G2"):
        a = attempt(root, rid, gate, 1)
        assert a.status == "PASS" and a.skipped_by_start_from and not a.forced and a.prompt_packet is None
    assert [e.gate for e in events(root, rid, "paused")] == ["G3"]
    assert [e.data.get("start_from") for e in events(root, rid, "gate_started")] == [True, True, None]
    write_outputs(root, "G3")
    rin(root, "run", "resume", "--run", rid, check=0)
    assert not attempt(root, rid, "G3", 1).skipped_by_start_from


def test_start_from_stops_at_an_earlier_gate_that_fails(essay_ws_committed):
    root = essay_ws_committed
    write_outputs(root, "G1")  # G2's outputs are missing
    out = rin(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, "--start-from", "G3", check=1)
    rid = run_id_of(out)
    assert "gate G2 failed" in out.out
    run = load(root, rid)
    assert run.status == "FAILED" and run.gate("G3").status == "PENDING"
    assert attempt(root, rid, "G2", 1).skipped_by_start_from


def test_start_from_an_unknown_gate_is_refused_and_leaves_no_run(essay_ws_committed):
    root = essay_ws_committed
    before = head(root)
    out = rin(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, "--start-from", "G9", check=4)
    assert "--start-from G9: no such gate" in out.err and "G1, G2, G3" in out.err
    assert head(root) == before
    assert not [p for p in (root / "runs").iterdir() if p.name.startswith("run_")]


@pytest.mark.parametrize("start", [("run", "start", "--workflow", "mix"), ("run", "mix")])
def test_a_workflow_using_the_artifact_path_without_one_is_refused_and_leaves_no_run(mix_ws, start):
    root = mix_ws
    before = head(root)
    out = rin(root, *start, "--slug", SLUG, check=2)
    line, hint = out.err.splitlines()
    assert "no --artifact-path, but workflow mix uses {artifact_path} in G1, C1" in line
    assert "--artifact-path" in hint
    assert head(root) == before and porcelain(root) == []
    assert list((root / "runs").glob("run_*")) == []
    rin(root, *start, "--slug", SLUG, "--artifact-path", ART, check=None)
    assert len(list((root / "runs").glob("run_*"))) == 1


def test_cancel_ends_the_run_and_closes_the_open_attempt(mix_ws):
    root = mix_ws
    paused = rin(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, "--json", check=3).json
    rid = paused["run_id"]
    assert (paused["kind"], paused["status"], paused["gate"], paused["attempt"], paused["waiting_for"]) == \
        ("paused", "RUNNING", "G1", 1, "outputs")
    assert paused["packet"] == f"runs/{rid}/logs/gates/G1/prompt-1.txt" and len(paused["next_steps"]) == 2
    out = runner(root, "run", "cancel", "--run", rid, "--reason", "the editor left", check=0)
    assert f"{rid} CANCELED" in out.out
    run = load(root, rid)
    assert run.status == "CANCELED" and run.finished_at
    g1 = run.gate("G1")
    assert g1.current is None and g1.waiting is None and g1.status == "FAIL"
    a = attempt(root, rid, "G1", 1)
    assert a.status == "FAIL" and "the editor left" in a.failure_reason
    (ev,) = events(root, rid, "run_canceled")
    assert ev.data == {"reason": "the editor left"} and ev.actor.name == "Ada Tester"

    again = rin(root, "run", "resume", "--run", rid, check=4)
    assert "CANCELED" in again.err
    assert "already CANCELED" in rin(root, "run", "cancel", "--run", rid, check=4).err


def test_a_canceled_run_can_no_longer_be_decided(mix_ws):
    root = mix_ws
    rid = run_id_of(rin(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, check=3))
    write_outputs(root, "G1")
    assert "gate H1 waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    rin(root, "run", "cancel", "--run", rid, check=0)
    before = head(root)
    out = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", check=4)
    assert "CANCELED" in out.err
    assert head(root) == before and not (root / "runs" / rid / "record" / "gates" / "H1" / "decision-1.json").exists()
    assert rin(root, "inbox", "--json", check=0).json == []


ECHO = "import sys; print(sys.argv[1:]); sys.exit(int(sys.argv[-1]))"


@pytest.mark.parametrize("command, timeout_s, reason", [
    ([str(PYTHON), "-c", ECHO, "{artifact_path}/x", "$HOME", "*", "a b;true", "3"], 30, "command exited 3"),
    (["sleep", "5"], 0.3, "command timed out after 0.3 s"),
])
def test_a_failing_command_gate_stops_the_run(ws_root, command, timeout_s, reason):
    root = ws_root
    add_workflow(root, {"workflow": "cmd", "gates": [
        {"gate": "K1", "kind": "command", "command": command, "timeout_s": timeout_s}]})
    commit_all(root)
    out = rin(root, "run", "cmd", "--slug", SLUG, "--artifact-path", ART, check=1)
    rid = run_id_of(out)
    assert f"gate K1 failed: {reason}" in out.out and f"runner run resume --run {rid}` retries K1" in out.out
    (inv,) = load(root, rid).invocations
    assert inv.status == "FAIL" and inv.command[0] == command[0]
    if timeout_s == 30:  # argv only: variables substituted, nothing else interpreted
        assert inv.exit_code == 3
        assert (root / inv.stdout_log).read_text() == f"['{ART}/x', '$HOME', '*', 'a b;true', '3']\n"
    else:
        assert inv.exit_code is None and inv.duration_s < 5
    assert attempt(root, rid, "K1", 1).status == "FAIL" and load(root, rid).status == "FAILED"
