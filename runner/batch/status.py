"""`runner batch status`: the batch's items by state (from their runs), and from the
coordinator's live figures the backlog and in-flight steps per queue, the throughput
and an estimate of the time left."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from runner.batch import manifest, progress
from runner.batch.coordinator import find_runs
from runner.repo import Repo

# A run's status, and whether a person is awaited, as an item state.
WAITING = "waiting for a person"


@dataclass
class Status:
    batch_id: str
    workflow: str
    items: int
    states: dict[str, int]
    queues: dict[str, dict[str, int]] = field(default_factory=dict)  # queue -> sent, in_flight, backlog
    throughput_per_s: float = 0.0
    eta_s: float | None = None
    coordinator_pid: int | None = None
    record_ms_per_result: float | None = None  # fetch, re-hash, check, record
    busy_ms_per_result: float | None = None  # the coordinator's own time in all, per result

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def open(self) -> int:
        return sum(n for state, n in self.states.items() if state in ("not started", "QUEUED", "RUNNING"))


def item_state(repo: Repo, runs: list[str]) -> str:
    if not runs:
        return "not started"
    if len(runs) > 1:
        return "duplicated"
    run = repo.run(runs[0])
    if any(g.status == "AWAITING_APPROVAL" or g.waiting is not None for g in run.gates):
        return WAITING
    return run.status


def status(repo: Repo, batch_id: str) -> Status:
    batch = manifest.load(repo.root, batch_id)
    found = find_runs(repo, batch.items)
    states = Counter(item_state(repo, found[item.meta.id]) for item in batch.items)
    out = Status(batch_id, batch.workflow, len(batch.items), dict(sorted(states.items())))
    live = progress.load(progress.path(repo.ws.git_dir, batch_id))
    if live is not None:
        out.queues = {q: {"sent": live.sent.get(q, 0), "in_flight": live.inflight.get(q, 0),
                          "backlog": live.backlog.get(q, 0)} for q in sorted({*live.sent, *live.backlog})}
        out.throughput_per_s = round(live.throughput(), 3)
        out.coordinator_pid = live.pid
        if live.results:
            out.record_ms_per_result = round(1000 * live.record_seconds / live.results, 1)
            out.busy_ms_per_result = round(1000 * live.busy_s / live.results, 1)
    if out.throughput_per_s > 0:
        out.eta_s = round(out.open / out.throughput_per_s, 1)
    return out
