"""Helpers of the batch tests (a module of its own name: `conftest` is not unique across
the test folders, so tests import from here)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

REDIS = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 60, what: str = "condition", every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def write_workflow(root: Path, name: str, command: list[str], timeout_s: float = 30, **gate) -> None:
    wf = {"workflow": name, "gates": [{"gate": "G1", "kind": "command", "command": command,
                                       "timeout_s": timeout_s, **gate}]}
    (root / "orchestration" / "workflows" / f"{name}.json").write_text(json.dumps(wf))


def set_batch_config(root: Path, **batch) -> None:
    config = json.loads((root / "runner.json").read_text())
    config["batch"] = batch
    (root / "runner.json").write_text(json.dumps(config))


def items_csv(root: Path, n: int, name: str = "items.csv") -> Path:
    path = root / name
    path.write_text("id,n\n" + "".join(f"i{k:03d},{k}\n" for k in range(n)))
    return path
