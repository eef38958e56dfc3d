"""`runner tick` continues the runs whose next step needs no person (seed 002: "the job
automatically resumes"), leaves the others, and never takes a run from a process that
drives it: two ticks at once run a command gate once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import PYTHON, RUNNER_BIN, SLUG
from run_helpers import (
    C1_CONTRACT,
    add_workflow,
    commit_all,
    head,
    load,
    rin,
    run_id_of,
    runner,
    wait_until_deadline,
    write_json,
)

pytestmark = pytest.mark.slow

# C1 appends a line to a log outside the workspace (how often it ran), waits a little, builds.
BUILD = ("import pathlib, sys, time; log = open(sys.argv[2], 'a'); log.write('ran\\n'); log.close(); "
         "time.sleep(float(sys.argv[3])); p = pathlib.Path(sys.argv[1]); p.mkdir(parents=True, exist_ok=True); "
         "(p / 'built.txt').write_text('built\\n')")
HOLD = ("import fcntl, os, sys, time; p = sys.argv[1]; os.makedirs(os.path.dirname(p), exist_ok=True); "
        "fd = os.open(p, os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); "
        "sys.stdin.read()")


@pytest.fixture
def tick_ws(ws_root, tmp_path):
    root = ws_root
    log = tmp_path / "ran.log"
    write_json(root / "contracts" / "C1.contract.json", C1_CONTRACT)
    write_json(root / "contracts" / "A1.contract.json", {**C1_CONTRACT, "gate": "A1"})
    build = {"gate": "C1", "kind": "command", "timeout_s": 30,
             "command": [str(PYTHON), "-c", BUILD, "{artifact_path}", str(log), "0.5"]}
    timed = {"gate": "T", "kind": "human", "approval": {"required": True, "auto_approve_after_s": 1,
                                                        "on_timeout": "approve"}}
    signed = {"gate": "T", "kind": "human", "approval": {"required": True}}
    add_workflow(root, {"workflow": "timed", "gates": [timed, build]})
    add_workflow(root, {"workflow": "signed", "gates": [signed, build]})
    add_workflow(root, {"workflow": "handoff", "gates": [signed, {"gate": "A1", "kind": "agent"}]})
    commit_all(root)
    return root, log


def _start(root, workflow: str) -> str:
    return run_id_of(rin(root, "run", workflow, "--slug", SLUG, "--artifact-path", "essays/robot", check=3))


def test_tick_applies_the_deadline_and_continues_the_run(tick_ws):
    root, log = tick_ws
    rid = _start(root, "timed")
    wait_until_deadline(root, rid, "T")
    ticked = runner(root, "tick", "--json", check=0).json
    assert [(f["run_id"], f["gate"], f["action"]) for f in ticked["fired"]] == [(rid, "T", "approve")]
    assert [(c["run_id"], c["kind"], c["status"]) for c in ticked["continued"]] == [(rid, "done", "PASSED")]
    assert ticked["busy"] == []
    run = load(root, rid)
    assert run.status == "PASSED" and [a.status for a in run.gate("C1").attempts] == ["PASS"]
    assert log.read_text() == "ran\n" and (root / "essays/robot/built.txt").is_file()

    after = head(root)
    assert rin(root, "tick", "--json", check=0).json == {"fired": [], "continued": [], "busy": [], "picked_up": []}  # idempotent
    assert head(root) == after


def test_no_resume_only_decides_and_a_later_tick_continues(tick_ws):
    root, log = tick_ws
    rid = _start(root, "timed")
    wait_until_deadline(root, rid, "T")
    ticked = rin(root, "tick", "--no-resume", "--json", check=0).json
    assert len(ticked["fired"]) == 1 and ticked["continued"] == []
    run = load(root, rid)
    assert (run.status, run.gate("T").status, run.gate("C1").status) == ("RUNNING", "PASS", "PENDING")
    assert not log.exists()

    out = runner(root, "tick", check=0)
    assert f"{rid}: continued: run {rid} PASSED" in out.out
    assert "0 deadline(s) applied, 1 run(s) continued" in out.err


def test_a_person_s_approval_is_continued_too_but_not_what_needs_a_person(tick_ws):
    root, log = tick_ws
    approved = _start(root, "signed")
    rin(root, "gate", "approve", "--run", approved, "--gate", "T", check=0)
    waiting = _start(root, "signed")  # T waits for a person
    agent = _start(root, "handoff")
    rin(root, "gate", "approve", "--run", agent, "--gate", "T", check=0)  # next: an agent gate
    rejected = _start(root, "signed")
    rin(root, "gate", "reject", "--run", rejected, "--gate", "T", check=0)  # FAILED: a person resumes
    from runner import Repo

    queued = Repo(root).start_run("signed", "queued", "essays/queued").run_id  # never driven

    ticked = rin(root, "tick", "--json", check=0).json
    assert [(c["run_id"], c["status"]) for c in ticked["continued"]] == [(approved, "PASSED")]
    assert load(root, waiting).gate("T").status == "AWAITING_APPROVAL"
    assert load(root, agent).gate("A1").status == "PENDING"
    assert load(root, rejected).status == "FAILED" and load(root, queued).status == "QUEUED"
    assert log.read_text() == "ran\n"


def test_a_run_another_process_drives_is_left_to_it(tick_ws):
    root, log = tick_ws
    rid = _start(root, "signed")
    rin(root, "gate", "approve", "--run", rid, "--gate", "T", check=0)
    lock = root / ".git" / "runner-drive" / f"{rid}.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = head(root)
        ticked = runner(root, "tick", "--json", check=0).json
        assert ticked["busy"] == [rid] and ticked["continued"] == []
        assert head(root) == before and not log.exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert runner(root, "tick", "--json", check=0).json["continued"][0]["status"] == "PASSED"


def test_two_ticks_at_once_run_the_command_once(tick_ws):
    root, log = tick_ws
    rid = _start(root, "signed")
    rin(root, "gate", "approve", "--run", rid, "--gate", "T", check=0)
    ticks = [subprocess.Popen([str(RUNNER_BIN), "tick", "--json"], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [t.communicate(timeout=60) for t in ticks]
    assert [t.returncode for t in ticks] == [0, 0], outputs
    assert log.read_text() == "ran\n"  # the command ran once
    run = load(root, rid)
    assert run.status == "PASSED" and [a.attempt for a in run.gate("C1").attempts] == [1]
    import json

    continued = [c["run_id"] for out, _ in outputs for c in json.loads(out)["continued"]]
    assert continued == [rid]  # one tick continued it; the other found it busy or done


def test_a_run_with_records_not_committed_yet_is_left_alone(tick_ws):
    """A batch round (one commit for several steps) or a command between its write and its
    commit leaves the run's pending mark: tick does not step in."""
    root, log = tick_ws
    rid = _start(root, "signed")
    rin(root, "gate", "approve", "--run", rid, "--gate", "T", check=0)
    mark = root / ".git" / "runner-pending" / rid
    mark.touch()
    assert rin(root, "tick", "--json", check=0).json["continued"] == [] and not log.exists()
    mark.unlink()
    assert rin(root, "tick", "--json", check=0).json["continued"][0]["status"] == "PASSED"


def test_the_drive_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tick_ws):
    import threading

    from runner import Repo
    from runner.errors import LockTimeout
    from runner.run.drivelock import driving

    root, _ = tick_ws
    rid = _start(root, "signed")
    session = Repo(root).session
    refused = []

    def other() -> None:
        try:
            with driving(session, rid, wait=False):
                pass
        except LockTimeout as exc:
            refused.append(exc.message)

    with driving(session, rid), driving(session, rid, wait=False):  # nested: no wait, no refusal
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(refused) == 1 and f"drive {rid}" in refused[0]
    other()  # free again
    assert len(refused) == 1
