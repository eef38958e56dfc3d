"""A dispatching coordinator's live figures (sent, in flight and backlog per queue,
results recorded, the time each took to record), saved about once a second beside the
repository's git data for `runner batch status` to read. Not a record."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec

from runner import jsonio

EVERY_S = 1.0


class Progress(msgspec.Struct):
    batch_id: str
    items: int
    started_at: float = msgspec.field(default_factory=time.time)
    updated_at: float = 0.0
    pid: int = 0
    sent: dict[str, int] = msgspec.field(default_factory=dict)
    inflight: dict[str, int] = msgspec.field(default_factory=dict)
    backlog: dict[str, int] = msgspec.field(default_factory=dict)
    results: int = 0
    record_seconds: float = 0.0  # the coordinator's time recording results: fetch, re-hash, check, record
    busy_s: float = 0.0  # all the coordinator's own time (runs started, steps sent, results recorded, commits)
    settled_at: list[float] = msgspec.field(default_factory=list)  # when each item ended or paused (last 500)
    finished: bool = False

    def sent_to(self, queue: str) -> None:
        self.sent[queue] = self.sent.get(queue, 0) + 1
        self.inflight[queue] = self.inflight.get(queue, 0) + 1

    def done(self, queue: str) -> None:
        self.inflight[queue] = max(0, self.inflight.get(queue, 0) - 1)

    def recorded(self, seconds: float) -> None:
        self.results += 1
        self.record_seconds += seconds

    def settled(self, kind: str) -> None:
        self.settled_at = [*self.settled_at[-499:], time.time()]

    def due(self) -> bool:
        return time.time() - self.updated_at >= EVERY_S

    def throughput(self) -> float:
        """Items settled per second over the recent window."""
        recent = self.settled_at
        if not recent:
            return 0.0
        if len(recent) < 500:  # since the dispatch started
            return len(recent) / max(recent[-1] - self.started_at, 1e-6)
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)


def path(git_dir: Path, batch_id: str) -> Path:
    return git_dir / "runner-batches" / f"{batch_id}.json"


def save(where: Path, progress: Progress) -> None:
    import os

    progress.updated_at, progress.pid = time.time(), os.getpid()
    jsonio.write_atomic(where, msgspec.to_builtins(progress))


def load(where: Path) -> Progress | None:
    try:
        return msgspec.json.decode(where.read_bytes(), type=Progress)
    except (OSError, msgspec.DecodeError):
        return None
