"""`runner gate approve|reject`: append-only decision files by a real identity, one decision
per attempt (of two at once exactly one wins), and approval settings from operator.yaml
overridden by the workflow."""

from __future__ import annotations

import subprocess
import time

import msgspec
import pytest
from helpers import ART, PYTHON, RUNNER_BIN, SLUG, git, write_outputs
from run_helpers import (IDENTITY, add_workflow, attempt, commit_all, decision, decision_files, events, head, load, rin,
                         run_id_of, runner)

from runner.timeutil import parse

pytestmark = pytest.mark.slow


def _waiting_for_h1(root) -> str:
    """A `mix` run whose human gate H1 waits for a decision."""
    write_outputs(root, "G1")
    rid = run_id_of(rin(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, check=3))
    assert "gate H1 waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    return rid


def test_decisions_are_append_only_files_by_a_real_identity(mix_ws):
    root = mix_ws
    rid = _waiting_for_h1(root)

    for by in ("timer", "Timer", "auto-approve"):  # reserved for the runner's own decisions
        refused = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", "--by", by, check=2)
        assert "reserved for automatic decisions" in refused.err
    assert decision_files(root, rid, "H1") == []

    rejected = rin(root, "gate", "reject", "--run", rid, "--gate", "H1", "--note", "too long", "--json", check=0)
    d = decision(root, rid, "H1", 1)
    assert rejected.json["decision"] == 1 and rejected.json["verdict"] == "reject"
    assert (d.verdict, d.by.name, d.by.email, d.note, d.attempt) == ("reject", *IDENTITY, "too long", 1)
    assert not d.automatic and not d.timed_out and d.deadline is None and d.patch is None
    assert parse(d.at) >= parse(attempt(root, rid, "H1", 1).finished_at)
    assert load(root, rid).status == "FAILED"

    again = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", check=4)
    assert "attempt 1 was already decided: reject by Ada Tester" in again.err
    assert decision_files(root, rid, "H1") == ["decision-1.json"]

    # Resume retries the rejected gate as attempt 2, which can be decided again.
    assert "gate H1 waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    rin(root, "gate", "approve", "--run", rid, "--gate", "H1", "--by", "Grace Hopper <grace@example.org>",
        "--note", "better", check=0)
    d2 = decision(root, rid, "H1", 2)
    assert (d2.attempt, d2.verdict, d2.by.name, d2.by.email) == (2, "approve", "Grace Hopper", "grace@example.org")
    assert decision(root, rid, "H1", 1).verdict == "reject"  # untouched
    refs = load(root, rid).gate("H1").decisions
    assert [(r.decision, r.attempt, r.verdict, r.by) for r in refs] == [
        (1, 1, "reject", "Ada Tester"), (2, 2, "approve", "Grace Hopper")]
    assert [e.data["verdict"] for e in events(root, rid, "decision")] == ["reject", "approve"]
    assert git(root, "log", "--diff-filter=M", "--format=%h", "--", f"runs/{rid}/record/gates/H1").strip() == ""
    commit = git(root, "log", "-1", "--format=%an <%ae>|%s", "--", f"runs/{rid}/record/gates/H1/decision-2.json")
    assert commit.strip() == f"Ada Tester <ada@example.org>|runner: {rid} gate H1 attempt 2 APPROVED by Grace Hopper"


def test_no_identity_no_decision(mix_ws):
    root = mix_ws
    rid = _waiting_for_h1(root)
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    before = head(root)
    out = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", check=4)
    assert "git user.name is not set" in out.err
    assert decision_files(root, rid, "H1") == [] and head(root) == before


def test_deciding_a_gate_that_waits_for_nothing_is_refused(mix_ws):
    root = mix_ws
    rid = run_id_of(rin(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, check=3))
    out = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", check=4)
    assert "has no attempt waiting for a decision" in out.err
    assert "no attempt waiting" in rin(root, "gate", "reject", "--run", rid, "--gate", "G1", check=4).err


def test_two_concurrent_approvals_exactly_one_wins(mix_ws, tmp_path):
    root = mix_ws
    rid = _waiting_for_h1(root)
    barrier = tmp_path / "go"
    wait_then_exec = ("import os, sys, time\n"
                      "while not os.path.exists(sys.argv[1]): time.sleep(0.001)\n"
                      "os.execv(sys.argv[2], sys.argv[2:])\n")
    procs = [subprocess.Popen([str(PYTHON), "-c", wait_then_exec, str(barrier), str(RUNNER_BIN), "gate", "approve",
                               "--run", rid, "--gate", "H1", "--by", who], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in ("Alice", "Bob")]
    time.sleep(0.3)  # both are waiting at the barrier
    barrier.touch()
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 4], results
    winner = "Alice" if results[0][0] == 0 else "Bob"
    loser_err = next(err for code, _, err in results if code == 4)
    assert f"gate H1 attempt 1 was already decided: approve by {winner}" in loser_err
    assert "Traceback" not in loser_err
    assert decision_files(root, rid, "H1") == ["decision-1.json"]
    assert decision(root, rid, "H1", 1).by.name == winner
    assert [e.actor.name for e in events(root, rid, "decision")] == [winner]


OPERATOR = """\
gates:
  G1: {required: true, auto_approve: false, auto_approve_after_s: null}
  H1: {required: true, auto_approve: true}
  H2: {required: true, auto_approve: true}
  C2: {required: false}
"""


def test_approval_defaults_from_operator_yaml_and_the_workflow_overrides_them(mix_ws):
    root = mix_ws
    (root / "orchestration" / "operator.yaml").write_text(OPERATOR)
    add_workflow(root, {"workflow": "ops", "gates": [
        {"gate": "G1", "kind": "agent", "contract": "contracts/G1.contract.json"},
        {"gate": "H1", "kind": "human"},
        {"gate": "H2", "kind": "human",
         "approval": {"required": True, "auto_approve_after_s": 30, "on_timeout": "reject"}},
        {"gate": "C2", "kind": "command", "command": ["true"]},
    ]})
    commit_all(root)
    write_outputs(root, "G1")
    rid = run_id_of(runner(root, "run", "ops", "--slug", SLUG, "--artifact-path", ART, check=3))
    run = load(root, rid)
    approvals = {g.gate: g.approval and msgspec.to_builtins(g.approval) for g in run.gates}
    assert approvals == {
        "G1": {"required": True, "auto_approve": False, "auto_approve_after_s": None, "on_timeout": "escalate"},
        "H1": {"required": True, "auto_approve": True, "auto_approve_after_s": None, "on_timeout": "approve"},
        # field by field: the workflow's three fields, auto_approve from operator.yaml
        "H2": {"required": True, "auto_approve": True, "auto_approve_after_s": 30.0, "on_timeout": "reject"},
        "C2": None,
    }

    # G1 is an agent gate, yet operator.yaml makes it wait for a person.
    assert "gate G1 waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    rin(root, "gate", "approve", "--run", rid, "--gate", "G1", check=0)
    out = rin(root, "run", "resume", "--run", rid, check=3).out
    # H1 was approved at once by auto_approve; H2 (the workflow's setting) waits, with a timer.
    assert "gate H2 waits for a decision; at " in out and "the timer will reject" in out
    d = decision(root, rid, "H1", 1)
    assert (d.by.name, d.automatic, d.timed_out, d.verdict) == ("auto-approve", True, False, "approve")
    w = load(root, rid).gate("H2").waiting
    assert w.on_timeout == "reject" and 29 < (parse(w.deadline) - parse(w.since)).total_seconds() <= 30
    rin(root, "gate", "approve", "--run", rid, "--gate", "H2", check=0)
    rin(root, "run", "resume", "--run", rid, check=0)
    assert decision_files(root, rid, "C2") == [] and load(root, rid).status == "PASSED"


def test_a_bad_operator_file_names_the_gate(mix_ws):
    root = mix_ws
    (root / "orchestration" / "operator.yaml").write_text("gates:\n  H1: {auto_approve_after_s: soon}\n")
    out = rin(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART, check=4)
    assert "orchestration/operator.yaml: gates.H1" in out.err


def test_a_rejection_is_worded_and_run_show_lists_the_decisions(mix_ws):
    root = mix_ws
    rid = _waiting_for_h1(root)
    said = rin(root, "gate", "reject", "--run", rid, "--gate", "H1", "--note", "not yet", check=0).out
    assert ": rejected by " in said and "rejectd" not in said
    assert " REJECTED by " in git(root, "log", "-1", "--format=%s")
    shown = rin(root, "run", "show", "--run", rid, check=0).out
    assert "DECISION" in shown and "reject" in shown and f"runs/{rid}/record/gates/H1/decision-1.json" in shown


def test_an_approval_of_outputs_changed_since_their_checks_is_refused(essay_ws):
    """The bytes a person approves are the bytes the checks passed: an output written over
    since (a hand edit, a re-cast written over the product) refuses the approval, with
    nothing recorded; a rejection is still taken."""
    import json

    from helpers import pass_gate, start_run

    root = essay_ws
    workflow = root / "orchestration" / "workflows" / "essay.json"
    data = json.loads(workflow.read_text())
    data["gates"][0]["approval"] = {"required": True}
    workflow.write_text(json.dumps(data, indent=2) + "\n")
    commit_all(root)
    rid = start_run(root)
    pass_gate(root, rid, "G1")
    assert load(root, rid).gate("G1").status == "AWAITING_APPROVAL"
    output = next(a for a in attempt(root, rid, "G1", 1).artifacts if a.exists and a.kind == "file")
    (root / output.path).write_text((root / output.path).read_text() + "an edit after the checks\n")
    before = head(root)
    refused = rin(root, "gate", "approve", "--run", rid, "--gate", "G1", check=4)
    assert f"{output.path} has sha256" in refused.err and "an approval is of the bytes that were checked" in refused.err
    assert "runner gate reject" in refused.err
    assert head(root) == before and load(root, rid).gate("G1").status == "AWAITING_APPROVAL"
    rin(root, "gate", "reject", "--run", rid, "--gate", "G1", "--note", "changed after its checks", check=0)
    assert load(root, rid).gate("G1").decisions[-1].verdict == "reject"


def test_a_decision_names_the_attempt_it_saw(mix_ws):
    """--attempt: a person decides the attempt they looked at; another one waiting since
    (after a patch or a re-run) refuses the decision, nothing recorded."""
    root = mix_ws
    rid = _waiting_for_h1(root)
    waiting = load(root, rid).gate("H1").attempts[-1].attempt
    before = head(root)
    stale = rin(root, "gate", "approve", "--run", rid, "--gate", "H1", "--attempt", str(waiting + 1), check=4)
    assert f"attempt {waiting + 1} is not the one waiting: attempt {waiting} is" in stale.err
    assert head(root) == before
    rin(root, "gate", "approve", "--run", rid, "--gate", "H1", "--attempt", str(waiting), check=0)
    assert load(root, rid).gate("H1").decisions[-1].attempt == waiting
