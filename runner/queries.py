"""Read-only views of runs, for `run list` and `run show`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from . import records
from .errors import UsageError
from .timeutil import now, parse
from .models.run import Run
from .workspace import Workspace


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
    whose last event is older than that."""
    out = []
    moment = now()
    for run_id in records.list_run_ids(ws):
        path = records.run_file(ws, run_id)
        try:
            data = json.loads(path.read_bytes())
            summary = _summary(data)
        except (ValueError, KeyError, TypeError, AttributeError):
            summary = RunSummary(run_id, "?", "?", "UNREADABLE", "", None, 0, 0, None)
        if status is not None and summary.status != status:
            continue
        if stale_after_s is not None and (summary.status in ("PASSED", "CANCELED") or not summary.last_activity
                                          or (moment - parse(summary.last_activity)).total_seconds() < stale_after_s):
            continue
        out.append(summary)
    out.sort(key=lambda r: (r.started_at, r.run_id))
    return out


def _summary(data: dict) -> RunSummary:
    gates = data.get("gates", [])
    current = next((g["gate"] for g in gates if g.get("current")), None)
    waiting = next((f"{g['gate']}:{g['waiting']['waiting_for']}" for g in gates if g.get("waiting")), None)
    moment = now()
    overdue = [g["gate"] for g in gates if g.get("waiting") and g["waiting"].get("deadline")
               and not g["waiting"].get("escalated") and parse(g["waiting"]["deadline"]) <= moment]
    events = data.get("events") or []
    return RunSummary(
        run_id=data["run_id"], workflow=data["workflow"]["name"], slug=data["workflow"]["slug"],
        status=data["status"], started_at=data["started_at"], finished_at=data.get("finished_at"),
        gates_passed=sum(1 for g in gates if g.get("status") == "PASS"), gates_total=len(gates),
        current=current, waiting=waiting, last_activity=events[-1]["at"] if events else data["started_at"],
        overdue=overdue or None,
    )


def show_run(ws: Workspace, run_id: str) -> Run:
    return records.load_run(ws, run_id)
