"""Whose bytes a RUN.json holds. A command that changes a run builds only on a record the
runner wrote: the bytes it last wrote in this repository (their SHA-256 is kept in
<git-dir>/runner-written/<run-id>, local, never committed), or the ones HEAD holds (a
fresh clone, a pull, a merge). Anything else is a hand edit, refused with the fields
that differ and the ways out, so that no edit is ever committed as if the runner made it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from runner.errors import RecordError
from runner.git import objects
from runner.workspace import Workspace

MARKS = "runner-written"


KEEP = 4  # the runner's last writes of a run that are still trusted


def mark(ws: Workspace, run_id: str, payload: bytes) -> None:
    """Before RUN.json is replaced by `payload`: these are the runner's bytes. Written
    first, keeping the previous marks: a command killed between the two leaves the bytes
    an earlier command wrote (and perhaps never committed), which are still trusted."""
    path = ws.git_dir / MARKS / run_id
    path.parent.mkdir(exist_ok=True)
    text = _read(path)
    marks = text.split()[-REWRITE:]
    digest = hashlib.sha256(payload).hexdigest()
    if len(marks) < REWRITE:  # appended (no rename, so no flush of the file by the filesystem)
        with open(path, "a") as fh:
            fh.write(("\n" if text and not text.endswith("\n") else "") + digest + "\n")  # after a torn line
        return
    tmp = path.with_name(f".{run_id}.{os.getpid()}.tmp")
    tmp.write_text("\n".join([*marks[-KEEP + 1:], digest]) + "\n")
    os.replace(tmp, path)


REWRITE = 32  # marks appended before the file is rewritten with the last KEEP


def _marks(path: Path) -> list[str]:
    """The last KEEP marks (a line torn by a crash matches no digest)."""
    return _read(path).split()[-KEEP:]


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def check(ws: Workspace, run_id: str, path: Path, raw: bytes) -> None:
    """Refuse `raw`, the bytes of `path`, unless the runner wrote them or HEAD holds them."""
    if hashlib.sha256(raw).hexdigest() in _marks(ws.git_dir / MARKS / run_id):
        return
    rel = ws.rel(path)
    committed = objects.read_blobs(ws.root, [f"HEAD:{rel}"]).get(f"HEAD:{rel}")
    if committed == raw:
        mark(ws, run_id, raw)
        return
    fields = _differences(committed, raw) if committed is not None else []
    what = f"fields {', '.join(fields)} differ from" if fields else "it differs from"
    raise RecordError(
        f"run record {rel} was changed outside the runner: {what} "
        f"{'the committed record' if committed is not None else 'what the runner wrote'}",
        f"restore it with `git checkout -- {rel}`; to change a run, use runner's commands "
        "(gate fail, run cancel, a decision), which record who changed what")


def _differences(before: bytes, after: bytes, limit: int = 8) -> list[str]:
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        return []
    found: list[str] = []
    _walk(old, new, "$", found)
    return found[:limit] + ([f"and {len(found) - limit} more"] if len(found) > limit else [])


def _walk(old: Any, new: Any, at: str, found: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _walk(old.get(key, _ABSENT), new.get(key, _ABSENT), f"{at}.{key}", found)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _walk(a, b, f"{at}[{i}]", found)
    elif old != new:
        found.append(at)


_ABSENT = object()
