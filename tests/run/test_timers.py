"""Timers: a deadline lives in the record, so it fires after the driver has stopped; every
command that reads a run reports it when it passed; `runner tick` applies it once."""

from __future__ import annotations

import time

import pytest
from helpers import PYTHON, SLUG, git
from run_helpers import (add_workflow, commit_all, decision, decision_files, events, head, load, rin, run_id_of, runner,
                         wait_until_deadline)

from runner.timeutil import now, parse

pytestmark = pytest.mark.slow

ACTIONS = ("approve", "reject", "escalate")


@pytest.fixture
def timed_ws(ws_root):
    for action in ACTIONS:
        add_workflow(ws_root, {"workflow": f"t-{action}", "gates": [
            {"gate": "T", "name": "Sign-off", "kind": "human",
             "approval": {"required": True, "auto_approve_after_s": 1, "on_timeout": action}}]})
    commit_all(ws_root)
    return ws_root


def test_deadlines_fire_with_the_driver_stopped(timed_ws):
    root = timed_ws
    runs = {}
    for action in ACTIONS:
        out = rin(root, "run", f"t-{action}", "--slug", SLUG, check=3)  # the driver stops: exit 3
        assert f"the timer will {action}" in out.out
        runs[action] = run_id_of(out)
    canceled = run_id_of(rin(root, "run", "t-approve", "--slug", "other", check=3))
    rin(root, "run", "cancel", "--run", canceled, check=0)

    inbox = {i["run_id"]: i for i in rin(root, "inbox", "--json", check=0).json}
    assert set(inbox) == set(runs.values())
    for action, rid in runs.items():
        item = inbox[rid]
        assert (item["gate"], item["attempt"], item["waiting_for"], item["on_timeout"], item["escalated"]) == \
            ("T", 1, "decision", action, False)
        assert item["age_s"] >= 0 and item["time_left_s"] <= 1
        assert abs(item["age_s"] + item["time_left_s"] - 1) <= 0.11  # both measured at the same moment
        assert item["deadline"] == load(root, rid).gate("T").waiting.deadline
    assert list(runs.values()) == [i["run_id"] for i in rin(root, "inbox", "--json", check=0).json]  # oldest first
    assert rin(root, "inbox", check=0).out.splitlines()[0].split() == [
        "RUN", "GATE", "ATTEMPT", "WAITS", "FOR", "AGE", "AUTOMATIC", "ACTION"]

    for rid in runs.values():
        wait_until_deadline(root, rid, "T")
        last = parse(load(root, rid).events[-1].at)  # and until its last event is more than 1 s old
        time.sleep(max(0.0, (last - now()).total_seconds() + 1.05))
    before = head(root)

    # Every command that reads a run reports the deadline that passed (and changes nothing).
    listed = {r["run_id"]: r for r in rin(root, "run", "list", "--json", check=0).json}
    assert all(listed[rid]["overdue"] == ["T"] for rid in runs.values()) and listed[canceled]["overdue"] is None
    table = runner(root, "run", "list", check=0)
    assert table.out.count("T:decision (overdue: T)") == 3 and table.err.count("has passed") == 3
    shown = runner(root, "run", "show", "--run", runs["approve"], check=0)
    assert "gate T is overdue" in shown.err and "`runner tick`" in shown.err
    assert "gate T is overdue" in rin(root, "run", "show", "--run", runs["reject"], "--json", check=0).err
    stale = rin(root, "run", "list", "--stale", "--older-than", "1s", "--json", check=0).json
    assert sorted(r["run_id"] for r in stale) == sorted(runs.values())  # not the canceled run
    assert rin(root, "run", "list", "--stale", "--older-than", "1h", "--json", check=0).json == []
    assert head(root) == before

    fired = runner(root, "tick", "--no-resume", "--json", check=0).json["fired"]
    assert sorted((f["run_id"], f["gate"], f["action"]) for f in fired) == sorted(
        (rid, "T", action) for action, rid in runs.items())

    for action in ("approve", "reject"):
        rid = runs[action]
        d = decision(root, rid, "T", 1)
        assert (d.verdict, d.by.name, d.by.email, d.timed_out, d.automatic, d.attempt) == \
            (action, "timer", None, True, True, 1)
        assert d.deadline == next(e for e in events(root, rid, "paused")).data["deadline"]
        assert parse(d.at) >= parse(d.deadline)
        (ev,) = events(root, rid, "timer_fired")
        assert ev.actor.name == "timer" and ev.data["verdict"] == action
    assert load(root, runs["approve"]).gate("T").status == "PASS"
    assert load(root, runs["approve"]).status == "RUNNING"  # the driver goes on when resumed
    assert load(root, runs["reject"]).gate("T").status == "FAIL" and load(root, runs["reject"]).status == "FAILED"

    rid = runs["escalate"]
    assert decision_files(root, rid, "T") == []
    w = load(root, rid).gate("T").waiting
    assert w.escalated and load(root, rid).gate("T").status == "AWAITING_APPROVAL"
    (ev,) = events(root, rid, "timer_fired")
    assert ev.data == {"action": "escalate", "deadline": w.deadline}
    assert git(root, "log", "-3", "--format=%an").split() == ["timer"] * 3  # one commit per run

    after = head(root)
    assert rin(root, "tick", "--no-resume", "--json", check=0).json["fired"] == []  # idempotent
    assert head(root) == after

    (item,) = rin(root, "inbox", "--json", check=0).json
    assert (item["run_id"], item["escalated"], item["time_left_s"]) == (rid, True, None)
    assert "escalated" in rin(root, "inbox", check=0).out
    assert all(r["overdue"] is None for r in rin(root, "run", "list", "--json", check=0).json)
    paused = rin(root, "run", "resume", "--run", rid, check=3)
    assert "its deadline passed and it was escalated: a person must decide" in paused.out
    rin(root, "gate", "approve", "--run", rid, "--gate", "T", check=0)  # a person still can
    assert decision(root, rid, "T", 1).by.name == "Ada Tester"

    assert "PASSED" in rin(root, "run", "resume", "--run", runs["approve"], check=0).out
    retry = rin(root, "run", "resume", "--run", runs["reject"], check=3)  # a new attempt, a new deadline
    assert "gate T waits for a decision" in retry.out and load(root, runs["reject"]).gate("T").waiting.attempt == 2


def test_an_optional_gate_with_a_delay_waits_for_a_person_then_the_timer_approves(ws_root):
    """Seed 002's `outline`: {required: false, auto_approve: true, auto_approve_after_s: 1800}
    in operator.yaml. Not required, yet a person may decide until the deadline; then the
    timer approves. (`outline-fast` waits 1 s instead of 30 minutes.)"""
    root = ws_root
    (root / "orchestration" / "operator.yaml").write_text(
        "gates:\n  outline: {required: false, auto_approve: true, auto_approve_after_s: 1800}\n")
    step = {"gate": "outline", "kind": "command", "command": [str(PYTHON), "-c", "pass"]}
    add_workflow(root, {"workflow": "outline", "gates": [step]})
    add_workflow(root, {"workflow": "outline-fast", "gates": [{**step, "approval": {"auto_approve_after_s": 1}}]})
    commit_all(root)

    out = rin(root, "run", "outline", "--slug", SLUG, check=3)
    assert "gate outline waits for a decision" in out.out and "the timer will approve" in out.out
    person = run_id_of(out)
    state = load(root, person).gate("outline")
    assert (state.status, state.approval.required, state.waiting.on_timeout) == ("AWAITING_APPROVAL", False, "approve")
    assert (parse(state.waiting.deadline) - parse(state.waiting.since)).total_seconds() == 1800
    assert decision_files(root, person, "outline") == []
    rin(root, "gate", "approve", "--run", person, "--gate", "outline", check=0)  # a person decides in time
    assert decision(root, person, "outline", 1).by.name == "Ada Tester"
    assert "PASSED" in rin(root, "run", "resume", "--run", person, check=0).out

    timed = run_id_of(rin(root, "run", "outline-fast", "--slug", SLUG, check=3))
    assert load(root, timed).gate("outline").status == "AWAITING_APPROVAL"
    wait_until_deadline(root, timed, "outline")
    fired = runner(root, "tick", "--no-resume", "--json", check=0).json["fired"]
    assert [(f["run_id"], f["gate"], f["action"]) for f in fired] == [(timed, "outline", "approve")]
    d = decision(root, timed, "outline", 1)
    assert (d.verdict, d.by.name, d.automatic, d.timed_out) == ("approve", "timer", True, True)
    assert load(root, timed).gate("outline").status == "PASS"
    assert "PASSED" in rin(root, "run", "resume", "--run", timed, check=0).out
