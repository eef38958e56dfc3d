"""Batches: N command gates of 0.2 s each on the local executor (2 processes) and on
Celery (a real redis-server, 2 workers of 1 slot), each as a ratio to the ideal
N x 0.2 s / 2 (goal: at most 1.25); the coordinator's own time per gate (fetch,
re-hash, check, record); and planning and looking up a 10,000-item manifest (goal for
a dispatch's set-up: under 10 s).

    .venv/bin/python benchmarks/bench_batch.py [--quick] [--gates N]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from common import RUNNER, git, header, make_workspace, parse, runner, session, verdict

STEP_S = 0.2


def _workspace(tmp: Path, name: str, scratch: str | None = None) -> Path:
    root = make_workspace(tmp / name)
    if scratch:  # the workers' scratch directories on a tmpfs
        config = json.loads((root / "runner.json").read_text())
        (root / "runner.json").write_text(json.dumps({**config, "batch": {"scratch": scratch}}))
    wf = {"workflow": "sleep", "gates": [{"gate": "S1", "kind": "command", "timeout_s": 30,
                                          "command": ["sh", "-c", f"sleep {STEP_S}; echo ok > {{artifact_path}}/out"]}]}
    (root / "orchestration/workflows/sleep.json").write_text(json.dumps(wf))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sleep workflow")
    return root


def _plan(root: Path, n: int) -> str:
    (root / "items.csv").write_text("id\n" + "".join(f"i{k:05d}\n" for k in range(n)))
    return runner(root, "batch", "plan", "--workflow", "sleep", "--params", "items.csv").out.strip()


def _dispatch(root: Path, batch: str, *extra: str) -> float:
    started = time.perf_counter()
    sample = runner(root, "batch", "dispatch", batch, "--json", *extra)
    wall = time.perf_counter() - started
    assert sample.code == 0, sample.out + sample.err
    status = json.loads(runner(root, "batch", "status", batch, "--json").out)
    print(f"   coordinator's own time per gate: {status['busy_ms_per_result']} ms in all (of which fetch, re-hash, "
          f"check, record: {status['record_ms_per_result']} ms); coordinator CPU {sample.cpu:.1f} s in all")
    return wall


def _floor(n: int) -> float:
    """The machine's floor now: the same N sleeps as processes, 2 at a time (xargs -P 2)."""
    started = time.perf_counter()
    subprocess.run(["xargs", "-P", "2", "-n", "1", "sh", "-c", f"sleep {STEP_S}; echo $0 > /dev/null"],
                   input="\n".join(str(k) for k in range(n)).encode(), check=True)
    return time.perf_counter() - started


def _growth(root: Path) -> None:
    objects = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    kib = int(objects["size"]) + int(objects["size-pack"])
    print(f"   repository: {commits} commits, {kib} KiB of objects (loose, unpacked): {kib / commits:.1f} KiB a commit")


def _redis_bytes_per_step(broker: str, root: Path, count: int = 1000) -> None:
    """Steps queued with no worker: the broker's memory for each."""
    import redis as redis_lib

    from runner import Repo
    from runner.batch.celery_app import make_app, send
    from runner.models.base import to_data

    repo = Repo(root)
    run = repo.run(min(p.name for p in (root / "runs").iterdir() if p.name.startswith("run_")))
    task = {"schema_version": 1, "attempt_id": "x", "queue": "idle", "store": str(root / ".runner/store"),
            "run": to_data(run), "gate": {"gate": "S1", "kind": "command", "command": ["true"]}, "attempt": 1,
            "inputs": {f"artifacts/x/{k}.json": "0" * 64 for k in range(3)}}
    client = redis_lib.Redis.from_url(broker)
    before = client.info("memory")["used_memory"]
    app = make_app(broker, 7200)
    for k in range(count):
        send(app, f"bench.{k}", {**task, "attempt_id": f"bench.{k}"}, "idle")
    used = client.info("memory")["used_memory"] - before
    print(f"   redis: {used / count:.0f} bytes per queued step ({count} queued, a one-gate run's task)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _celery(tmp: Path, root: Path, batch: str) -> float:
    port, data = _free_port(), tmp / "redis"
    data.mkdir()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                              "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL)
    broker = f"redis://127.0.0.1:{port}/0"
    workers = []
    try:
        time.sleep(0.5)
        for k in range(2):
            log = tmp / f"worker-{k}.log"
            with open(log, "wb") as out:
                workers.append(subprocess.Popen([*RUNNER, "worker", "--broker", broker, "--queues", "command",
                                                 "--concurrency", "1"], cwd=tmp, stdout=out, stderr=subprocess.STDOUT,
                                                start_new_session=True))
            while b"ready." not in log.read_bytes():
                time.sleep(0.1)
        wall = _dispatch(root, batch, "--executor", "celery", "--broker", broker, "--slots", "2")
        _redis_bytes_per_step(broker, root)
        return wall
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
            w.wait()
        redis.send_signal(signal.SIGKILL)
        redis.wait()


def main() -> int:
    args = parse(__doc__, lambda p: p.add_argument("--gates", type=int, default=0, help="gates (default 200)"))
    n = args.gates or (20 if args.quick else 200)
    big = 1000 if args.quick else 10_000
    ideal = n * STEP_S / 2
    with session("bench_batch", args.keep, args.code) as tmp:
        header(f"{n} command gates of {STEP_S} s; ideal {ideal:.1f} s (2 slots)")
        floor = _floor(n)
        print(f"   baseline: the same sleeps as bare processes, 2 at a time: {floor:.1f} s = {floor / ideal:.2f}x the ideal")
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        for scratch in (None, shm) if shm else (None,):
            local = _workspace(tmp, f"local-{bool(scratch)}", scratch)
            wall = _dispatch(local, _plan(local, n), "--slots", "2")
            print(f"   local, 2 processes, scratch in {scratch or 'TMPDIR'}: {wall:.1f} s = {wall / ideal:.2f}x the ideal "
                  f"(goal 1.25x): {verdict(wall <= 1.25 * ideal)}; {wall / floor:.2f}x the baseline")
        _growth(local)
        if shutil.which("redis-server"):
            remote = _workspace(tmp, "celery", shm)
            wall = _celery(tmp, remote, _plan(remote, n))
            print(f"   celery, 2 workers, scratch in {shm or 'TMPDIR'}: {wall:.1f} s = {wall / ideal:.2f}x the ideal (goal 1.25x): "
                  f"{verdict(wall <= 1.25 * ideal)}; {wall / floor:.2f}x the baseline")
        header(f"a {big}-item manifest")
        root = _workspace(tmp, "big")
        started = time.perf_counter()
        batch = _plan(root, big)
        planned = time.perf_counter() - started
        sample = runner(root, "batch", "status", batch, "--json")
        print(f"   plan (validate, write, commit): {planned:.2f} s; load and look up every item's run: "
              f"{sample.wall:.2f} s; set-up of a dispatch in all {planned + sample.wall:.2f} s (goal 10 s): "
              f"{verdict(planned + sample.wall < 10)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
