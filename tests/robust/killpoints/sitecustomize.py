"""Loaded by the `runner` processes of tests/robust/test_robust_ref_kills.py (through
PYTHONPATH): SIGKILL the process at the point of a record commit that RUNNER_KILL_AT
names, around the moment the branch moves."""

import os
import signal

POINT = os.environ.get("RUNNER_KILL_AT", "")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _install() -> None:
    from runner.git import locks, refs

    lock_write, lock_commit, append = locks.Lock.write, locks.Lock.commit, refs._append

    def is_ref(lock) -> bool:
        return lock.path.name != "index.lock"

    def write(self, data):
        if POINT == "ref-lock-taken" and is_ref(self):
            _die()
        return lock_write(self, data)

    def commit(self, target):
        if POINT == "ref-lock-written" and is_ref(self):
            _die()
        lock_commit(self, target)
        if (POINT == "ref-moved" and is_ref(self)) or (POINT == "index-moved" and not is_ref(self)):
            _die()

    def reflog(path, line):
        if POINT == "reflog":
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line[: len(line) // 2])  # half a line, as a kill during the write leaves
            _die()
        return append(path, line)

    locks.Lock.write, locks.Lock.commit, refs._append = write, commit, reflog


if POINT:
    _install()
