"""The branch a record commit moves, read and updated as git itself does it with the
files backend: HEAD names the ref; a ref is a loose file or a line of packed-refs; an
update takes `<ref>.lock` (created exclusively, so a concurrent git or runner waits or
fails), compares the current value with the expected one, writes the new id into the
lock and renames it into place, then appends to the reflogs."""

from __future__ import annotations

import os
import time
from pathlib import Path

from runner.errors import GitError
from runner.git import Identity
from runner.git.objects import common_dir

OWNER = "runner-ref-lock"  # <git-dir>/runner-ref-lock: "<pid> <lock path>" while the runner holds a ref lock


def head_ref(git_dir: Path) -> str:
    """The ref HEAD points to (`refs/heads/main`), or "HEAD" when it is detached."""
    head = (git_dir / "HEAD").read_text().strip()
    return head[4:].strip() if head.startswith("ref:") else "HEAD"


def _ref_file(git_dir: Path, ref: str) -> Path:
    # HEAD (and other pseudo-refs) belong to the worktree; refs/ to the common dir.
    return (common_dir(git_dir) if ref.startswith("refs/") else git_dir) / ref


def read_ref(git_dir: Path, ref: str) -> str | None:
    """The object id a ref holds, or None when it does not exist (an unborn branch)."""
    try:
        value = _ref_file(git_dir, ref).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return _packed(git_dir, ref)
    if value.startswith("ref:"):
        return read_ref(git_dir, value[4:].strip())
    return value or None


def _packed(git_dir: Path, ref: str) -> str | None:
    try:
        lines = (common_dir(git_dir) / "packed-refs").read_text().splitlines()
    except FileNotFoundError:
        return None
    suffix = " " + ref
    for line in lines:
        if line.endswith(suffix) and not line.startswith(("#", "^")):
            return line[: -len(suffix)]
    return None


def update(git_dir: Path, ref: str, new: str, old: str | None, who: Identity, message: str,
           log: bool = True, lock_wait_s: float = 2.0) -> bool:
    """Move `ref` from `old` (None: it must not exist) to `new`. False when it holds
    something else (the caller builds again on the new tip); a lock another process
    keeps longer than `lock_wait_s` is an error naming it."""
    path = _ref_file(git_dir, ref)
    lock = path.with_name(path.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    owner = git_dir / OWNER
    if _left_by_a_dead_runner(git_dir, lock):
        lock.unlink(missing_ok=True)
    owner.write_text(f"{os.getpid()} {lock}\n")
    try:
        return _update(git_dir, ref, path, lock, new, old, who, message, log, lock_wait_s)
    finally:
        owner.unlink(missing_ok=True)


def _update(git_dir: Path, ref: str, path: Path, lock: Path, new: str, old: str | None, who: Identity,
            message: str, log: bool, lock_wait_s: float) -> bool:
    fd = _take(lock, lock_wait_s)
    try:
        if read_ref(git_dir, ref) != old:
            return False
        os.write(fd, new.encode() + b"\n")
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(lock, path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        lock.unlink(missing_ok=True)
        raise
    if log:
        line = f"{old or '0' * len(new)} {new} {who.name} <{who.email}> {_stamp()}\t{message}\n"
        _append(common_dir(git_dir) / "logs" / ref if ref.startswith("refs/") else git_dir / "logs" / ref, line)
        if ref != "HEAD" and head_ref(git_dir) == ref:
            _append(git_dir / "logs" / "HEAD", line)
    return True


def _take(lock: Path, wait_s: float) -> int:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if time.monotonic() > deadline:
                raise GitError(f"{lock} exists: another git process holds it, or one died holding it",
                               "if no git command is running, remove that file (`runner doctor --fix` does)") from None
            time.sleep(0.01)


def _left_by_a_dead_runner(git_dir: Path, lock: Path) -> bool:
    """A runner killed while it held `lock` left its pid in OWNER; under the workspace
    lock no other runner can hold it, so the lock is stale once that process is gone."""
    try:
        pid, _, held = (git_dir / OWNER).read_text().strip().partition(" ")
    except FileNotFoundError:
        return False
    if held != str(lock) or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _stamp() -> str:
    now = time.time()
    offset = time.localtime(now).tm_gmtoff // 60
    sign = "+" if offset >= 0 else "-"
    return f"{int(now)} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)


def signature(who: Identity) -> str:
    """`Name <email> <unix time> <+hhmm>`, as git writes an author or committer line."""
    return f"{who.name} <{who.email}> {_stamp()}"
