"""The run directory layout, and load (validated) / save (canonical, atomic) of records.

    <run>/record/RUN.json                      committed, the one mutable summary
    <run>/record/gates/<GATE>/attempt-<n>.json  committed, append-only
    <run>/record/gates/<GATE>/decision-<n>.json committed, append-only
    <run>/logs/...                              git-ignored (prompt packets, stdout/stderr)

where <run>, a run's folder, is <runs_dir>/<run-id> in the flat layout, and
<runs_dir>/<YYYY-MM>/<x>/<y>/<run-id> in the fan-out one (runner.json `runs_layout`):
the month of the id's start time, then its last two characters (random in the ids the
runner makes), so every tree a record commit rewrites stays small. Both layouts are
read whatever the setting; new runs go where the setting says. Every path to a run
folder is made here (`run_dir`), and every listing of runs walks both (`find_runs`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from runner import jsonio, provenance
from runner.errors import NotFoundError, RecordError, StateError
from runner.models.base import to_data
from runner.models.run import Attempt, Run
from runner.paths import check_name, is_safe_name
from runner.workspace import Workspace

T = TypeVar("T")
ATTEMPT_FILE = re.compile(r"^attempt-(\d+)\.json$")
RESTORE = "restore it from git (`git checkout -- <file>`) or run `runner doctor`"


# A run id made by the runner: run_<YYYYMMDD>T<HHMMSS>Z_<slug>_<6 random [0-9a-z]>.
DATED_ID = re.compile(r"^run_(?P<year>\d{4})(?P<month>\d{2})\d{2}T\d{6}Z_.+(?P<x>[0-9a-z])(?P<y>[0-9a-z])$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
LAYOUTS = ("flat", "fanout")


def layout_path(run_id: str, layout: str) -> str:
    """The folder of `run_id` relative to the runs folder in `layout`. An id without the
    runner's date and suffix stays flat in either."""
    m = DATED_ID.match(run_id) if layout == "fanout" else None
    return f"{m['year']}-{m['month']}/{m['x']}/{m['y']}/{run_id}" if m else run_id


# The runs folder of a workspace, resolved and checked to be inside it once per process
# (a gate finish finds a run's folder about eight times).
_RUNS: dict[tuple[Path, str], Path] = {}


def runs_dir(ws: Workspace) -> Path:
    key = (ws.root, ws.config.runs_dir)
    found = _RUNS.get(key)
    if found is None:
        found = _RUNS[key] = ws.runs_dir
    return found


def run_dir(ws: Workspace, run_id: str) -> Path:
    """The run's folder: where it is (either layout), else where a new run goes."""
    check_name(run_id, "run id")
    runs, layout = runs_dir(ws), ws.config.runs_layout
    preferred = runs / layout_path(run_id, layout)
    if preferred.is_dir():
        return preferred
    other = runs / layout_path(run_id, LAYOUTS[layout == "flat"])
    return other if other != preferred and other.is_dir() else preferred


def find_runs(runs: str) -> list[tuple[str, str]]:
    """(run id, folder) of every folder of the runs folder `runs` that may be a run, in
    either layout, by run id: names that are valid ids (the caller checks for a RUN.json)."""
    found = []
    for name in _names(runs):
        if not is_safe_name(name):
            continue
        folder = os.path.join(runs, name)
        if not MONTH.match(name):
            found.append((name, folder))
            continue
        for x in _names(folder):
            for y in _names(os.path.join(folder, x)):
                inner = os.path.join(folder, x, y)
                found += [(run_id, os.path.join(inner, run_id)) for run_id in _names(inner)
                          if is_safe_name(run_id) and layout_path(run_id, "fanout") == f"{name}/{x}/{y}/{run_id}"]
    found.sort()
    return found


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []


def record_dir(ws: Workspace, run_id: str) -> Path:
    return run_dir(ws, run_id) / "record"


def logs_dir(ws: Workspace, run_id: str) -> Path:
    return run_dir(ws, run_id) / "logs"


def run_file(ws: Workspace, run_id: str) -> Path:
    return record_dir(ws, run_id) / "RUN.json"


def gate_dir(ws: Workspace, run_id: str, gate: str) -> Path:
    return record_dir(ws, run_id) / "gates" / check_name(gate, "gate id")


def attempt_file(ws: Workspace, run_id: str, gate: str, attempt: int) -> Path:
    return gate_dir(ws, run_id, gate) / f"attempt-{attempt}.json"


def load_model(path: Path, kind: type[T], what: str, ws: Workspace | None = None) -> T:
    """A record file decoded into its type, validated; errors name the file relative to
    the workspace when `ws` is given."""
    shown = ws.rel(path) if ws is not None else None
    return jsonio.load_typed(path, kind, what=what, error=RecordError, hint=RESTORE, yaml_suffixes=(), shown=shown)


# RUN.json as this process last wrote it: (path -> (inode, size, mtime), bytes). A run
# driven through many transactions is read from disk once; each later load decodes the
# bytes this process wrote (or read and checked for a change), as long as the file is
# still the one it wrote or read.
_TRUSTED: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


def load_run(ws: Workspace, run_id: str, for_change: bool = False) -> Run:
    """RUN.json, validated. `for_change`: the caller will change the run, so the record
    must be one the runner wrote (see provenance.py)."""
    path = run_file(ws, run_id)
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError(f"no run {run_id} in {ws.config.runs_dir}/", "see `runner run list`") from None
    trusted = _TRUSTED.get(path)
    if trusted is not None and trusted[0] == (st.st_ino, st.st_size, st.st_mtime_ns):
        return msgspec.json.decode(trusted[1], type=Run)
    raw = jsonio.read_bytes(path, what="run record")
    run = jsonio.decode_typed(raw, Path(ws.rel(path)), Run, what="run record", error=RecordError, hint=RESTORE,
                              yaml_suffixes=())
    if for_change:
        provenance.check(ws, run_id, path, raw)
        _TRUSTED[path] = ((st.st_ino, st.st_size, st.st_mtime_ns), raw)
    return run


def save_run(ws: Workspace, run: Run, durable: bool = True) -> Path:
    path = run_file(ws, run.run_id)
    payload = jsonio.dumps(to_data(run)).encode()
    provenance.mark(ws, run.run_id, payload)
    jsonio.write_atomic(path, payload, durable=durable)
    st = os.stat(path)
    _TRUSTED[path] = ((st.st_ino, st.st_size, st.st_mtime_ns), payload)
    return path


def save_new(path: Path, record: Any, durable: bool = True) -> None:
    """Write an append-only record; refuse if the file already exists."""
    try:
        jsonio.write_atomic(path, to_data(record), exclusive=True, durable=durable)
    except FileExistsError:
        raise StateError(f"{path.name} already exists in {path.parent}: records are append-only",
                         "if a command was interrupted, `runner doctor --fix` records that file") from None


def load_attempt(ws: Workspace, run_id: str, gate: str, attempt: int) -> Attempt:
    return load_model(attempt_file(ws, run_id, gate, attempt), Attempt, "attempt record", ws)


def attempt_numbers(ws: Workspace, run_id: str, gate: str) -> list[int]:
    directory = gate_dir(ws, run_id, gate)
    if not directory.is_dir():
        return []
    numbers = [int(m.group(1)) for p in directory.iterdir() if (m := ATTEMPT_FILE.match(p.name))]
    return sorted(numbers)


def list_run_ids(ws: Workspace) -> list[str]:
    # a folder whose name is not a run id is not a run (`runner doctor` reports it)
    return list(dict.fromkeys(run_id for run_id, folder in find_runs(os.fspath(ws.runs_dir))
                              if os.path.isfile(os.path.join(folder, "record", "RUN.json"))))
