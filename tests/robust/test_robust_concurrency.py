"""Concurrency: `runner` processes on one workspace at once, each running its list of
operations (gate start, finish, fail, approve, invocation record) through
concurrency_worker.py. Two plans: 8 processes x 20 operations on 4 runs, each process on
a gate of its own, so that every exit code, attempt and invocation link is known in
advance; and 16 processes x 25 mixed operations on the same 4 runs' gates, where an
operation is either done or refused clearly (exit 4, one `error:` line). In both, no
`index.lock` error, attempt numbers are unique, every success is exactly one commit and
every refusal none, what each process was told is on disk and in HEAD, and nothing is
lost. The workspace lock: a live holder past `lock_timeout_s` is named (pid, host,
since); a dead holder's lock is taken over."""

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
from helpers import PYTHON, cli, git, porcelain, runner_proc, start_run, write_outputs
from robust_helpers import (assert_all_committed, assert_nothing_committed_was_lost, assert_runs_consistent,
                            parse_every_record, run_verify, set_config, start_torture_run, torture_workspace,
                            verify_available)

from runner import Repo, records, workspace
from runner.models.base import to_data as dump

WORKER = Path(__file__).with_name("concurrency_worker.py")
RUNS = 4
SUCCESS = {"start": 0, "finish": 0, "fail": 1, "approve": 0, "invocation": 0}  # a success's exit code


def _item(root: Path, run_id: str, op: str, gate: str, who: str, *extra: str) -> dict:
    """One operation of a plan: what it is, and its argv."""
    base = ["--repo", str(root), "--run", run_id, "--gate", gate, "--json"]
    args = {
        "start": ["gate", "start", *base, "--force", "--agent", who],
        "finish": ["gate", "finish", *base],
        "fail": ["gate", "fail", *base, "--reason", f"failed by {who}"],
        "approve": ["gate", "approve", *base, "--note", f"approved by {who}"],
        "invocation": ["invocation", "record", *base, "--agent", who],
    }[op]
    return {"op": op, "gate": gate, "run": run_id, "args": [*args, *extra]}


def _run_plans(plans: list[list[dict]], tmp_path: Path) -> list[list[dict]]:
    """Each plan in a worker process of its own, all at once: each plan's result lines
    ({"args", "code", "out", "err"}), none of which saw index.lock or a traceback."""
    procs = []
    for w, plan in enumerate(plans):
        ops_file = tmp_path / f"ops-{w}.json"
        ops_file.write_text(json.dumps([item["args"] for item in plan]))
        procs.append(subprocess.Popen([str(PYTHON), str(WORKER), str(ops_file)], cwd=tmp_path,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for plan, proc in zip(plans, procs):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and "Traceback" not in err, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert len(lines) == len(plan), lines
        for line in lines:
            assert "index.lock" not in line["err"] and "Traceback" not in line["err"], line
        results.append(lines)
    return results


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


def _assert_recorded_as_told(root: Path, base: str, run_ids: list[str], successes: list[tuple[dict, dict]]) -> None:
    """Every success is exactly one runner commit on a linear history (and nothing else
    made one), and what each process was told is on disk and in HEAD; then the invariants
    of every robustness test."""
    ws = workspace.find(root)
    commits = _runner_commits(root, base)
    assert all(fields.get("Run-Id") in run_ids for _, fields in commits)
    assert Counter(_commit_key(*c) for c in commits) == Counter(_success_key(i, t) for i, t in successes)
    assert all(len(line.split()) == 2 for line in git(root, "log", "--format=%H %P", f"{base}..HEAD").splitlines())
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


# --- 8 processes, each on a gate of its own: every outcome known in advance ----------------

CYCLES = 5  # start, invocation, finish (even cycles) or fail (odd ones), a late invocation


def _cycles(root: Path, run_id: str, gate: str) -> list[dict]:
    plan = []
    for cycle in range(CYCLES):
        plan += [_item(root, run_id, "start", gate, f"w-{gate}"), _item(root, run_id, "invocation", gate, f"w-{gate}"),
                 _item(root, run_id, "finish" if cycle % 2 == 0 else "fail", gate, f"w-{gate}"),
                 _item(root, run_id, "invocation", gate, "late", "--status", "FAIL")]
    return plan


@pytest.mark.slow
def test_8_processes_x_20_operations_on_4_runs_lose_nothing(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    ws = workspace.find(root)
    write_outputs(root, "G1")
    write_outputs(root, "G2")
    run_ids = [start_run(root) for _ in range(RUNS)]
    assert len(set(run_ids)) == RUNS
    base = git(root, "rev-parse", "HEAD").strip()
    owners = [(run_ids[w % RUNS], gate) for gate in ("G1", "G2") for w in range(RUNS)]
    plans = [_cycles(root, run_id, gate) for run_id, gate in owners]
    assert [len(plan) for plan in plans] == [20] * 8

    results = _run_plans(plans, tmp_path)
    for plan, lines in zip(plans, results):
        for item, line in zip(plan, lines):
            assert line["code"] == SUCCESS[item["op"]], line  # nothing is refused: the gate is the process's own
    told = [[json.loads(line["out"]) for line in lines] for lines in results]
    _assert_recorded_as_told(root, base, run_ids,
                             [pair for plan, answers in zip(plans, told) for pair in zip(plan, answers)])

    # RUN.json agrees with what each process was told, and links each invocation made
    # during an open attempt to it (the late ones to none)
    invocation_ids = []
    for (run_id, gate), plan, answers in zip(owners, plans, told):
        run = records.load_run(ws, run_id)
        state = run.gate(gate)
        assert state.current is None
        assert [r.attempt for r in state.attempts] == list(range(1, CYCLES + 1))
        assert [r.status for r in state.attempts] == ["PASS" if c % 2 == 0 else "FAIL" for c in range(CYCLES)]
        assert [t["attempt"] for i, t in zip(plan, answers) if i["op"] == "start"] == list(range(1, CYCLES + 1))
        invs = [t for i, t in zip(plan, answers) if i["op"] == "invocation"]
        recorded = {i.id: i for i in run.invocations}
        for k, inv in enumerate(invs):
            during = k % 2 == 0
            assert recorded[inv["id"]].attempt == (k // 2 + 1 if during else None)
        for ref, during in zip(state.attempts, invs[0::2]):
            assert records.load_attempt(ws, run_id, gate, ref.attempt).invocation_ids == [during["id"]]
        invocation_ids += [i["id"] for i in invs]
    assert len(invocation_ids) == len(set(invocation_ids)) == len(plans) * 2 * CYCLES

    for run_id in run_ids:
        run = records.load_run(ws, run_id)
        assert len(run.invocations) == 4 * CYCLES
        path = records.run_file(ws, run_id)
        assert git(root, "show", f"HEAD:{ws.rel(path)}").encode() == path.read_bytes()
        assert sorted(p.name for p in path.parent.iterdir()) == ["RUN.json", "gates"]  # no temp file
    assert not [line for line in porcelain(root) if "runs/run_" in line]


# --- 16 processes on the same gates: a mix, where some operations are refused -------------

PROCESSES, OPERATIONS = 16, 25
SEED = 16 * 25

# (operation, gate, weight): a success has its exit code in SUCCESS, a refusal is exit 4.
OPERATIONS_MIX = [("start", "A", 6), ("start", "H", 5), ("finish", "A", 6), ("finish", "H", 5), ("fail", "A", 2),
                  ("fail", "H", 2), ("approve", "H", 6), ("invocation", "A", 4), ("invocation", "H", 3)]


def _mixed(root: Path, run_ids: list[str], worker: int) -> list[dict]:
    rng = random.Random(SEED + worker)
    kinds = [(op, gate) for op, gate, _ in OPERATIONS_MIX]
    weights = [w for _, _, w in OPERATIONS_MIX]
    plan = []
    for _ in range(OPERATIONS):
        (op, gate), run_id = rng.choices(kinds, weights)[0], rng.choice(run_ids)
        plan.append(_item(root, run_id, op, gate, f"w{worker}"))
    return plan


@pytest.mark.slow
def test_16_processes_x_25_mixed_operations_on_4_runs(ws_root, tmp_path):
    root = torture_workspace(ws_root, lock_timeout_s=300)
    ws = workspace.find(root)
    run_ids = [start_torture_run(root, k) for k in range(RUNS)]
    git(root, "add", "art")
    git(root, "commit", "-q", "-m", "user: the outputs")
    base = git(root, "rev-parse", "HEAD").strip()

    plans = [_mixed(root, run_ids, w) for w in range(PROCESSES)]
    t0 = time.monotonic()
    results = _run_plans(plans, tmp_path)
    elapsed = time.monotonic() - t0

    successes: list[tuple[dict, dict]] = []
    outcome = Counter()
    for plan, lines in zip(plans, results):
        for item, line in zip(plan, lines):
            if line["code"] == SUCCESS[item["op"]] and line["out"]:
                successes.append((item, json.loads(line["out"])))
                outcome[f"{item['op']} {item['gate']} ok"] += 1
                continue
            # a refusal: exit 4, one `error:` line (and its hint), nothing on stdout
            assert line["code"] == 4, line
            said = line["err"].splitlines()
            assert said[0].startswith("error: ") and all(l.startswith("  hint: ") for l in said[1:]), line
            assert "git" not in said[0] and "busy" not in said[0], line  # a state refusal, not a failure
            assert line["out"] == "", line
            outcome[f"{item['op']} {item['gate']} refused"] += 1
    print(f"\n{PROCESSES * OPERATIONS} operations in {elapsed:.1f} s: {dict(sorted(outcome.items()))}")
    assert len(successes) >= PROCESSES * OPERATIONS // 4  # the mix really exercises every kind
    assert {item["op"] for item, _ in successes} == set(SUCCESS)

    _assert_recorded_as_told(root, base, run_ids, successes)

    # attempt numbers are unique per gate, and every one opened is ended or still open
    started = Counter((i["run"], i["gate"], t["attempt"]) for i, t in successes if i["op"] == "start")
    assert max(started.values()) == 1
    for run_id in run_ids:
        run = records.load_run(ws, run_id)
        for state in run.gates:
            opened = sorted(n for (r, g, n) in started if (r, g) == (run_id, state.gate))
            ended = [ref.attempt for ref in state.attempts]
            assert opened == ended + ([state.current.attempt] if state.current else []), (run_id, state.gate)
            assert opened == list(range(1, len(opened) + 1))


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
    assert Repo(root).run(run_id).gate("A").current is None


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
