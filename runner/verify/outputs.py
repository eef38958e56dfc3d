"""The outputs half of `runner verify`: every artifact an attempt hashed against the
file now, and every attempt's contract hash against the contract in git.

Findings go to `ctx.add`; `ctx` is the verify.Audit (the workspace, and the commit
that added each attempt)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from runner import records
from runner.errors import RunnerError
from runner.git import history, objects
from runner.hashing import sha256_bytes, sha256_dir, sha256_file
from runner.models.run import Attempt
from runner.verify.history import BEFORE
from runner.workspace import Workspace

SMALL = 1 << 20  # outputs up to this size are hashed with one read, without a 1 MiB buffer


@dataclass
class ArtifactCheck:
    run_id: str
    gate: str
    attempt: int
    path: str
    status: str  # unchanged | re-recorded | changed | missing | absent (recorded as absent) | outside
    recorded: str | None
    current: str | None

    def to_dict(self) -> dict:
        return asdict(self)


class Context(Protocol):
    ws: Workspace

    def add(self, code: str, file: str, message: str, field: str | None = None,
            commit: str | None = None) -> None: ...


Seen = tuple[bool, "str | None"]  # (exists, sha256) of an output now


class Outputs:
    def __init__(self, ctx: Context):
        self.ctx, self.ws = ctx, ctx.ws
        self.real_root = os.path.realpath(self.ws.root)
        self._real_dirs: dict[str, str] = {}
        self._recorded: dict[str, list[tuple[str, bool, str | None]]] | None = None

    # ------------------------------------------------------------------ artifacts

    def check_artifacts(self, attempts: list[tuple[str, Attempt]]) -> list[ArtifactCheck]:
        checks, current = [], {}
        for path, attempt in attempts:
            for i, art in enumerate(attempt.artifacts):
                status, now = "absent", None
                if art.exists and art.sha256:
                    if art.path not in current:
                        current[art.path] = self._observe(art.path)
                    seen = current[art.path]
                    if seen is None:
                        status = "outside"
                        self.ctx.add("artifact-outside", path, f"{art.path} leaves the workspace; not read",
                                     f"artifacts[{i}].path")
                    else:
                        now = seen[1]
                        status = self._status(path, i, attempt, art.path, art.sha256, seen)
                checks.append(ArtifactCheck(attempt.run_id, attempt.gate, attempt.attempt, art.path, status,
                                            art.sha256 if art.exists else None, now))
        return checks

    def _status(self, path: str, i: int, attempt: Attempt, rel: str, recorded: str, seen: Seen) -> str:
        if seen == (True, recorded):
            return "unchanged"
        if any(when > attempt.finished_at and (exists, sha) == seen for when, exists, sha in self.recorded(rel)):
            return "re-recorded"
        if not seen[0]:
            self.ctx.add("artifact-missing", path, f"{rel} no longer exists", f"artifacts[{i}]")
            return "missing"
        if self._only_line_endings(rel, recorded):
            return "converted"  # git's core.autocrlf turned LF into CRLF on checkout: the same text
        self.ctx.add("artifact-changed", path, f"{rel} changed since the attempt (sha256 {recorded[:12]}… now "
                     f"{seen[1][:12]}…) and no later attempt recorded it", f"artifacts[{i}].sha256")
        return "changed"

    def _only_line_endings(self, rel: str, recorded: str) -> bool:
        """Whether the file is the recorded bytes with LF turned into CRLF (a checkout
        with core.autocrlf=true)."""
        full = self._inside(rel)
        try:
            if full is None or not os.path.isfile(full) or os.path.getsize(full) > SMALL:
                return False
            with open(full, "rb") as fh:
                data = fh.read()
        except OSError:
            return False
        return b"\r\n" in data and sha256_bytes(data.replace(b"\r\n", b"\n")) == recorded

    def _observe(self, rel: str) -> Seen | None:
        """(exists, sha256) of an output now; None when the path leaves the workspace."""
        full = self._inside(rel)
        if full is None:
            return None
        try:
            info = os.stat(full)
            if stat.S_ISDIR(info.st_mode):
                return True, sha256_dir(Path(full))[0]
            if info.st_size <= SMALL:
                with open(full, "rb") as fh:
                    return True, sha256_bytes(fh.read())
            return True, sha256_file(full)
        except FileNotFoundError:
            return False, None
        except OSError:
            return True, "unreadable"

    def _inside(self, rel: str) -> str | None:
        """paths.inside() for many paths: the real path of `rel`, or None when it leaves
        the workspace (absolute, `..`, a link that points out). Each directory is
        resolved once."""
        if not rel or os.path.isabs(rel):
            return None
        parent, name = os.path.split(rel)
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = os.path.realpath(os.path.join(self.real_root, parent))
        full = os.path.join(real_parent, name)
        if name in ("", ".", "..") or os.path.islink(full):
            full = os.path.realpath(full)
        if full != self.real_root and not full.startswith(self.real_root + os.sep):
            return None
        return full

    def recorded(self, rel: str) -> list[tuple[str, bool, str | None]]:
        """(finished_at, exists, sha256) of every attempt of every run that recorded `rel`.
        Built on first need: a scoped check reads the other runs only once an output changed."""
        if self._recorded is None:
            self._recorded = {}
            for data in self._every_attempt():
                for art in data.get("artifacts") or []:
                    if isinstance(art, dict) and isinstance(art.get("path"), str):
                        self._recorded.setdefault(art["path"], []).append(
                            (str(data.get("finished_at", "")), bool(art.get("exists")), art.get("sha256")))
        return self._recorded.get(rel, [])

    def _every_attempt(self) -> Iterator[dict[str, Any]]:
        gate_dirs = (Path(folder, "record", "gates") for _, folder in records.find_runs(os.fspath(self.ws.runs_dir)))
        for gate_dir in sorted(g for gates in gate_dirs if gates.is_dir() for g in gates.iterdir()):
            for attempt in gate_dir.glob("attempt-*.json"):
                try:
                    data = json.loads(attempt.read_bytes())
                except (OSError, ValueError):
                    continue
                if isinstance(data, dict):
                    yield data

    # ------------------------------------------------------------------ contracts

    def check_contracts(self, attempts: list[tuple[str, Attempt]], added: dict[str, str]) -> None:
        """The contract hash must match the contract at the commit that added the attempt
        (`added`: path -> commit); failing that (a contract committed only after it ran),
        some committed version of it or the file now. Many blobs, one cat-file process."""
        names: dict[str, str | None] = {}
        for path, attempt in attempts:
            ref = attempt.contract
            if ref is not None and "\n" not in ref.path and added.get(path) != BEFORE:  # BEFORE: checked then
                names[path] = f"{added[path]}:{ref.path}" if added.get(path) else None
        root = self.ws.root
        blobs = objects.read_blobs(root, [n for n in names.values() if n]) if names else {}
        versions: dict[str, set[str]] = {}
        for path, attempt in attempts:
            if path not in names:
                continue
            ref, name = attempt.contract, names[path]
            data = blobs.get(name) if name else None
            if data is not None and sha256_bytes(data) == ref.sha256:
                continue
            if ref.path not in versions:
                versions[ref.path] = self._contract_versions(ref.path)
            if ref.sha256 in versions[ref.path]:
                continue
            commit = added.get(path)
            then = ""
            if data is not None:
                then = f"{ref.path} at commit {commit[:12]} has sha256 {sha256_bytes(data)[:12]}…, and "
            elif commit:
                then = f"{ref.path} is not in commit {commit[:12]}, and "
            self.ctx.add("contract", path, f"{then}no version of {ref.path} in history or the work tree has the "
                         f"recorded sha256 {ref.sha256[:12]}…", "contract.sha256", commit)

    def _contract_versions(self, rel: str) -> set[str]:
        """The sha256 of every committed version of a contract, and of the file now."""
        shas = set()
        try:
            full = self.ws.path(rel, "contract")
        except RunnerError:
            return shas
        if full.is_file():
            shas.add(sha256_file(full))
        root = self.ws.root
        if history.resolve(root, "HEAD"):
            blobs = {c.new for commit in history.log(root, [rel]) for c in commit.changes if c.new}
            shas |= {sha256_bytes(data) for data in objects.read_blobs(root, blobs).values() if data}
        return shas
