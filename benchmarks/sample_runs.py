"""Real run records, many times: one run of the essay workflow taken through G1..G3 and
completed by the runner, copied with other ids, start times and statuses (for
bench_commit.py's histories and bench_list.py's workspaces)."""

from __future__ import annotations

import json
from pathlib import Path

from common import make_workspace, pass_gate, runner, start_run


def real_records(tmp: Path) -> dict[str, bytes]:
    """A run of the essay workflow taken through G1..G3 and completed by the runner: its
    record files (workspace-relative path -> bytes), the templates of generated runs."""
    root = make_workspace(tmp / "records-template")
    run_id = start_run(root)
    for gate in ("G1", "G2", "G3"):
        pass_gate(root, run_id, gate)
    runner(root, "run", "complete", "--run", run_id)
    record = root / "runs" / run_id / "record"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(record.rglob("*.json"))}
    files["__run_id__"] = run_id.encode()
    return files


STATUSES = ("PASSED", "PASSED", "PASSED", "FAILED", "RUNNING", "CANCELED")


def vary(template: dict[str, bytes], n: int) -> tuple[str, dict[str, bytes]]:
    """The n-th generated run: the template with another id, start time and status."""
    old = template["__run_id__"].decode()
    day = 1 + n % 28
    stamp = f"2025{1 + n // 1000 % 12:02d}{day:02d}T{n // 3600 % 24:02d}{n // 60 % 60:02d}{n % 60:02d}Z"
    new = f"run_{stamp}_essay-{n}_{n:06x}"
    out = {}
    for rel, data in template.items():
        if rel == "__run_id__":
            continue
        text = data.decode().replace(old, new)
        if rel.endswith("RUN.json"):
            run = json.loads(text)
            run["started_at"] = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
            run["status"] = STATUSES[n % len(STATUSES)]
            text = json.dumps(run, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        out[rel.replace(old, new)] = text.encode()
    return new, out
