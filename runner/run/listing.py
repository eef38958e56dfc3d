"""Read-only views of runs, for `run list` and `run show`."""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterator

import msgspec

from runner import __version__, records
from runner.errors import UsageError
from runner.paths import check_name
from runner.timeutil import now, parse
from runner.vocab import CLOSED

if TYPE_CHECKING:
    from runner.workspace import Workspace


@dataclass
class RunSummary:
    run_id: str
    workflow: str
    slug: str
    status: str
    started_at: str
    finished_at: str | None
    gates_passed: int
    gates_total: int
    current: str | None  # the gate with an open attempt, if any
    waiting: str | None = None  # "G2:decision" when a gate waits for a person
    last_activity: str | None = None
    overdue: list[str] | None = None  # gates whose deadline passed without `runner tick`

    def to_dict(self) -> dict:
        return asdict(self)


def parse_duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
    except (ValueError, IndexError):
        raise UsageError(f"invalid duration {text!r}", "use e.g. 90m, 24h or 7d") from None


def list_runs(ws: Workspace, status: str | None = None, stale_after_s: float | None = None) -> list[RunSummary]:
    """Every run, oldest first. Reads only the fields it shows (fast with 10,000 runs);
    `run show` validates a whole record. With `stale_after_s`: only unfinished runs
    whose last event is older than that.

    The same files as records.list_run_ids/run_file, found with plain string paths:
    the runs folder is resolved (and checked to be inside the workspace) once, not
    once per run."""
    out = []
    moment = now()
    for run_id, digest in digests(ws):
        summary = _summary(digest, moment) if digest is not None else \
            RunSummary(run_id, "?", "?", "UNREADABLE", "", None, 0, 0, None)
        if status is not None and summary.status != status:
            continue
        if stale_after_s is not None and (summary.status in CLOSED or not summary.last_activity
                                          or (moment - parse(summary.last_activity)).total_seconds() < stale_after_s):
            continue
        out.append(summary)
    out.sort(key=lambda r: (r.started_at, r.run_id))
    return out


def digests(ws: Workspace) -> Iterator[tuple[str, dict | None]]:
    """(run id, its digest, or None when its RUN.json is unreadable) of every run; the
    cache is saved once all were read."""
    runs = os.fspath(ws.runs_dir)
    cache = Digests(ws.git_dir)
    for run_id, folder in _run_folders(runs):
        check_name(run_id, "run id")
        try:
            yield run_id, cache.digest(folder, run_id)
        except (FileNotFoundError, NotADirectoryError):
            continue  # a folder without a record is no run
        except (OSError, ValueError, KeyError, TypeError, AttributeError, msgspec.DecodeError):
            yield run_id, None
    cache.save()


def waiting_gates(ws: Workspace) -> Iterator[tuple[str, list]]:
    """(run id, [[gate, attempt, waiting_for, since, deadline, on_timeout, escalated,
    packet], ...]) of every run that is not closed and has a gate waiting: the inbox,
    from the digests (a full read of only the records that changed)."""
    for run_id, digest in digests(ws):
        if digest is not None and digest["status"] not in CLOSED and digest["waiting_gates"]:
            yield run_id, digest["waiting_gates"]


# The errors for which pathlib's is_file()/is_dir() answer False instead of raising.
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _is(path: str, kind: int) -> bool:
    try:
        return stat.S_IFMT(os.stat(path).st_mode) == kind
    except OSError as exc:
        if exc.errno not in _ABSENT:
            raise
        return False
    except ValueError:
        return False


def _run_folders(runs: str) -> list[tuple[str, str]]:
    """records.list_run_ids without a Path object per run: (run id, folder), either layout."""
    if not _is(runs, stat.S_IFDIR):
        return []
    # A folder not named like a run id is no run; one without a RUN.json is skipped when read.
    return records.find_runs(runs)


class Digests:
    """What `run list` needs of each RUN.json, in one local file
    (<git-dir>/runner-cache/run-list-<version>.json, never committed), keyed on the
    record's inode, size and mtime (an atomic rewrite always makes a new inode), so that
    listing 10,000 runs decodes only the records that changed since the last listing."""

    def __init__(self, git_dir) -> None:
        self.path = os.path.join(git_dir, "runner-cache", f"run-list-{__version__}.json")
        try:
            with open(self.path, "rb") as fh:
                self.known = json.loads(fh.read())
            if not isinstance(self.known, dict):
                raise ValueError("not a cache")
        except (OSError, ValueError):
            self.known = {}
        self.seen: dict[str, dict] = {}
        self.changed = False

    def digest(self, folder: str, run_id: str) -> dict:
        st = os.stat(os.path.join(folder, "record", "RUN.json"))
        key = [st.st_ino, st.st_size, st.st_mtime_ns]
        entry = self.known.get(run_id)
        if not (isinstance(entry, dict) and entry.get("key") == key and isinstance(entry.get("digest"), dict)
                and entry["digest"].keys() == DIGEST_FIELDS):
            with open(os.path.join(folder, "record", "RUN.json"), "rb") as fh:
                entry = {"key": key, "digest": _digest(fh.read())}
            self.changed = True
        self.seen[run_id] = entry
        return entry["digest"]

    def save(self) -> None:
        """Best effort: a read-only workspace lists as well, only slower."""
        if self.changed or set(self.known) != set(self.seen):
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                tmp = f"{self.path}.{os.getpid()}.tmp"
                with open(tmp, "wb") as fh:
                    fh.write(json.dumps(self.seen, separators=(",", ":")).encode())
                os.replace(tmp, self.path)
            except OSError:
                pass


DIGEST_FIELDS = {"run_id", "workflow", "slug", "status", "started_at", "finished_at", "gates_passed",
                 "gates_total", "current", "waiting", "last_activity", "deadlines", "waiting_gates"}


class _Waiting(msgspec.Struct):
    waiting_for: str
    attempt: int = 0
    since: str = ""
    deadline: str | None = None
    on_timeout: str | None = None
    escalated: bool = False
    packet: str | None = None


class _Gate(msgspec.Struct):
    gate: str
    status: str = "PENDING"
    current: dict | None = None
    waiting: _Waiting | None = None


class _Event(msgspec.Struct):
    at: str


class _Workflow(msgspec.Struct):
    name: str
    slug: str


class _Listed(msgspec.Struct):
    """The fields of RUN.json that `run list` shows; the decoder skips the others."""

    run_id: str
    workflow: _Workflow
    status: str
    started_at: str
    finished_at: str | None = None
    gates: list[_Gate] = []
    events: list[_Event] = []


def _digest(raw: bytes) -> dict:
    run = msgspec.json.decode(raw, type=_Listed)
    gates, events = run.gates, run.events
    return {
        "run_id": run.run_id, "workflow": run.workflow.name, "slug": run.workflow.slug,
        "status": run.status, "started_at": run.started_at, "finished_at": run.finished_at,
        "gates_passed": sum(1 for g in gates if g.status == "PASS"), "gates_total": len(gates),
        "current": next((g.gate for g in gates if g.current), None),
        "waiting": next((f"{g.gate}:{g.waiting.waiting_for}" for g in gates if g.waiting), None),
        "last_activity": events[-1].at if events else run.started_at,
        "deadlines": [[g.gate, g.waiting.deadline] for g in gates
                      if g.waiting and g.waiting.deadline and not g.waiting.escalated],
        "waiting_gates": [[g.gate, w.attempt, w.waiting_for, w.since, w.deadline, w.on_timeout, w.escalated, w.packet]
                          for g in gates if (w := g.waiting) is not None],
    }


def _summary(digest: dict, moment: datetime | None = None) -> RunSummary:
    moment = moment or now()
    overdue = [gate for gate, deadline in digest["deadlines"] if parse(deadline) <= moment]
    fields = {k: v for k, v in digest.items() if k not in ("deadlines", "waiting_gates")}
    return RunSummary(**fields, overdue=overdue or None)
