"""Dispatch on Celery over a real redis-server, with real `runner worker` processes:
everything recorded once through worker deaths, a broker restart, a coordinator killed
and restarted, and duplicated deliveries."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from batch_helpers import items_csv, set_batch_config, wait_for, write_workflow
from helpers import RUNNER_BIN, cli, commit_count, git, runner_proc

from runner import Repo

pytestmark = pytest.mark.slow


def _runs(root):
    runs = root / "runs"
    return sorted(p.name for p in runs.iterdir() if p.name.startswith("run_")) if runs.is_dir() else []


def _attempt_files(root):
    return Counter(p.parent.parent.parent.parent.name for p in root.glob("runs/*/record/gates/*/attempt-*.json"))


def _plan(root, workflow, n):
    items_csv(root, n)
    return cli("batch", "plan", "--repo", root, "--workflow", workflow, "--params", root / "items.csv",
               check=0).out.strip()


def _all_once(root, batch_id, n):
    runs = _runs(root)
    assert len(runs) == n
    assert all(count == 1 for count in _attempt_files(root).values()) and len(_attempt_files(root)) == n
    repo = Repo(root)
    assert {repo.run(r).status for r in runs} == {"PASSED"}
    assert cli("batch", "verify", batch_id, "--repo", root, "--json", check=0).json["findings"] == []


def _dispatch(root, batch_id, broker, *extra):
    return subprocess.Popen([str(RUNNER_BIN), "batch", "dispatch", batch_id, "--executor", "celery", "--broker",
                             broker, "--slots", "4", *extra], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _configured(root, message: str, **batch) -> None:
    """runner.json's batch section set and the workspace committed (as a user would)."""
    set_batch_config(root, **batch)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _marking_workflow(root, marks: Path, sleep_s: float) -> None:
    """Workflow `mark`: its step appends its start time to marks/<item>, then sleeps."""
    marks.mkdir()
    write_workflow(root, "mark", ["sh", "-c", (f"date +%s.%N >> {marks}/$(basename {{artifact_path}}); "
                                               f"sleep {sleep_s:g}; echo ok > {{artifact_path}}/out.txt")], timeout_s=3)


def test_100_command_gates_over_2_workers_of_2_slots_are_all_recorded_once(batch_ws, redis_server, workers):
    batch_id = _plan(batch_ws, "cmd", 100)
    workers.start(redis_server.url)
    workers.start(redis_server.url)
    result = runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url,
                         "--slots", "4", "--json", cwd=batch_ws, check=0, timeout=240)
    assert result.json["items"] == {"done": 100} and result.json["results"] == 100
    _all_once(batch_ws, batch_id, 100)
    hosts = {line.split("[")[0] for w in workers.procs for line in w.log.read_text().splitlines() if "succeeded" in line}
    assert hosts  # the workers did the steps
    assert all("succeeded" in w.log.read_text() for w in workers.procs)  # both of them


def test_a_worker_killed_mid_step_is_redelivered_after_the_visibility_timeout_and_recorded_once(
        batch_ws, redis_server, workers, tmp_path):
    marks = tmp_path / "marks"
    _marking_workflow(batch_ws, marks, 2)
    _configured(batch_ws, "user: a step that marks its starts", visibility_timeout_s=5)
    batch_id = _plan(batch_ws, "mark", 1)
    first = workers.start(redis_server.url, concurrency=1, vt=5)
    coordinator = _dispatch(batch_ws, batch_id, redis_server.url)
    mark = wait_for(lambda: next(iter(marks.iterdir()), None), 60, "the step to start")
    workers.kill(first)  # SIGKILL the whole worker mid-step: the message is left unacknowledged
    os.killpg(coordinator.pid, signal.SIGKILL)  # and the coordinator: only the broker can give the step again
    coordinator.wait()
    workers.start(redis_server.url, concurrency=1, vt=5)
    starts = wait_for(lambda: [float(x) for x in mark.read_text().split()][1:] and
                      [float(x) for x in mark.read_text().split()], 90, "the step to be delivered again")
    assert starts[1] - starts[0] >= 5 - 0.5  # not given to another worker before the visibility timeout
    (run_id,) = _runs(batch_ws)
    wait_for(lambda: (batch_ws / ".runner/store/results" / f"{run_id}.G1.1.json").exists(), 60, "the result")
    again = runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url,
                        "--resume", "--json", cwd=batch_ws, check=0, timeout=120)
    assert again.json["results"] == 1 and again.json["runs_created"] == 0
    assert len(mark.read_text().split()) == 2  # run twice (the first killed), recorded once
    _all_once(batch_ws, batch_id, 1)


def test_redis_killed_mid_batch_and_restarted_loses_nothing(batch_ws, redis_server, workers):
    """The coordinator rides out the restart. Celery workers sometimes stop consuming after
    their broker went away (a known Celery/kombu failure): the coordinator then stops with
    its stall error instead of waiting forever, and the documented way on (restart the
    workers, dispatch --resume) records every item once."""
    write_workflow(batch_ws, "half", ["sh", "-c", "sleep 0.3; echo ok > {artifact_path}/out.txt"], timeout_s=3)
    _configured(batch_ws, "user: half a second a step", visibility_timeout_s=4, stall_after_s=30)
    batch_id = _plan(batch_ws, "half", 12)
    workers.start(redis_server.url, concurrency=2, vt=4)
    base = commit_count(batch_ws)
    coordinator = _dispatch(batch_ws, batch_id, redis_server.url)
    wait_for(lambda: commit_count(batch_ws) > base + 2, 60, "some results")
    redis_server.kill()
    time.sleep(0.5)
    redis_server.start()  # same port, same directory: the append-only file is read back
    _out, err = coordinator.communicate(timeout=180)
    if coordinator.returncode == 4 and "no result for" in err:  # the workers went deaf: the documented way on
        assert "runner batch dispatch" in err and "--resume" in err, err
        workers.stop_all()
        workers.start(redis_server.url, concurrency=2, vt=4)
        runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url, "--resume",
                    cwd=batch_ws, check=0, timeout=180)
    else:
        assert coordinator.returncode == 0, err
    _all_once(batch_ws, batch_id, 12)


def test_steps_no_worker_takes_stop_the_dispatch_with_the_way_on(batch_ws, redis_server):
    """No worker on the queue: dispatch stops after stall_after_s with exit 4 and says what
    to do, instead of waiting forever; nothing is recorded twice when it is resumed."""
    _configured(batch_ws, "user: a short stall", visibility_timeout_s=40, stall_after_s=3)
    batch_id = _plan(batch_ws, "cmd", 2)
    stalled = runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url,
                          cwd=batch_ws, check=4, timeout=120)
    assert "no result for" in stalled.err and "while 2 step(s) are in flight" in stalled.err
    assert f"runner batch dispatch {batch_id} --resume" in stalled.err


def test_a_killed_coordinator_restarted_loses_nothing_and_records_nothing_twice(batch_ws, redis_server, workers):
    write_workflow(batch_ws, "one", ["sh", "-c", "sleep 0.5; echo ok > {artifact_path}/out.txt"], timeout_s=3)
    _configured(batch_ws, "user: a second a step", visibility_timeout_s=4)
    batch_id = _plan(batch_ws, "one", 10)
    workers.start(redis_server.url, concurrency=2, vt=4)
    base = commit_count(batch_ws)
    coordinator = _dispatch(batch_ws, batch_id, redis_server.url)
    wait_for(lambda: commit_count(batch_ws) > base + 2, 60, "some results")
    os.killpg(coordinator.pid, signal.SIGKILL)
    coordinator.wait()
    time.sleep(1.5)  # the workers finish what they hold; their results wait in the store
    again = runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url,
                        "--resume", "--json", cwd=batch_ws, check=0, timeout=180)
    assert again.json["runs_created"] < 10
    _all_once(batch_ws, batch_id, 10)


def test_the_same_task_delivered_twice_is_run_once(batch_ws, redis_server, workers):
    batch_id = _plan(batch_ws, "cmd", 1)
    worker = workers.start(redis_server.url, concurrency=2)
    runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url, cwd=batch_ws,
                check=0)
    from runner.batch.celery_app import make_app, send
    from runner.batch.store import open_store

    (run_id,) = _runs(batch_ws)
    attempt_id = f"{run_id}.G1.1"
    store = open_store(".runner/store", batch_ws)
    result = store.result(attempt_id)
    task = {"schema_version": 1, "attempt_id": attempt_id, "queue": "command", "store": store.url,
            "run": __import__("msgspec").to_builtins(Repo(batch_ws).run(run_id)),
            "gate": {"gate": "G1", "kind": "command", "command": ["sh", "-c", "echo again > again.txt"]},
            "attempt": 1}
    app = make_app(redis_server.url, 60)
    send(app, attempt_id, task, "command")
    send(app, attempt_id, task, "command")
    wait_for(lambda: worker.log.read_text().count("'dropped': True") == 2, 60, "both copies to be dropped")
    assert store.result(attempt_id) == result
    before = commit_count(batch_ws)
    runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker", redis_server.url, cwd=batch_ws,
                check=0)
    assert commit_count(batch_ws) == before
    _all_once(batch_ws, batch_id, 1)


def test_an_unreachable_broker_is_one_line_exit_4_and_nothing_recorded(batch_ws):
    batch_id = _plan(batch_ws, "cmd", 2)
    before = commit_count(batch_ws)
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    result = runner_proc("batch", "dispatch", batch_id, "--executor", "celery", "--broker",
                         f"redis://127.0.0.1:{port}/0", cwd=batch_ws, check=4, timeout=60)
    assert result.err.startswith("error: broker redis://") and "unreachable" in result.err
    assert len(result.err.strip().splitlines()) == 2
    assert _runs(batch_ws) == [] and commit_count(batch_ws) == before


def test_a_pool_process_killed_mid_step_gives_the_step_back_at_once(batch_ws, redis_server, workers, tmp_path):
    marks = tmp_path / "marks"
    _marking_workflow(batch_ws, marks, 1)
    _configured(batch_ws, "user: a step that marks its starts", visibility_timeout_s=60)
    batch_id = _plan(batch_ws, "mark", 1)
    worker = workers.start(redis_server.url, concurrency=1, vt=60)
    coordinator = _dispatch(batch_ws, batch_id, redis_server.url)
    mark = wait_for(lambda: next(iter(marks.iterdir()), None), 60, "the step to start")
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert len(children) == 1  # the prefork pool's one process
    os.kill(int(children[0]), signal.SIGKILL)  # task_reject_on_worker_lost: the message goes back to the queue
    _, err = coordinator.communicate(timeout=60)
    assert coordinator.returncode == 0, err
    starts = [float(x) for x in mark.read_text().split()]
    assert len(starts) == 2 and starts[1] - starts[0] < 30  # long before the 60 s visibility timeout
    _all_once(batch_ws, batch_id, 1)
