"""One driver per run: whatever goes on with a run by itself (the driver, and the
validation of a patched gate as a new attempt) holds <git-dir>/runner-drive/<run-id>.lock
while it does, so that `runner tick` never continues a run another process is driving.

Taken before the workspace lock and never inside it (a transaction holds the workspace
lock only for its own writes); the kernel releases it when its process dies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from runner import locking
from runner.paths import check_name
from runner.run.session import Session

_held = threading.local()  # the runs whose drive lock this thread holds (the lock is re-entrant)


@contextmanager
def driving(s: Session, run_id: str, wait: bool = True) -> Iterator[None]:
    """Hold the run's drive lock; `wait=False`: LockTimeout at once if another process
    (or thread) holds it. Re-entrant within a thread: a driver called by something that
    already drives the run (a batch step, an approval with a patch) goes on under it."""
    held = _held.__dict__.setdefault("runs", set())
    key = (str(s.ws.git_dir), run_id)
    if key in held:
        yield
        return
    path = s.ws.git_dir / "runner-drive" / f"{check_name(run_id, 'run id')}.lock"
    with locking.hold(path, s.ws.config.lock_timeout_s if wait else 0, f"drive {run_id}"):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
