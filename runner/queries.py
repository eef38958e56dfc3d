"""Read-only views of runs, for `run list` and `run show`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from . import records
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

    def to_dict(self) -> dict:
        return asdict(self)


def list_runs(ws: Workspace, status: str | None = None) -> list[RunSummary]:
    """Every run, oldest first. Reads only the fields it shows (fast with 10,000 runs);
    `run show` validates a whole record."""
    out = []
    for run_id in records.list_run_ids(ws):
        path = records.run_file(ws, run_id)
        try:
            data = json.loads(path.read_bytes())
            summary = _summary(data)
        except (ValueError, KeyError, TypeError, AttributeError):
            summary = RunSummary(run_id, "?", "?", "UNREADABLE", "", None, 0, 0, None)
        if status is None or summary.status == status:
            out.append(summary)
    out.sort(key=lambda r: (r.started_at, r.run_id))
    return out


def _summary(data: dict) -> RunSummary:
    gates = data.get("gates", [])
    current = next((g["gate"] for g in gates if g.get("current")), None)
    return RunSummary(
        run_id=data["run_id"], workflow=data["workflow"]["name"], slug=data["workflow"]["slug"],
        status=data["status"], started_at=data["started_at"], finished_at=data.get("finished_at"),
        gates_passed=sum(1 for g in gates if g.get("status") == "PASS"), gates_total=len(gates),
        current=current,
    )


def show_run(ws: Workspace, run_id: str) -> Run:
    return records.load_run(ws, run_id)
