"""Moving the runs of a flat workspace (<runs_dir>/<run-id>/) to the fan-out layout
(<runs_dir>/<YYYY-MM>/<x>/<y>/<run-id>/, records.layout_path) once runner.json asks for
it (`"runs_layout": "fanout"`): `runner doctor --fix`, in one commit.

Each run folder (records and logs) is renamed; its RUN.json points its attempt and
decision references at the new paths and gains a `moved` event; the commit removes the
old paths and adds the new ones (what `git mv` records), one paragraph of trailers per
run, so `runner verify` sees a runner commit of each run move each record with the same
bytes. The plan is written first (<git-dir>/runner-pending/layout-move.json): a move
that is killed half way is finished by the next `runner doctor --fix`."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from runner import git, jsonio, locking, records
from runner.models.run import Actor
from runner.run.session import Session, commit_paths, fields, pending_mark
from runner.run.transitions import append_event
from runner.workspace import FANOUT_LOGS, Workspace, ignore_fanout_logs

PLAN = "layout-move.json"


def flat_runs(s: Session) -> list[str]:
    """The runs still in the flat layout that the fan-out layout would place elsewhere."""
    runs = os.fspath(s.ws.runs_dir)
    return [run_id for run_id, folder in records.find_runs(runs)
            if folder == os.path.join(runs, run_id) and records.layout_path(run_id, "fanout") != run_id
            and os.path.isfile(os.path.join(folder, "record", "RUN.json"))]


def logs_ignored(ws: Workspace) -> bool:
    text = (ws.root / ".gitignore").read_text() if (ws.root / ".gitignore").exists() else ""
    return FANOUT_LOGS.format(runs=ws.config.runs_dir.rstrip("/")) in text.splitlines()


def pending(s: Session) -> bool:
    return pending_mark(s.ws, PLAN).exists()


def move(s: Session, actor: Actor) -> list[str]:
    """Move every flat run (and finish a move that was interrupted); the runs moved."""
    ws = s.ws
    plan_file = pending_mark(ws, PLAN)
    with locking.hold(ws.git_dir / "runner.lock", ws.config.lock_timeout_s, "doctor layout move"):
        plan = msgspec.json.decode(plan_file.read_bytes(), type=list[str]) if plan_file.exists() else []
        plan = sorted(set(plan) | set(flat_runs(s)))
        if not plan:
            return []
        jsonio.write_atomic(plan_file, plan)
        paths: list[str] = []
        for run_id in plan:
            paths += _move_one(s, run_id, actor)
        if s.commit and paths:
            jsonio.sync_files([ws.root / p for p in paths if (ws.root / p).is_file()])
            operations = [(f"{run_id} moved to the fan-out layout", fields(run_id, {"Op": "layout-move"}, actor))
                          for run_id in plan]
            if ignore_fanout_logs(ws):
                paths.append(".gitignore")
            commit_paths(s, sorted(set(paths)), operations)
        git.split_index(ws.root)  # as `runner init` sets it for a fan-out workspace
        plan_file.unlink()
        return plan


def _move_one(s: Session, run_id: str, actor: Actor) -> list[str]:
    """Rename the run's folder (unless an interrupted move did) and point its RUN.json at
    the new paths; the paths the commit removes and adds."""
    ws = s.ws
    old = ws.runs_dir / run_id
    new = ws.runs_dir / records.layout_path(run_id, "fanout")
    if old.is_dir() and not new.exists():
        before = _record_files(ws, old)
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)
    elif new.is_dir():
        before = [p.replace(ws.rel(new), ws.rel(old), 1) for p in _record_files(ws, new)]
    else:
        return []
    run = records.load_run(ws, run_id, for_change=True)
    old_rel, new_rel = ws.rel(old), ws.rel(new)
    refs = [r for g in run.gates for r in (*g.attempts, *g.decisions)]
    if any(r.file.startswith(old_rel + "/") for r in refs):
        for ref in refs:
            if ref.file.startswith(old_rel + "/"):
                ref.file = new_rel + ref.file[len(old_rel):]
        append_event(run, "moved", actor, **{"from": old_rel, "to": new_rel})
        records.save_run(ws, run, durable=False)  # synced with the other moved files before the commit
    return before + _record_files(ws, new)


def _record_files(ws: Workspace, folder: Path) -> list[str]:
    return sorted(ws.rel(p) for p in (folder / "record").rglob("*") if p.is_file() and not p.name.endswith(".tmp"))
