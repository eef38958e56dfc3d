"""Batch fixtures: a workspace with a command workflow, a real redis-server on a free
port (append-only persistence, in a temporary directory), and real `runner worker`
processes; every server and worker is stopped after its test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest
from batch_helpers import REDIS, free_port, wait_for, write_workflow
from helpers import RUNNER_BIN, git


@pytest.fixture
def batch_ws(ws_root) -> Path:
    """A workspace with workflow `cmd` (one command gate: write out.txt from item.json)."""
    write_workflow(ws_root, "cmd", ["sh", "-c", "sleep 0.05; cat {artifact_path}/item.json > {artifact_path}/out.txt"])
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "user: set up the workspace")
    return ws_root


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.dir, self.port = directory, free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                                      "--appendonly", "yes", "--save", "", "--daemonize", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, 20, "redis-server to answer")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def redis_server(tmp_path):
    if not os.path.exists(REDIS):
        pytest.skip("redis-server is not installed (make system-deps)")
    server = RedisServer(tmp_path / "redis")
    server.dir.mkdir()
    server.start()
    yield server
    server.kill()


class Workers:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs = tmp, []

    def start(self, broker: str, concurrency: int = 2, queues: str = "command", vt: float = 60) -> subprocess.Popen:
        log = self.tmp / f"worker-{len(self.procs)}.log"
        with open(log, "wb") as out:  # the worker keeps its own copy of the descriptor
            proc = subprocess.Popen([str(RUNNER_BIN), "worker", "--broker", broker, "--queues", queues,
                                     "--concurrency", str(concurrency), "--visibility-timeout", str(vt)],
                                    cwd=self.tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log = log
        self.procs.append(proc)
        wait_for(lambda: b"ready." in log.read_bytes(), 60, "the worker to be ready", every=0.1)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(proc)


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()
