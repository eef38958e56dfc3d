"""runner batch plan, and dispatch on the local executor (a process pool, no server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import msgspec
from batch_helpers import items_csv, set_batch_config, wait_for, write_workflow
from helpers import RUNNER_BIN, cli, commit_count, git, runner_proc

from runner import Repo
from runner.batch.messages import StepResult
from runner.batch.store import open_store


def _run_ids(root):
    runs = root / "runs"
    return sorted(p.name for p in runs.iterdir() if p.name.startswith("run_")) if runs.is_dir() else []


def test_plan_writes_the_manifest_in_the_seed_schema_and_commits_it(batch_ws):
    items_csv(batch_ws, 3)
    planned = cli("batch", "plan", "--repo", batch_ws, "--workflow", "cmd", "--params", batch_ws / "items.csv",
                  "--json", check=0).json
    assert planned["batch_id"] == "cmd_01" and planned["items"] == 3
    lines = [json.loads(x) for x in (batch_ws / "batches/cmd_01/manifest.jsonl").read_text().splitlines()]
    assert [sorted(line) for line in lines] == [["args", "meta", "task"]] * 3
    assert lines[0]["args"] == ["cmd"]
    assert lines[0]["meta"] == {"id": "i000", "slug": "i000", "artifact_path": "artifacts/cmd_01/i000",
                                "params": {"n": "0"}, "line": 2}
    assert git(batch_ws, "log", "-1", "--format=%(trailers:key=Batch-Id,valueonly)").strip() == "cmd_01"
    assert not git(batch_ws, "status", "--porcelain", "batches")
    again = cli("batch", "plan", "--repo", batch_ws, "--workflow", "cmd", "--params", batch_ws / "items.csv",
                check=0)
    assert again.out.strip() == "cmd_02"  # versioned names, as the seed's planner makes them


def test_invalid_rows_are_all_reported_and_nothing_is_written(batch_ws):
    (batch_ws / "items.csv").write_text("id,n\nok,1\nbad id,2\nshort\nok,4\n")
    before = commit_count(batch_ws)
    result = runner_proc("batch", "plan", "--workflow", "cmd", "--params", "items.csv", cwd=batch_ws, check=4)
    first = result.err.splitlines()[0]
    assert "line 3, column id" in first and "line 4, column 2" in first and "line 5, column id" in first
    assert "3 invalid row(s)" in first and first.index("line 3") < first.index("line 4") < first.index("line 5")
    (batch_ws / "items.jsonl").write_text('{"id": "a"}\n{"id": "b",\n[1]\n')
    result = runner_proc("batch", "plan", "--workflow", "cmd", "--params", "items.jsonl", cwd=batch_ws, check=4)
    assert "line 2, column 12: invalid JSON" in result.err and "line 3, column 1" in result.err
    assert len(result.err.strip().splitlines()) == 2  # the error and its hint
    (batch_ws / "items.csv").write_text("id,n,n\na,1,2\n")
    result = runner_proc("batch", "plan", "--workflow", "cmd", "--params", "items.csv", cwd=batch_ws, check=4)
    assert "line 1, column 3: the header names 'n' twice" in result.err
    assert not (batch_ws / "batches").exists() and commit_count(batch_ws) == before


def test_local_dispatch_records_every_item_once_and_again_is_a_no_op(batch_ws):
    items_csv(batch_ws, 4)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "cmd", "--params", batch_ws / "items.csv", check=0)
    out = cli("batch", "dispatch", "cmd_01", "--repo", batch_ws, "--json", check=0).json
    assert out["items"] == {"done": 4} and out["runs_created"] == 4 and out["results"] == 4
    runs = _run_ids(batch_ws)
    assert len(runs) == 4
    repo = Repo(batch_ws)
    for run_id in runs:
        run = repo.run(run_id)
        assert run.status == "PASSED" and [a.attempt for a in run.gates[0].attempts] == [1]
        art = run.workflow.artifact_path
        assert json.loads((batch_ws / art / "out.txt").read_text())["id"] == art.rsplit("/", 1)[1]
    status = cli("batch", "status", "cmd_01", "--repo", batch_ws, "--json", check=0).json
    assert status["states"] == {"PASSED": 4} and status["queues"]["command"]["sent"] == 4
    again = cli("batch", "dispatch", "cmd_01", "--repo", batch_ws, "--json", check=0).json
    assert again["runs_created"] == 0 and again["results"] == 0 and _run_ids(batch_ws) == runs
    assert cli("batch", "verify", "cmd_01", "--repo", batch_ws, "--json", check=0).json["findings"] == []


def test_an_unknown_queue_is_refused_before_anything_is_recorded(batch_ws):
    write_workflow(batch_ws, "gpu", ["true"], params={"queue": "gpu"})
    items_csv(batch_ws, 2)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "gpu", "--params", batch_ws / "items.csv", check=0)
    before = commit_count(batch_ws)
    result = runner_proc("batch", "dispatch", "gpu_01", cwd=batch_ws, check=4)
    assert "queue 'gpu', which runner.json does not declare" in result.err and "Traceback" not in result.err
    assert _run_ids(batch_ws) == [] and commit_count(batch_ws) == before


def test_a_killed_coordinator_restarted_records_a_worker_result_once_and_refuses_forged_bytes(batch_ws):
    write_workflow(batch_ws, "slow", ["sh", "-c", "echo started > {artifact_path}/started; sleep 30"])
    set_batch_config(batch_ws, store=".runner/store")
    items_csv(batch_ws, 2)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "slow", "--params", batch_ws / "items.csv", check=0)
    coordinator = subprocess.Popen([str(RUNNER_BIN), "batch", "dispatch", "slow_01"], cwd=batch_ws,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: len(list(batch_ws.glob("runs/*/record/RUN.json"))) == 2
                 and len([r for r in _run_ids(batch_ws) if Repo(batch_ws).run(r).gates[0].current]) == 2,
                 60, "both attempts to be open")
        time.sleep(0.5)
    finally:
        os.killpg(coordinator.pid, signal.SIGKILL)  # the coordinator and its pool, mid-step
        coordinator.wait()
    first, second = _run_ids(batch_ws)
    # A worker finished the first (its result is in the store); the second's result names bytes it never stored.
    store = open_store(".runner/store", batch_ws)
    good, bad = batch_ws / "good.txt", batch_ws / "bad.txt"
    good.write_text("done\n")
    bad.write_text("the bytes the worker hashed\n")
    art1, art2 = (Repo(batch_ws).run(r).workflow.artifact_path for r in (first, second))
    ok = StepResult(attempt_id=f"{first}.G1.1", outputs={f"{art1}/out.txt": store.put(good)})
    forged_sha = store.put(bad)  # then its stored bytes are swapped
    (batch_ws / ".runner/store/objects" / forged_sha[:2] / forged_sha[2:]).write_bytes(b"forged\n")
    forged = StepResult(attempt_id=f"{second}.G1.1", outputs={f"{art2}/out.txt": forged_sha})
    for result in (ok, forged):
        store.put_result(result.attempt_id, msgspec.json.encode(result))
    out = cli("batch", "dispatch", "slow_01", "--repo", batch_ws, "--resume", "--json", check=1).json
    assert out["results"] == 2 and out["runs_created"] == 0
    repo = Repo(batch_ws)
    assert repo.run(first).status == "PASSED" and (batch_ws / art1 / "out.txt").read_text() == "done\n"
    refused = repo.attempt(second, "G1", 1)
    assert refused.status == "FAIL" and "outputs refused" in refused.failure_reason
    assert "its bytes hash to" in refused.failure_reason
    for run_id in (first, second):
        assert [a.attempt for a in repo.run(run_id).gates[0].attempts] == [1]
    verify = cli("batch", "verify", "slow_01", "--repo", batch_ws, "--json").json
    assert [f["code"] for f in verify["findings"]] == []


def test_batch_verify_reports_every_finding(batch_ws):
    contract = {"gate": "G1", "required_outputs": {"all_of": [{"path": "{artifact_path}/out.txt"}]}}
    (batch_ws / "contracts/G1.contract.json").write_text(json.dumps(contract))
    git(batch_ws, "add", "-A")
    git(batch_ws, "commit", "-q", "-m", "user: G1 must write out.txt")
    items_csv(batch_ws, 3)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "cmd", "--params", batch_ws / "items.csv", check=0)
    cli("batch", "dispatch", "cmd_01", "--repo", batch_ws, check=0)
    repo = Repo(batch_ws)
    first, second, third = (repo.run(r) for r in _run_ids(batch_ws))
    # an output changed after it was recorded; a second run for an item; a stored result that names other bytes
    (batch_ws / first.workflow.artifact_path / "out.txt").write_text("changed\n")
    cli("run", "start", "--repo", batch_ws, "--workflow", "cmd", "--slug", second.workflow.slug,
        "--artifact-path", second.workflow.artifact_path, check=0)
    store = open_store(".runner/store", batch_ws)
    attempt_id = f"{third.run_id}.G1.1"
    result = msgspec.json.decode(store.result(attempt_id), type=StepResult)
    result.outputs[f"{third.workflow.artifact_path}/out.txt"] = "0" * 64
    (batch_ws / ".runner/store/results" / f"{attempt_id}.json").write_bytes(msgspec.json.encode(result))
    out = cli("batch", "verify", "cmd_01", "--repo", batch_ws, "--json", check=1).json
    codes = {(f["code"], f["item"]) for f in out["findings"]}
    items = {r.run_id: r.workflow.artifact_path.rsplit("/", 1)[1] for r in (first, second, third)}
    assert ("verify", items[first.run_id]) in codes
    assert ("runs", items[second.run_id]) in codes
    assert ("hash", items[third.run_id]) in codes


def test_a_visibility_timeout_not_above_the_longest_gate_timeout_is_refused(batch_ws):
    set_batch_config(batch_ws, visibility_timeout_s=20)  # the cmd workflow's gate may run 30 s
    items_csv(batch_ws, 1)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "cmd", "--params", batch_ws / "items.csv", check=0)
    before = commit_count(batch_ws)
    result = runner_proc("batch", "dispatch", "cmd_01", "--executor", "celery", "--broker", "redis://127.0.0.1:1/0",
                         cwd=batch_ws, check=4)
    assert "visibility_timeout_s (20 s) is not above the longest gate timeout of cmd (30 s)" in result.err
    assert _run_ids(batch_ws) == [] and commit_count(batch_ws) == before


def test_a_local_pool_process_killed_mid_step_is_run_again_and_recorded_once(batch_ws, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    write_workflow(batch_ws, "mark", ["sh", "-c", (f"date +%s.%N >> {marks}/$(basename {{artifact_path}}); sleep 1; "
                                                   "echo ok > {artifact_path}/out.txt")])
    items_csv(batch_ws, 2)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "mark", "--params", batch_ws / "items.csv", check=0)
    coordinator = subprocess.Popen([str(RUNNER_BIN), "batch", "dispatch", "mark_01"], cwd=batch_ws,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(lambda: len(list(marks.iterdir())) == 2, 60, "both steps to start")
        pool = [int(pid) for pid in (Path(f"/proc/{coordinator.pid}/task/{coordinator.pid}/children")
                                     .read_text().split())
                if "runner" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
        assert len(pool) == 2
        os.kill(pool[0], signal.SIGKILL)  # the pool breaks: its steps are sent again, as a broker redelivers
        _, err = coordinator.communicate(timeout=120)
    finally:
        if coordinator.poll() is None:
            os.killpg(coordinator.pid, signal.SIGKILL)
    assert coordinator.returncode == 0, err
    repo = Repo(batch_ws)
    for run_id in _run_ids(batch_ws):
        assert [a.attempt for a in repo.run(run_id).gates[0].attempts] == [1]
    assert max(len(m.read_text().split()) for m in marks.iterdir()) == 2  # a step killed mid-way ran again
    assert cli("batch", "verify", "mark_01", "--repo", batch_ws, "--json", check=0).json["findings"] == []
