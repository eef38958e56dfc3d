"""The workflow driver on a terminal (a pseudo-terminal): it waits at each pause for Enter
or a decision typed at the prompt, and `q` leaves with the pause recorded."""

from __future__ import annotations

import os
import signal

import pytest
from helpers import ART, SLUG, write_outputs
from run_helpers import IDENTITY, add_workflow, check_history, commit_all, decision, events, head, load

pytestmark = pytest.mark.slow

OUTPUTS_PROMPT = "Enter when the outputs are ready"
DECISION_PROMPT = "`approve [NOTE]`, `reject [NOTE]`, or `q` to leave: "


def test_enter_continues_approve_decides_and_q_leaves(mix_ws, pty_runner):
    root, base = mix_ws, head(mix_ws)
    term = pty_runner(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART)
    shown = term.expect(OUTPUTS_PROMPT)
    assert "gate G1 attempt 1 waits for its outputs" in shown and "prompt packet: runs/" in shown
    rid = shown.split("[", 1)[1].split("]", 1)[0]
    assert load(root, rid).gate("G1").waiting.waiting_for == "outputs"  # recorded before asking

    write_outputs(root, "G1")
    term.send("")  # Enter: the outputs are ready
    assert "gate H1 waits for a decision" in term.expect(DECISION_PROMPT)
    term.send("q")
    assert term.wait() == 3

    run = load(root, rid)
    assert run.status == "RUNNING" and run.gate("G1").status == "PASS"
    assert run.gate("H1").status == "AWAITING_APPROVAL" and run.gate("H1").waiting.waiting_for == "decision"
    assert events(root, rid, "decision") == []

    term = pty_runner(root, "run", "resume", "--run", rid)
    term.expect(DECISION_PROMPT)
    term.send("approve looks good")
    assert f"run {rid} PASSED" in term.expect("PASSED")
    assert term.wait() == 0

    d = decision(root, rid, "H1", 1)
    assert (d.verdict, d.by.name, d.by.email, d.note, d.automatic) == ("approve", *IDENTITY, "looks good", False)
    assert load(root, rid).status == "PASSED"
    check_history(root, rid, base)


def test_not_understood_then_reject_at_the_prompt(mix_ws, pty_runner):
    root = mix_ws
    write_outputs(root, "G1")
    term = pty_runner(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART)
    term.expect(OUTPUTS_PROMPT)
    term.send("")
    term.expect(DECISION_PROMPT)
    term.send("maybe")
    term.expect("(not understood)")
    term.expect(DECISION_PROMPT)
    term.send("reject too short")
    out = term.expect("or `runner run cancel")
    assert "gate H1 failed" in out and "rejected by Ada Tester" in out
    assert term.wait() == 1
    rid = out.split("[", 1)[1].split("]", 1)[0]
    d = decision(root, rid, "H1", 1)
    assert (d.verdict, d.note, d.by.name) == ("reject", "too short", "Ada Tester")
    assert load(root, rid).status == "FAILED"


def test_the_driver_applies_a_deadline_while_it_waits(ws_root, pty_runner):
    root = ws_root
    add_workflow(root, {"workflow": "timed", "gates": [
        {"gate": "H1", "kind": "human", "approval": {"required": True, "auto_approve": True,
                                                      "auto_approve_after_s": 1}}]})
    commit_all(root)
    term = pty_runner(root, "run", "timed", "--slug", SLUG)
    out = term.expect(DECISION_PROMPT)
    assert "the timer will approve" in out
    # Nobody types anything: at the deadline the driver lets the timer decide and goes on.
    assert "PASSED" in term.expect("PASSED", timeout=15)
    assert term.wait() == 0
    rid = out.split("[", 1)[1].split("]", 1)[0]
    d = decision(root, rid, "H1", 1)
    assert (d.by.name, d.timed_out, d.automatic, d.verdict) == ("timer", True, True, "approve")


def test_an_escalated_gate_keeps_waiting_for_a_person_at_the_prompt(ws_root, pty_runner):
    root = ws_root
    add_workflow(root, {"workflow": "esc", "gates": [
        {"gate": "H1", "kind": "human", "approval": {"required": True, "auto_approve_after_s": 1,
                                                      "on_timeout": "escalate"}}]})
    commit_all(root)
    term = pty_runner(root, "run", "esc", "--slug", SLUG)
    out = term.expect(DECISION_PROMPT)
    assert "the timer will escalate" in out
    rid = out.split("[", 1)[1].split("]", 1)[0]
    out = term.expect("a person must decide", timeout=15)  # the driver escalated it while waiting
    term.expect(DECISION_PROMPT)
    term.drain(1.2)  # and then waits quietly for a person: no busy loop re-asking
    assert term.text.count(DECISION_PROMPT) == 2, term.text
    assert load(root, rid).gate("H1").waiting.escalated
    term.send("approve after all")
    term.expect("PASSED")
    assert term.wait() == 0
    d = decision(root, rid, "H1", 1)
    assert (d.by.name, d.note, d.timed_out) == ("Ada Tester", "after all", False)


@pytest.mark.parametrize("leave, code", [("eof", 3), ("sigint", 130)])
def test_ctrl_d_or_ctrl_c_at_the_prompt_leaves_the_pause_recorded(mix_ws, pty_runner, leave, code):
    root = mix_ws
    term = pty_runner(root, "run", "mix", "--slug", SLUG, "--artifact-path", ART)
    shown = term.expect(OUTPUTS_PROMPT)
    rid = shown.split("[", 1)[1].split("]", 1)[0]
    if leave == "eof":
        os.write(term.fd, b"\x04")  # Ctrl-D on an empty line
    else:
        term.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert term.wait() == code
    run = load(root, rid)
    assert run.status == "RUNNING" and run.gate("G1").waiting.waiting_for == "outputs"
    assert [e.type for e in run.events][-1] == "paused"
