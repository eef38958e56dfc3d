"""Helpers of the console tests: the review workflow and its workspace, access tokens,
and `runner serve` as a real server process (a module of its own name: `conftest` is not
unique across the test folders, so tests import from here)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from helpers import PYTHON, RUNNER_BIN, git

ART = "essays/robot"
# B1 writes a text file and an image, then waits for a person; C1 needs nobody.
WRITE = ("import pathlib, sys, base64; p = pathlib.Path(sys.argv[1]); p.mkdir(parents=True, exist_ok=True); "
         "(p / 'notes.md').write_text('# Notes\\nThe robot draft.\\n'); "
         "(p / 'pixel.png').write_bytes(base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
         "nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==')); "
         "(p / 'qc_report.json').write_text('{\"passed\": true, \"results\": [{\"rule_id\": \"loud\", "
         "\"metric\": \"loudness_lufs\", \"value\": -16.2, \"threshold\": -23, \"direction\": \"min\", "
         "\"status\": \"PASS\"}]}')")
REVIEW = {
    "workflow": "review", "version": "1", "description": "a build a person reviews, then a publish step",
    "gates": [
        {"gate": "B1", "name": "Draft", "kind": "command", "command": [str(PYTHON), "-c", WRITE, "{artifact_path}"],
         "approval": {"required": True}},
        {"gate": "C1", "name": "Publish", "kind": "command", "command": ["true"]},
    ],
}
B1_CONTRACT = {
    "gate": "B1", "name": "Draft", "blocking": True,
    "required_outputs": {"all_of": [{"path": "{artifact_path}/notes.md"}, {"path": "{artifact_path}/pixel.png"},
                                    {"path": "{artifact_path}/qc_report.json"}]},
    "validations": [{"type": "file_exists", "target": "all_required"}],
}
GRACE = "Grace Hopper <grace@example.org>"
ALAN = "Alan Turing <alan@example.org>"
VIC = "Vic Viewer <vic@example.org>"


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def review_workspace(root: Path, runs: int = 2, workflow: dict = REVIEW) -> list[str]:
    """The review workflow in a committed workspace, and `runs` runs driven to B1's decision."""
    from runner import Repo

    write_json(root / "orchestration" / "workflows" / f"{workflow['workflow']}.json", workflow)
    write_json(root / "contracts" / "B1.contract.json", B1_CONTRACT)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: the review workflow")
    repo = Repo(root, actor="Ada Tester <ada@example.org>")
    ids = []
    for n in range(runs):
        outcome = repo.drive(workflow["workflow"], slug=f"robot{n}", artifact_path=f"{ART}{n}")
        assert outcome.waiting_for == "decision", outcome
        ids.append(outcome.run_id)
    return ids


@dataclass
class Tokens:
    file: Path
    secrets: dict[str, str] = field(default_factory=dict)  # role or person -> token

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[who]}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    root: Path
    tokens: Tokens
    log: Path

    def client(self, who: str | None = "decider", **options) -> httpx.Client:
        headers = self.tokens.auth(who) if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **options)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_server(root: Path, access: Tokens, tick_interval: float = 0.5, extra_env: dict | None = None) -> Server:
    port = free_port()
    log = root.parent / f"serve-{port}.log"
    env = {**os.environ, "RUNNER_TOKENS_FILE": str(access.file), **(extra_env or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(RUNNER_BIN), "serve", "--repo", str(root), "--port", str(port),
                                 "--tick-interval", str(tick_interval)], stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, root, access, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"runner serve exited {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(server.url + "/api/v1/schema/openapi.json", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"runner serve did not answer: {log.read_text()}")


def wait_for(predicate, timeout: float = 20, step: float = 0.1):
    """Poll until `predicate()` is truthy (a condition, not a speed: the timeout is generous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
