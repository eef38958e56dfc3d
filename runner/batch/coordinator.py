"""`runner batch dispatch`: one run per manifest item (never a second: an item's run is
found again by its slug and artifact path), each driven as the single-run driver does,
with the steps that need no person on an executor. The coordinator is the only git
writer: it opens each attempt, sends the step, fetches and hashes the outputs, runs
the contract and records the attempt. Results that arrive together are recorded in
one commit (`Repo.commit_group`).

Restarted after it died (`batch dispatch` again, or `--resume`), it records every
result a worker left in the store once, and sends again what has none."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner import jsonio, locking
from runner.batch import drive, manifest, progress
from runner.batch.executors import Executor
from runner.batch.messages import ManifestLine
from runner.batch.routing import Router
from runner.batch.store import Store
from runner.batch.transfer import build_task, checked_route, fetch
from runner.errors import RunnerError
from runner.models.workflow import Workflow
from runner.repo import Repo


@dataclass
class Inflight:
    item: ManifestLine
    run_id: str
    gate: str
    attempt: int
    queue: str


@dataclass
class Dispatched:
    batch_id: str
    states: dict[str, str] = field(default_factory=dict)  # item id -> done | failed | paused
    created: int = 0
    recorded: int = 0


def find_runs(repo: Repo, items: list[ManifestLine]) -> dict[str, list[str]]:
    """item id -> the runs made for it (by slug in the run id, then artifact path)."""
    from runner import records

    by_slug: dict[str, list[ManifestLine]] = {}
    for item in items:
        by_slug.setdefault(item.meta.slug, []).append(item)
    found: dict[str, list[str]] = {item.meta.id: [] for item in items}
    for run_id in records.list_run_ids(repo.ws):
        slug = run_id.split("_", 2)[-1].rsplit("_", 1)[0] if run_id.count("_") >= 3 else ""
        for item in by_slug.get(slug, ()):
            if repo.run(run_id).workflow.artifact_path == item.meta.artifact_path:
                found[item.meta.id].append(run_id)
    return found


class Stalled(RunnerError):
    """Steps in flight and no result for `stall_after_s`."""


class Coordinator:
    def __init__(self, repo: Repo, batch: manifest.Batch, wf: Workflow, executor: Executor, router: Router,
                 store: Store, report: Callable[[progress.Progress], None] | None = None) -> None:
        self.repo, self.batch, self.wf, self.executor = repo, batch, wf, executor
        self.router, self.store, self.report = router, store, report
        self.inflight: dict[str, Inflight] = {}
        self.waited = 0.0  # seconds spent waiting for results: the rest is the coordinator's own work
        self.out = Dispatched(batch.batch_id)
        self.progress = progress.Progress(batch.batch_id, len(batch.items))
        config = router.config
        self.stall_after_s = config.stall_after_s or 3 * config.visibility_timeout_s
        self.last_result = time.monotonic()

    def run(self) -> Dispatched:
        """Until every item is done, failed or waiting for a person: results recorded and
        new items started, each round in one commit."""
        existing = find_runs(self.repo, self.batch.items)
        todo = deque(self.batch.items)
        # steps queued behind each running one: results arrive while a round is recorded,
        # so that the next round records several in one commit
        window = max(4, self.executor.capacity * 4)
        started = time.perf_counter()
        while todo or self.inflight:
            with self.repo.commit_group():
                if self.inflight:
                    self._collect()
                while todo and len(self.inflight) < window:
                    item = todo.popleft()
                    runs = existing.get(item.meta.id) or [self._create(item)]
                    self._advance(item, runs[0])
            self.progress.busy_s = time.perf_counter() - started - self.waited
            self._publish()
        self.progress.finished = True
        self._publish(final=True)
        return self.out

    def _create(self, item: ManifestLine) -> str:
        meta = item.meta
        jsonio.write_atomic(self.repo.ws.path(meta.artifact_path, "artifact path") / "item.json",
                            {"id": meta.id, "slug": meta.slug, "params": meta.params})
        self.out.created += 1
        return self.repo.start_run(self.batch.workflow, meta.slug, meta.artifact_path).run_id

    def _advance(self, item: ManifestLine, run_id: str) -> None:
        """Step the run until a step is on an executor, or the run pauses or ends."""
        while True:
            nxt = drive.next_step(self.repo, run_id, self.wf)
            if nxt.kind != "task":
                self.out.states[item.meta.id] = nxt.kind
                self.progress.settled(nxt.kind)
                return
            gate = nxt.gate
            attempt_id = drive.attempt_id(run_id, gate.gate, nxt.attempt)
            found = self.store.result(attempt_id)
            if found is not None:  # a worker finished it before a coordinator died
                self._record(run_id, gate.gate, nxt.attempt, found)
                continue
            queue = self.router.choose(self.router.queue_of(gate))
            task = build_task(self.repo.ws, self.store, nxt.run, gate, nxt.attempt, nxt.retries, attempt_id, queue,
                              self.router.config.scratch)
            self.executor.submit(task)
            self.router.sent(queue, attempt_id)
            self.inflight[attempt_id] = Inflight(item, run_id, gate.gate, nxt.attempt, queue)
            self.progress.sent_to(queue)
            return

    def _collect(self) -> None:
        waiting = time.perf_counter()
        ready = self.executor.finished(list(self.inflight), timeout=0.5)
        self.waited += time.perf_counter() - waiting
        now = time.monotonic()
        if ready:
            self.last_result = now
        elif now - self.last_result > self.stall_after_s:
            raise Stalled(f"no result for {now - self.last_result:.0f} s while {len(self.inflight)} step(s) are in "
                          "flight: no worker takes them (none runs on their queues, or the workers stopped "
                          "consuming after the broker went away)",
                          f"restart `runner worker`, then `runner batch dispatch {self.batch.batch_id} --resume`: "
                          "what finished is recorded once, the rest is sent again")
        for attempt_id in ready:
            flight = self.inflight.pop(attempt_id)
            self.router.done(flight.queue, attempt_id)
            self.progress.done(flight.queue)
            data = self.store.result(attempt_id)
            if data is not None:
                self._record(flight.run_id, flight.gate, flight.attempt, data)
            self._advance(flight.item, flight.run_id)

    def _record(self, run_id: str, gate: str, attempt: int, data: bytes) -> None:
        run = self.repo.run(run_id)
        state = run.gate(gate)
        if state is None or state.current is None or state.current.attempt != attempt:
            return  # recorded already (a duplicate): dropped
        started = time.perf_counter()
        _, produced = fetch(self.repo.ws, self.store, data)
        produced = checked_route(run, produced)
        self.repo.finish_step(run_id, gate, produced)
        self.out.recorded += 1
        self.progress.recorded(time.perf_counter() - started)

    def _publish(self, final: bool = False) -> None:
        if final or self.progress.due():  # about once a second: the backlog is a Redis read per queue
            self.progress.backlog = {q: self.router.backlog(q) for q in self.router.config.queues}
            progress.save(progress.path(self.repo.ws.git_dir, self.batch.batch_id), self.progress)
            if self.report is not None:
                self.report(self.progress)


def coordinator_lock(root: Path, git_dir: Path, batch_id: str):
    """One coordinator per batch at a time (a killed one's lock is free at once: flock)."""
    return locking.hold(git_dir / f"runner-batch-{batch_id}.lock", 1.0, f"batch dispatch {batch_id}")
