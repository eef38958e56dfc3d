"""The branch a record commit moves, read and updated as git itself does it with the
files backend: HEAD names the ref; a ref is a loose file or a line of packed-refs; an
update takes `<ref>.lock` (created exclusively, so a concurrent git or runner waits or
fails), compares the current value with the expected one, writes the new id into the
lock and renames it into place, then appends to the reflogs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from runner.git import Identity
from runner.git.locks import Lock
from runner.git.objects import common_dir


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
           log: bool = True, lock_wait_s: float = 2.0, moved: Callable[[], None] | None = None) -> bool:
    """Move `ref` from `old` (None: it must not exist) to `new`. False when it holds
    something else (the caller builds again on the new tip); a lock another process
    keeps longer than `lock_wait_s` is an error naming it. `moved` is called right after
    the ref is in place, before the reflogs are written (the index follows at once)."""
    path = _ref_file(git_dir, ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Lock(git_dir, path.with_name(path.name + ".lock"), lock_wait_s) as lock:
        if read_ref(git_dir, ref) != old:
            return False
        lock.write(new.encode() + b"\n")
        lock.commit(path)
    if moved is not None:
        moved()
    if log:
        line = f"{old or '0' * len(new)} {new} {who.name} <{who.email}> {_stamp()}\t{message}\n"
        _append(common_dir(git_dir) / "logs" / ref if ref.startswith("refs/") else git_dir / "logs" / ref, line)
        if ref != "HEAD" and head_ref(git_dir) == ref:
            _append(git_dir / "logs" / "HEAD", line)
    return True


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
