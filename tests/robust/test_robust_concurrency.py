"""Concurrency: 16 processes x 25 mixed operations (gate start, finish, fail, approve,
invocation record) on 4 runs. Every operation succeeds or is refused clearly (exit 4, one
`error:` line); attempt numbers are unique; every success is exactly one commit and every
refusal none; nothing is lost; no `index.lock` error. The workspace lock: a live holder
past `lock_timeout_s` is named (pid, host, since); a dead holder's lock is taken over."""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers import PYTHON, cli, git, runner_proc
from robust_helpers import (
    assert_all_committed, assert_nothing_committed_was_lost, assert_runs_consistent, parse_every_record,
    run_verify, set_config, start_torture_run, torture_workspace, verify_available,
)
from runner import records, workspace
from runner.models.base import dump

WORKER = Path(__file__).parents[1] / "integration" / "concurrency_worker.py"
PROCESSES, OPERATIONS, RUNS = 16, 25, 4
SEED = 16 * 25

# (operation, gate, weight): the exit codes a success may have, and a refusal is exit 4.
OPERATIONS_MIX = [("start", "A", 6), ("start", "H", 5), ("finish", "A", 6), ("finish", "H", 5), ("fail", "A", 2),
                  ("fail", "H", 2), ("approve", "H", 6), ("invocation", "A", 4), ("invocation", "H", 3)]
SUCCESS = {"start": 0, "finish": 0, "fail": 1, "approve": 0, "invocation": 0}


def _args(root: Path, run_id: str, op: str, gate: str, who: str) -> list[str]:
    base = ["--repo", str(root), "--run", run_id, "--gate", gate, "--json"]
    return {
        "start": ["gate", "start", *base, "--force", "--agent", who],
        "finish": ["gate", "finish", *base],
        "fail": ["gate", "fail", *base, "--reason", f"failed by {who}"],
        "approve": ["gate", "approve", *base, "--note", f"approved by {who}"],
        "invocation": ["invocation", "record", *base, "--agent", who],
    }[op]


def _plan(root: Path, run_ids: list[str], worker: int) -> list[dict]:
    rng = random.Random(SEED + worker)
    kinds = [(op, gate) for op, gate, _ in OPERATIONS_MIX]
    weights = [w for _, _, w in OPERATIONS_MIX]
    plan = []
    for _ in range(OPERATIONS):
        (op, gate), run_id = rng.choices(kinds, weights)[0], rng.choice(run_ids)
        plan.append({"op": op, "gate": gate, "run": run_id, "args": _args(root, run_id, op, gate, f"w{worker}")})
    return plan


def _runner_commits(root: Path, base: str) -> list[tuple[str, dict[str, str]]]:
    out = git(root, "log", "--format=%H%x00%s%x00%(trailers:only,unfold)%x01", f"{base}..HEAD")
    commits = []
    for entry in filter(str.strip, out.split("\x01")):
        sha, subject, block = entry.strip("\n").split("\x00")
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        commits.append((subject, fields))
    return commits


def _commit_key(subject: str, fields: dict[str, str]) -> tuple:
    op, run_id, gate = fields["Op"], fields["Run-Id"], fields.get("Gate")
    if op == "invocation":
        return ("invocation", run_id, gate, subject.split(" invocation ")[1].split()[0])
    if op == "decision":
        return ("approve", run_id, gate, int(fields["Decision"]))
    if op == "gate-start":
        return ("start", run_id, gate, int(fields["Attempt"]))
    return ("finish", run_id, gate, int(fields["Attempt"]))


def _success_key(item: dict, told: dict) -> tuple:
    op = "finish" if item["op"] == "fail" else item["op"]
    number = told["id"] if op == "invocation" else told["decision"] if op == "approve" else told["attempt"]
    return (op, item["run"], item["gate"], number)


@pytest.mark.slow
def test_16_processes_x_25_mixed_operations_on_4_runs(ws_root, tmp_path):
    root = torture_workspace(ws_root, lock_timeout_s=300)
    ws = workspace.find(root)
    run_ids = [start_torture_run(root, k) for k in range(RUNS)]
    git(root, "add", "art")
    git(root, "commit", "-q", "-m", "user: the outputs")
    base = git(root, "rev-parse", "HEAD").strip()

    plans, procs = {}, []
    for w in range(PROCESSES):
        plans[w] = _plan(root, run_ids, w)
        ops_file = tmp_path / f"ops-{w}.json"
        ops_file.write_text(json.dumps([item["args"] for item in plans[w]]))
        procs.append(subprocess.Popen([str(PYTHON), str(WORKER), str(ops_file)], cwd=tmp_path,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    t0 = time.monotonic()
    results = {}
    for w, proc in enumerate(procs):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and "Traceback" not in err, err
        results[w] = [json.loads(line) for line in out.splitlines()]
        assert len(results[w]) == OPERATIONS
    elapsed = time.monotonic() - t0

    successes: list[tuple[dict, dict]] = []
    outcome = Counter()
    for w in range(PROCESSES):
        for item, line in zip(plans[w], results[w]):
            assert "index.lock" not in line["err"] and "Traceback" not in line["err"], line
            if line["code"] == SUCCESS[item["op"]] and line["out"]:
                successes.append((item, json.loads(line["out"])))
                outcome[f"{item['op']} {item['gate']} ok"] += 1
                continue
            # a refusal: exit 4, one `error:` line (and its hint), nothing on stdout
            assert line["code"] == 4, line
            lines = line["err"].splitlines()
            assert lines[0].startswith("error: ") and all(l.startswith("  hint: ") for l in lines[1:]), line
            assert "git" not in lines[0] and "busy" not in lines[0], line  # a state refusal, not a failure
            assert line["out"] == "", line
            outcome[f"{item['op']} {item['gate']} refused"] += 1
    print(f"\n{PROCESSES * OPERATIONS} operations in {elapsed:.1f} s: {dict(sorted(outcome.items()))}")
    assert len(successes) >= PROCESSES * OPERATIONS // 4  # the mix really exercises every kind
    assert {item["op"] for item, _ in successes} == set(SUCCESS)

    # every success is exactly one runner commit, and no refusal made one
    commits = _runner_commits(root, base)
    assert all(fields.get("Run-Id") in run_ids for _, fields in commits)
    assert Counter(_commit_key(*c) for c in commits) == Counter(_success_key(i, t) for i, t in successes)
    assert all(len(line.split()) == 2 for line in git(root, "log", "--format=%H %P", f"{base}..HEAD").splitlines())

    # attempt numbers are unique per gate, and what each process was told is on disk and in HEAD
    started = Counter((i["run"], i["gate"], t["attempt"]) for i, t in successes if i["op"] == "start")
    assert max(started.values()) == 1
    for run_id in run_ids:
        run = records.load_run(ws, run_id)
        for state in run.gates:
            opened = sorted(n for (r, g, n) in started if (r, g) == (run_id, state.gate))
            ended = [ref.attempt for ref in state.attempts]
            assert opened == ended + ([state.current.attempt] if state.current else []), (run_id, state.gate)
            assert opened == list(range(1, len(opened) + 1))
    for item, told in successes:
        if item["op"] in ("finish", "fail"):
            attempt = records.load_attempt(ws, item["run"], item["gate"], told["attempt"])
            assert dump(attempt) == told
            rel = ws.rel(records.attempt_file(ws, item["run"], item["gate"], told["attempt"]))
            assert git(root, "show", f"HEAD:{rel}") == (root / rel).read_text()
        elif item["op"] == "approve":
            rel = f"runs/{item['run']}/record/gates/{item['gate']}/decision-{told['decision']}.json"
            assert json.loads(git(root, "show", f"HEAD:{rel}")) == told
        elif item["op"] == "invocation":
            recorded = {i.id: i for i in records.load_run(ws, item["run"]).invocations}
            assert recorded[told["id"]].agent == told["agent"]

    parse_every_record(root)
    assert_runs_consistent(root)
    assert_all_committed(root)
    assert_nothing_committed_was_lost(root)
    assert cli("doctor", "--repo", root, "--json", check=0).json == []
    if verify_available():
        run_verify(root)


# --- the workspace lock ---------------------------------------------------------------------

HOLD = ("import sys, time\n"
        "from pathlib import Path\n"
        "from runner import locking\n"
        "with locking.hold(Path(sys.argv[1]), 5, 'a test holding the lock'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(float(sys.argv[2]))\n")


def _holder(root: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([str(PYTHON), "-c", HOLD, str(root / ".git" / "runner.lock"), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.slow
def test_a_lock_held_past_lock_timeout_names_its_holder(ws_root):
    root = torture_workspace(ws_root, lock_timeout_s=1)
    run_id = start_torture_run(root, 0)
    head = git(root, "rev-parse", "HEAD")
    holder = _holder(root, 30)
    try:
        began = time.monotonic()
        result = runner_proc("gate", "start", "--run", run_id, "--gate", "A", cwd=root)
        waited = time.monotonic() - began
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 4, result
    first = result.err.splitlines()[0]
    assert first.startswith("error: workspace is busy"), result
    assert f"pid {holder.pid}" in first and f"on {socket.gethostname()}" in first, first
    assert " since 20" in first and "a test holding the lock" in first and "more than 1 s" in first, first
    assert "hint: " in result.err
    assert 1.0 <= waited < 30, waited
    assert git(root, "rev-parse", "HEAD") == head
    assert records.load_run(workspace.find(root), run_id).gate("A").current is None


@pytest.mark.slow
def test_a_lock_left_by_a_killed_process_is_taken_over_at_once(ws_root):
    root = torture_workspace(ws_root, lock_timeout_s=1)
    run_id = start_torture_run(root, 0)
    holder = _holder(root, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    note = json.loads((root / ".git" / "runner.lock").read_text())
    assert note["pid"] == holder.pid  # the dead holder's note is still there

    found = cli("doctor", "--repo", root, "--json")
    assert found.code == 1 and [f["kind"] for f in found.json] == ["stale-lock"], found
    assert str(holder.pid) in found.json[0]["message"]

    began = time.monotonic()
    opened = cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", "--json", check=0)
    assert time.monotonic() - began < 5  # no waiting for a lock timeout (1 s) and no error
    assert opened.json["attempt"] == 1
    assert (root / ".git" / "runner.lock").read_text() == ""  # released: no holder named
    assert cli("doctor", "--repo", root, "--json", check=0).json == []


@pytest.mark.slow
def test_a_runner_killed_while_holding_the_lock_does_not_block_the_next(ws_root):
    """SIGKILL a real `runner` process while it holds the lock (it waits on a second lock
    holder first, so the moment is known): the next command goes through at once."""
    root = torture_workspace(ws_root, lock_timeout_s=30)
    run_id = start_torture_run(root, 0)
    holder = _holder(root, 1.5)
    victim = subprocess.Popen([str(PYTHON), "-m", "runner", "gate", "start", "--run", run_id, "--gate", "A"],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the victim takes the lock when the holder lets go
        text = (root / ".git" / "runner.lock").read_text()
        if text and json.loads(text)["pid"] == victim.pid or victim.poll() is not None:
            break
        time.sleep(0.001)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    set_config(root, lock_timeout_s=1)
    result = cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "H", "--force")
    assert result.code == 0, result
    assert cli("doctor", "--repo", root, "--fix", "--json").code == 0
    assert cli("doctor", "--repo", root, "--json", check=0).json == []
    assert_runs_consistent(root)
    assert_all_committed(root)
