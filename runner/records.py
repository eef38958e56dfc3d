"""The run directory layout, and load (validated) / save (canonical, atomic) of records.

    <runs_dir>/<run-id>/record/RUN.json                      committed, the one mutable summary
    <runs_dir>/<run-id>/record/gates/<GATE>/attempt-<n>.json  committed, append-only
    <runs_dir>/<run-id>/record/gates/<GATE>/decision-<n>.json committed, append-only
    <runs_dir>/<run-id>/logs/...                              git-ignored (prompt packets, stdout/stderr)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import jsonio, validcache
from .errors import NotFoundError, RecordError, StateError
from .paths import check_name, is_safe_name
from .workspace import Workspace

if TYPE_CHECKING:  # the models (pydantic) are imported where a record is validated
    from pydantic import BaseModel

    from .models.run import Attempt, Run

M = TypeVar("M", bound="BaseModel")
ATTEMPT_FILE = re.compile(r"^attempt-(\d+)\.json$")


def run_dir(ws: Workspace, run_id: str) -> Path:
    return ws.runs_dir / check_name(run_id, "run id")


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


def load_model(path: Path, model: type[M], what: str) -> M:
    return validate(jsonio.read_json(path, what=what), model, what, path)


def validate(data: Any, model: type[M], what: str, path: Path) -> M:
    from .models.base import validated

    return validated(model, data, RecordError, f"{what} {path} is malformed",
                     "restore it from git (`git checkout -- <file>`) or run `runner doctor`")


def load_run(ws: Workspace, run_id: str) -> Run:
    from .models.run import Run

    validated: list[Run] = []
    data = _load_run(ws, run_id, validated)
    return validated[0] if validated else validate(data, Run, "run record", run_file(ws, run_id))


def load_run_data(ws: Workspace, run_id: str) -> dict:
    """RUN.json as a plain dict, validated (by the model, once per content: see validcache)."""
    return _load_run(ws, run_id, [])


def _load_run(ws: Workspace, run_id: str, validated: list) -> dict:
    path = run_file(ws, run_id)
    if not path.exists():
        raise NotFoundError(f"no run {run_id} in {ws.config.runs_dir}/", "see `runner run list`")

    def check(raw: Any) -> dict:
        from .models.base import dump
        from .models.run import Run

        validated.append(validate(raw, Run, "run record", path))
        return dump(validated[0])

    return validcache.load_run(ws.git_dir, path, run_id, check)


def as_data(record: Any) -> dict:
    """A record as a plain dict: a model is dumped, a dict is taken as it is."""
    if isinstance(record, dict):
        return record
    from .models.base import dump

    return dump(record)


def save_run(ws: Workspace, run: Run | dict) -> Path:
    data = as_data(run)
    path = run_file(ws, data["run_id"])
    payload = jsonio.dumps(data).encode()
    jsonio.write_atomic(path, payload)
    validcache.mark_run(ws.git_dir, data["run_id"], payload)
    return path


def save_new(path: Path, record: BaseModel | dict) -> None:
    """Write an append-only record; refuse if the file already exists."""
    try:
        jsonio.write_atomic(path, as_data(record), exclusive=True)
    except FileExistsError:
        raise StateError(f"{path.name} already exists in {path.parent}: records are append-only",
                         "if a command was interrupted, `runner doctor --fix` records that file") from None


def load_attempt(ws: Workspace, run_id: str, gate: str, attempt: int) -> Attempt:
    from .models.run import Attempt

    return load_model(attempt_file(ws, run_id, gate, attempt), Attempt, "attempt record")


def attempt_numbers(ws: Workspace, run_id: str, gate: str) -> list[int]:
    directory = gate_dir(ws, run_id, gate)
    if not directory.is_dir():
        return []
    numbers = [int(m.group(1)) for p in directory.iterdir() if (m := ATTEMPT_FILE.match(p.name))]
    return sorted(numbers)


def list_run_ids(ws: Workspace) -> list[str]:
    runs = ws.runs_dir
    if not runs.is_dir():
        return []
    # a folder whose name is not a run id is not a run (`runner doctor` reports it)
    return sorted(p.name for p in runs.iterdir() if is_safe_name(p.name) and (p / "record" / "RUN.json").is_file())
