"""One writer at a time per workspace: an flock on <git-dir>/runner.lock.

The kernel releases an flock when its process dies, so a lock left by a dead process
is taken over safely; the holder's pid, host and start time are written into the file
so that a timeout can say who holds it."""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from runner.errors import LockTimeout
from runner.timeutil import iso


@contextmanager
def hold(lock_path: Path, timeout_s: float, purpose: str = "") -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        delay = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"workspace is busy: lock {lock_path} held by {_holder(lock_path)} for more than {timeout_s:g} s",
                        "wait for that command to finish, or raise lock_timeout_s in runner.json",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        info = json.dumps({"pid": os.getpid(), "host": os.uname().nodename, "since": iso(), "purpose": purpose})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(lock_path: Path) -> str:
    try:
        info = json.loads(lock_path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"pid {info.get('pid')} on {info.get('host')} since {info.get('since')} ({info.get('purpose') or 'runner'})"
