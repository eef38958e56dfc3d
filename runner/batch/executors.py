"""Executors run steps that need no person: `local`, a process pool on this machine (no
server), and `celery`, Celery 5 workers over Redis (runner/batch/celery_app.py). Both
deliver results the same way, through the artifact store, under the attempt's id: the
coordinator asks which of the attempts it sent have a result."""

from __future__ import annotations

import time
from typing import Any, Protocol

import msgspec

from runner.batch import work
from runner.batch.messages import StepResult, StepTask
from runner.batch.store import Store
from runner.models.base import to_data


class Executor(Protocol):
    capacity: int

    def submit(self, task: StepTask) -> None: ...

    def finished(self, attempt_ids: list[str], timeout: float) -> list[str]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of `processes` on this machine. A pool process that dies (killed, out of
    memory) breaks the pool: a new pool is made and every task without a result is sent
    again, as a broker redelivers."""

    def __init__(self, store: Store, processes: int = 2) -> None:
        self.store, self.capacity = store, processes
        self.futures: dict[str, Any] = {}
        self.tasks: dict[str, dict] = {}
        self.pool = self._pool()

    def _pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(self.capacity, mp_context=multiprocessing.get_context("fork"))

    def submit(self, task: StepTask) -> None:
        data = to_data(task)
        self.tasks[task.attempt_id] = data
        self.futures[task.attempt_id] = self.pool.submit(work.execute, data)

    def finished(self, attempt_ids: list[str], timeout: float) -> list[str]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        futures = {self.futures[a]: a for a in attempt_ids if a in self.futures}
        done, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        ready, broken = [], False
        for future in done:
            attempt = futures[future]
            exc = future.exception()
            if isinstance(exc, BrokenProcessPool):
                broken = True
                continue
            if exc is not None and not self.store.has_result(attempt):
                _failed(self.store, attempt, f"the step raised {exc!r} on the worker")
            self.futures.pop(attempt)
            self.tasks.pop(attempt, None)
            ready.append(attempt)
        if broken:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._pool()
            for attempt, data in self.tasks.items():
                if attempt not in ready:
                    self.futures[attempt] = self.pool.submit(work.execute, data)
        return ready

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class CeleryExecutor:
    """Sends each step to its queue as a Celery task whose id is the attempt's id, and
    watches the store for results. A task without a result after twice the visibility
    timeout is sent again (a message lost with a broker that died before writing it); a worker
    drops a copy whose attempt already has a result."""

    def __init__(self, store: Store, app: Any, capacity: int, resend_after_s: float) -> None:
        self.store, self.app, self.capacity, self.resend_after_s = store, app, capacity, resend_after_s
        self.sent: dict[str, tuple[float, dict, str]] = {}

    def submit(self, task: StepTask) -> None:
        data = to_data(task)
        self._send(task.attempt_id, data, task.queue)

    def _send(self, attempt_id: str, data: dict, queue: str) -> None:
        from runner.batch.celery_app import send

        send(self.app, attempt_id, data, queue)
        self.sent[attempt_id] = (time.monotonic(), data, queue)

    def finished(self, attempt_ids: list[str], timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            ready = [a for a in attempt_ids if self.store.has_result(a)]
            if ready or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        for attempt in ready:
            self.sent.pop(attempt, None)
        now = time.monotonic()
        for attempt, (at, data, queue) in list(self.sent.items()):
            if now - at > 2 * self.resend_after_s and attempt in attempt_ids:
                self._send(attempt, data, queue)
        return ready

    def close(self) -> None:
        pass


def _failed(store: Store, attempt_id: str, reason: str) -> None:
    result = StepResult(attempt_id=attempt_id, failure=reason)
    store.put_result(attempt_id, msgspec.json.encode(to_data(result)))
