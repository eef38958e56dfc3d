"""Parallel runner processes never fail on index.lock and never lose a record."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from collections import Counter
from pathlib import Path

import pytest

from helpers import PYTHON, RUNNER_BIN, commit_count, git, porcelain, start_run, trailers, write_outputs
from runner import records, workspace
from runner.hashing import sha256_bytes
from runner.jsonio import canonical_bytes
from runner.models.base import dump

WORKER = Path(__file__).with_name("concurrency_worker.py")
PROCESSES, CYCLES = 8, 5  # 8 processes x (5 cycles x 4 operations) = 8 x 20 operations
RUNS = 4


def _ops(root: Path, run_id: str, gate: str) -> list[dict]:
    base = ["--repo", str(root), "--run", run_id, "--gate", gate]
    ops = []
    for cycle in range(CYCLES):
        ops.append({"args": ["gate", "start", *base, "--force", "--agent", f"w-{gate}", "--json"]})
        ops.append({"args": ["invocation", "record", *base, "--agent", f"w-{gate}", "--json"]})
        if cycle % 2 == 0:
            ops.append({"args": ["gate", "finish", *base, "--json"]})
        else:
            ops.append({"args": ["gate", "fail", *base, "--reason", f"cycle {cycle}", "--json"]})
        ops.append({"args": ["invocation", "record", *base, "--agent", "late", "--status", "FAIL", "--json"]})
    return ops


def _expected_code(args: list[str]) -> int:
    return 1 if args[:2] == ["gate", "fail"] else 0


@pytest.mark.slow
def test_8_processes_x_20_operations_on_4_runs_lose_nothing(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    ws = workspace.find(root)
    write_outputs(root, "G1")
    write_outputs(root, "G2")
    run_ids = [start_run(root) for _ in range(RUNS)]
    assert len(set(run_ids)) == RUNS
    base_commits = commit_count(root)

    procs = []
    plan = {}
    for w in range(PROCESSES):
        run_id, gate = run_ids[w % RUNS], ("G1", "G2")[w // RUNS]
        ops = _ops(root, run_id, gate)
        assert len(ops) == 20
        plan[w] = (run_id, gate)
        ops_file = tmp_path / f"ops-{w}.json"
        ops_file.write_text(json.dumps(ops))
        procs.append(subprocess.Popen([str(PYTHON), str(WORKER), str(ops_file)], cwd=tmp_path,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results: dict[int, list[dict]] = {}
    for w, proc in enumerate(procs):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        results[w] = [json.loads(line) for line in out.splitlines()]

    # every operation succeeded with its expected code, and never saw index.lock
    for w, lines in results.items():
        assert len(lines) == 20, (w, lines)
        for line in lines:
            assert "index.lock" not in line["err"] and "Traceback" not in line["err"], line
            assert line["code"] == _expected_code(line["args"]), line

    # every success is one commit
    assert commit_count(root) == base_commits + PROCESSES * 20
    log = git(root, "log", "--format=%H %P", f"HEAD~{PROCESSES * 20}..HEAD").splitlines()
    assert all(len(line.split()) == 2 for line in log)  # linear history, no merge
    ops_by_run = Counter()
    for rev in git(root, "rev-list", f"HEAD~{PROCESSES * 20}..HEAD").split():
        fields = trailers(root, rev)
        ops_by_run[(fields["Run-Id"], fields["Op"])] += 1
    for run_id in run_ids:
        assert ops_by_run[(run_id, "gate-start")] == 2 * CYCLES
        assert ops_by_run[(run_id, "gate-finish")] == 2 * CYCLES
        assert ops_by_run[(run_id, "invocation")] == 4 * CYCLES

    # RUN.json is consistent with the attempt files, and with what the workers were told
    invocation_ids = []
    for w, (run_id, gate) in plan.items():
        run = records.load_run(ws, run_id)
        state = run.gate(gate)
        assert state.current is None
        refs = state.attempts
        assert [r.attempt for r in refs] == list(range(1, CYCLES + 1))
        assert records.attempt_numbers(ws, run_id, gate) == list(range(1, CYCLES + 1))
        assert [r.status for r in refs] == ["PASS" if c % 2 == 0 else "FAIL" for c in range(CYCLES)]
        started = [json.loads(line["out"])["attempt"] for line in results[w] if line["args"][:2] == ["gate", "start"]]
        assert started == list(range(1, CYCLES + 1))
        finished = [json.loads(line["out"]) for line in results[w] if line["args"][1] in ("finish", "fail")]
        invs = [json.loads(line["out"]) for line in results[w] if line["args"][0] == "invocation"]
        for ref, told in zip(refs, finished):
            path = root / ref.file
            assert hashlib.sha256(path.read_bytes()).hexdigest() == ref.sha256
            attempt = records.load_attempt(ws, run_id, gate, ref.attempt)
            assert dump(attempt) == told  # the file is what the process reported
            assert git(root, "show", f"HEAD:{ref.file}").encode() == path.read_bytes()
        recorded = {i.id: i for i in run.invocations}
        for k, inv in enumerate(invs):
            assert inv["id"] in recorded
            during = k % 2 == 0
            assert recorded[inv["id"]].attempt == (k // 2 + 1 if during else None)
        for ref, (during, _late) in zip(refs, zip(invs[0::2], invs[1::2])):
            assert records.load_attempt(ws, run_id, gate, ref.attempt).invocation_ids == [during["id"]]
        invocation_ids += [i["id"] for i in invs]
    assert len(invocation_ids) == len(set(invocation_ids)) == PROCESSES * 2 * CYCLES

    for run_id in run_ids:
        run = records.load_run(ws, run_id)
        assert len(run.invocations) == 4 * CYCLES
        assert [e.seq for e in run.events] == list(range(1, len(run.events) + 1))
        for prev, event in zip(run.events, run.events[1:]):
            assert event.prev == sha256_bytes(canonical_bytes(dump(prev)))
        path = records.run_file(ws, run_id)
        assert git(root, "show", f"HEAD:{ws.rel(path)}").encode() == path.read_bytes()
        assert sorted(p.name for p in path.parent.iterdir()) == ["RUN.json", "gates"]  # no temp file

    assert not [line for line in porcelain(root) if "runs/run_" in line]
    assert not (root / ".git" / "index.lock").exists()


@pytest.mark.slow
def test_parallel_cli_processes_while_the_user_runs_git(essay_ws_committed):
    """Real `runner` processes at once, while the user's git keeps taking index.lock."""
    root = essay_ws_committed
    run_ids = [start_run(root) for _ in range(2)]
    base = commit_count(root)
    stop = threading.Event()
    user_errors = []

    def user_git():
        n = 0
        while not stop.wait(0.005):
            n += 1
            (root / "user.txt").write_text(f"edit {n}\n")
            for args in (["add", "user.txt"], ["status", "--porcelain"]):
                result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
                if result.returncode != 0 and "index.lock" not in result.stderr:
                    user_errors.append(result.stderr)

    thread = threading.Thread(target=user_git, daemon=True)
    thread.start()
    try:
        procs = [subprocess.Popen([str(RUNNER_BIN), "invocation", "record", "--run", run_ids[i % 2], "--gate", "G1",
                                   "--agent", f"a{i}", "--json"], cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(4)]
        outcomes = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        stop.set()
        thread.join()
    for code, out, err in outcomes:
        assert code == 0, err
        assert "index.lock" not in err and "Traceback" not in err
    assert commit_count(root) == base + 4
    ws = workspace.find(root)
    ids = {json.loads(out)["id"] for _, out, _ in outcomes}
    recorded = {i.id for run_id in run_ids for i in records.load_run(ws, run_id).invocations}
    assert ids == recorded and len(ids) == 4
    assert user_errors == []
    # the user's staged file is still theirs, uncommitted by the runner
    assert "user.txt" not in git(root, "log", "--name-only", "--format=", "HEAD~4..HEAD")
    assert git(root, "diff", "--cached", "--name-only").split() == ["user.txt"]
    assert not [line for line in porcelain(root) if "runs/run_" in line]
