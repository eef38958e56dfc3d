"""git's own lock files (`<file>.lock`, created exclusively), taken by the runner as git
takes them, so that a concurrent git command waits or fails the way two git commands do.

While the runner holds one, <git-dir>/runner-locks/<name> names its pid: a runner killed
while holding a lock leaves it behind, and the next runner (under the workspace lock, so
no other runner can hold it) takes it over once that process is gone. A lock left by
anything else is reported with its path; `runner doctor --fix` removes it when no git
process runs."""

from __future__ import annotations

import os
import time
from pathlib import Path

from runner.errors import GitError

OWNERS = "runner-locks"


class Lock:
    def __init__(self, git_dir: Path, path: Path, wait_s: float = 2.0) -> None:
        self.git_dir, self.path, self.wait_s = git_dir, path, wait_s
        self.owner = git_dir / OWNERS / path.name
        self.fd = -1

    def __enter__(self) -> Lock:
        if self._left_by_a_dead_runner():
            self.path.unlink(missing_ok=True)
        self.owner.parent.mkdir(exist_ok=True)
        self.owner.write_text(f"{os.getpid()} {self.path}\n")
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                return self
            except FileExistsError:
                if time.monotonic() > deadline:
                    self.owner.unlink(missing_ok=True)
                    raise GitError(f"{self.path} exists: another git process holds it, or one died holding it",
                                   "if no git command is running, remove that file (`runner doctor --fix` does)") \
                        from None
                time.sleep(0.01)

    def write(self, data: bytes) -> None:
        """Write `data` into the lock and to disk (fsync), ready to be renamed."""
        os.write(self.fd, data)
        os.fsync(self.fd)

    def replace_with(self, path: Path) -> None:
        """Make the file at `path` the lock's content (renamed onto the lock, so the lock
        file never stops existing for another process to take)."""
        os.replace(path, self.path)

    def commit(self, target: Path) -> None:
        """Put what was written in place of `target` (the lock is released by the rename)."""
        os.close(self.fd)
        self.fd = -1
        os.replace(self.path, target)

    def __exit__(self, *exc: object) -> None:
        if self.fd != -1:
            os.close(self.fd)
            self.fd = -1
            self.path.unlink(missing_ok=True)
        self.owner.unlink(missing_ok=True)

    def _left_by_a_dead_runner(self) -> bool:
        try:
            pid, _, held = self.owner.read_text().strip().partition(" ")
        except FileNotFoundError:
            return False
        if held != str(self.path) or not pid.isdigit() or int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
