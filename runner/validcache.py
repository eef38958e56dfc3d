"""Validate a document once per content: the commands that run most often (gate start,
gate finish) then read contracts, workflows, runner.json and RUN.json as plain dicts
without importing pydantic, whose import alone costs more than the whole command.

A document's validated form (the model's dump: every default filled in) is cached
under <git-dir>/runner-cache/<fingerprint>/, keyed by the SHA-256 of its bytes; the
fingerprint (runner/models/shapes.py) changes with the runner version and with every
schema, so a cache never outlives the models that filled it. RUN.json, which the
runner rewrites on every command, keeps one mark per run instead: the SHA-256 of the
bytes the runner last wrote or validated. Any other bytes (a hand edit, another
version, a fresh clone) are validated again by the models, with their error messages.

The cache is local and never committed; deleting it costs one validation per file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

from . import jsonio
from .models.shapes import FINGERPRINT

CACHE_DIR = "runner-cache"


def _dir(git_dir: Path) -> Path:
    return git_dir / CACHE_DIR / FINGERPRINT[:16]


def load(git_dir: Path, path: Path, kind: str, validate: Callable[[Any], dict], *, what: str,
         error: type[Exception]) -> tuple[dict, str]:
    """The validated dict of a contract, workflow or config file, and the SHA-256 of its
    bytes (read once). `validate(raw)` checks the parsed document with its model (raising
    the model's error) and returns its dump."""
    raw_bytes = jsonio.read_bytes(path, what=what, error=error)
    digest = hashlib.sha256(raw_bytes).hexdigest()
    cached = _dir(git_dir) / kind / f"{digest}.json"
    try:
        entry = json.loads(cached.read_text(encoding="utf-8"))
        data = entry["data"]
        if entry["sha256"] == hashlib.sha256(jsonio.canonical_bytes(data)).hexdigest():
            return data, digest
    except (OSError, ValueError, TypeError, KeyError):
        pass  # absent or damaged: validated again
    text = jsonio.decode(raw_bytes, path, what=what, error=error)
    data = validate(jsonio.parse_document(text, path, what=what, error=error))
    body = jsonio.canonical_bytes(data)
    store(cached, b'{"data":%s,"sha256":"%s"}' % (body, hashlib.sha256(body).hexdigest().encode()))
    return data, digest


def load_run(git_dir: Path, path: Path, run_id: str, validate: Callable[[Any], dict]) -> dict:
    """RUN.json as a dict: trusted without validation when its bytes are the ones the
    runner last wrote or validated, else validated (and marked) now."""
    raw_bytes = jsonio.read_bytes(path, what="run record")
    digest = hashlib.sha256(raw_bytes).hexdigest()
    mark = _dir(git_dir) / "runs" / run_id
    try:
        if mark.read_text() == digest:
            return json.loads(raw_bytes)
    except (OSError, ValueError):
        pass
    data = validate(jsonio.parse_document(jsonio.decode(raw_bytes, path, what="run record"), path,
                                          what="run record"))
    if jsonio.dumps(data).encode() == raw_bytes:  # a dump of its own: the next read trusts these bytes
        store(mark, digest.encode())
    return data


def mark_run(git_dir: Path, run_id: str, payload: bytes) -> None:
    """Record that `payload`, just written as RUN.json, is a valid run record."""
    marks = _dir(git_dir) / "runs"
    if not marks.is_dir():  # the first write of this fingerprint: the others are stale
        _prune(git_dir)
    store(marks / run_id, hashlib.sha256(payload).hexdigest().encode())


def _prune(git_dir: Path) -> None:
    """Remove the caches of other fingerprints (an earlier runner version's)."""
    import shutil

    keep = _dir(git_dir).name
    try:
        stale = [d for d in (git_dir / CACHE_DIR).iterdir() if d.name != keep]
    except OSError:
        return
    for directory in stale:
        shutil.rmtree(directory, ignore_errors=True)


def forget_run(git_dir: Path, run_id: str) -> None:
    try:
        os.unlink(_dir(git_dir) / "runs" / run_id)
    except FileNotFoundError:
        pass


def cache_file(git_dir: Path, name: str) -> Path:
    """A file of another local cache, valid for this fingerprint only."""
    return _dir(git_dir) / name


def store(path: Path, payload: bytes) -> None:
    """Best effort (a cache): a failed write only means validating again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(payload)
        os.replace(tmp, path)
    except OSError:
        pass
