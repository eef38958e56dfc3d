"""Killing the driver while a command gate runs, then `run resume`: nothing is lost (every
committed record parses, attempt numbers stay continuous) and the run finishes."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import msgspec
import pytest
from helpers import PYTHON, RUNNER_BIN, SLUG, git_ok, record_files
from run_helpers import add_workflow, attempt, check_history, commit_all, events, head, load, runner

from runner.hashing import sha256_bytes
from runner.jsonio import canonical_bytes
from runner.models.base import to_data as dump
from runner.models.run import Attempt

pytestmark = pytest.mark.slow

# Appends its pid to argv[2]; sleeps while argv[1] still counts slow runs, else exits 0.
SLOW = ("import os, pathlib, sys, time\n"
        "budget, pids = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])\n"
        "with pids.open('a') as f: f.write(f'{os.getpid()}\\n')\n"
        "left = int(budget.read_text())\n"
        "budget.write_text(str(max(left - 1, 0)))\n"
        "time.sleep(60 if left > 0 else 0)\n"
        "print('done')\n")


def _pids(path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _kill_when_started(root, args, pids, count) -> None:
    """Start the driver, wait until the command has started `count` times in all, SIGKILL it."""
    driver = subprocess.Popen([str(RUNNER_BIN), *args], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    end = time.monotonic() + 30
    while len(_pids(pids)) < count:
        assert driver.poll() is None, driver.communicate()
        assert time.monotonic() < end, "the command did not start"
        time.sleep(0.02)
    driver.send_signal(signal.SIGKILL)
    assert driver.wait(timeout=10) == -signal.SIGKILL


def test_sigkill_during_a_command_gate_then_resume_loses_nothing(ws_root, tmp_path):
    root = ws_root
    budget, pids = tmp_path / "slow-runs", tmp_path / "pids"
    budget.write_text("2")  # the first two runs of K1 hang until killed
    add_workflow(root, {"workflow": "build", "gates": [
        {"gate": "K0", "kind": "command", "command": ["true"]},
        {"gate": "K1", "kind": "command", "timeout_s": 120,
         "command": [str(PYTHON), "-c", SLOW, str(budget), str(pids)]},
    ]})
    commit_all(root)
    base = head(root)
    try:
        _kill_when_started(root, ["run", "build", "--slug", SLUG], pids, 1)
        (rid,) = [p.name for p in (root / "runs").iterdir() if p.name.startswith("run_")]
        run = load(root, rid)
        assert run.status == "RUNNING" and run.gate("K0").status == "PASS"
        assert run.gate("K1").current.attempt == 1 and run.gate("K1").current.pid is not None
        check_history(root, rid, base)  # everything up to the kill is committed and parses

        _kill_when_started(root, ["run", "resume", "--run", rid], pids, 2)
        assert load(root, rid).gate("K1").current.attempt == 1
        check_history(root, rid, base)

        done = runner(root, "run", "resume", "--run", rid, check=0)
        assert f"run {rid} PASSED" in done.out
    finally:
        for pid in _pids(pids):  # the killed drivers' commands, orphaned
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    run = load(root, rid)
    assert run.status == "PASSED"
    # The command killed with its driver ran again in the same attempt (docs/workflows.md).
    assert [[a.attempt for a in g.attempts] for g in run.gates] == [[1], [1]]
    assert attempt(root, rid, "K1", 1).status == "PASS"
    (inv,) = [i for i in run.invocations if i.gate == "K1"]
    assert (inv.attempt, inv.exit_code, inv.status) == (1, 0, "SUCCESS")
    assert (root / inv.stdout_log).read_text() == "done\n"
    assert len(events(root, rid, "resumed")) == 2
    taken = events(root, rid, "attempt_taken_over")  # each resume took the dead driver's attempt over
    assert [(e.gate, e.attempt) for e in taken] == [("K1", 1), ("K1", 1)]
    assert taken[0].data["previous_pid"] != taken[1].data["previous_pid"]
    assert [e.seq for e in run.events] == list(range(1, len(run.events) + 1))
    for before, event in zip(run.events, run.events[1:]):  # the events' hash chain is whole
        assert event.prev == sha256_bytes(canonical_bytes(dump(before)))
    check_history(root, rid, base)
    files = [p for p in record_files(root) if p.name.startswith("attempt-")]
    assert sorted(p.parent.name + "/" + p.name for p in files) == ["K0/attempt-1.json", "K1/attempt-1.json"]
    for path in files:
        _decode_json(Attempt, path.read_text())


def test_resume_while_the_driver_still_runs_the_command_is_refused(ws_root, tmp_path):
    root = ws_root
    budget, pids = tmp_path / "slow-runs", tmp_path / "pids"
    budget.write_text("1")
    add_workflow(root, {"workflow": "build", "gates": [
        {"gate": "K1", "kind": "command", "timeout_s": 120,
         "command": [str(PYTHON), "-c", SLOW, str(budget), str(pids)]}]})
    commit_all(root)
    driver = subprocess.Popen([str(RUNNER_BIN), "run", "build", "--slug", SLUG], cwd=root,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 30
        while not _pids(pids):
            assert driver.poll() is None and time.monotonic() < end
            time.sleep(0.02)
        (rid,) = [p.name for p in (root / "runs").iterdir() if p.name.startswith("run_")]
        before = head(root)
        out = runner(root, "run", "resume", "--run", rid, check=4)
        assert f"gate K1 attempt 1 is being run by process {driver.pid}" in out.err
        assert len(_pids(pids)) == 1  # the command was not started a second time
        run = load(root, rid)
        assert run.gate("K1").current.pid == driver.pid and run.invocations == []
        assert [e.type for e in events(root, rid)][-1] == "gate_started"
        assert git_ok(root, "diff", "--quiet", before, "HEAD", "--", f"runs/{rid}/record/gates")
    finally:
        driver.kill()
        driver.wait()
        for pid in _pids(pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _decode_json(kind, text):
    return msgspec.json.decode(text, type=kind)
