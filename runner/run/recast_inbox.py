"""The re-cast inbox: the original factory's way back for a re-cast video. A person drops
a `viggle_reingest_pointer.v1` file into the inbox folder (default `sandbox/inbox`);
`pick_up` finds, for each pointer, the run of its job (the run's slug is the job id)
whose pack waits (EXPORTED), and re-ingests the video it names (run/recast.reingest).

A pointer already picked up (the lifecycle records it) is reported again with
`new_attempt` False and nothing is recorded, so `runner recast watch` and `runner tick`
may scan the inbox as often as they like; the pointer files are never moved or changed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from runner import records
from runner.errors import ContractError, NotFoundError, RunnerError
from runner.jsonio import read_json
from runner.models.base import load as load_typed
from runner.models.recast import RecastLifecycle, ReingestPointer
from runner.run import recast
from runner.run.session import Session

DEFAULT_INBOX = "sandbox/inbox"
VERSION = "viggle_reingest_pointer.v1"


@dataclass
class PickedUp:
    pointer: str  # the pointer file, workspace-relative
    job_id: str | None
    run_id: str | None = None
    state: str | None = None  # the lifecycle's state after the pick-up
    new_attempt: bool = False  # False: nothing recorded (picked up before, or refused)
    error: str | None = None  # why the pointer was refused

    def to_dict(self) -> dict:
        return asdict(self)


def pick_up(s: Session, inbox: str | None = None) -> list[PickedUp]:
    """Every pointer of the inbox, each re-ingested once. A bad pointer is reported with
    its error, never raised: the other pointers are still picked up."""
    folder = s.ws.path(inbox or DEFAULT_INBOX, "recast inbox")
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(p for p in folder.glob("*.json") if p.is_file()):
        rel = s.ws.rel(path)
        try:
            data = read_json(path, what="re-ingest pointer", error=ContractError)
        except RunnerError as exc:
            out.append(PickedUp(rel, None, error=exc.message))
            continue
        if not isinstance(data, dict) or data.get("version") != VERSION:
            continue  # not a pointer: the inbox holds other files too
        out.append(_one(s, rel, data))
    return out


def _one(s: Session, rel: str, data: dict) -> PickedUp:
    job_id = data.get("job_id") if isinstance(data.get("job_id"), str) else None
    try:
        pointer = load_typed(ReingestPointer, data, ContractError, f"re-ingest pointer {rel}")
        run_id, life = _run_of(s, pointer.job_id, rel)
        if life.pointer == rel:
            return PickedUp(rel, job_id, run_id, life.state)
        video = s.ws.path(pointer.result_video_relpath, f"{rel}: result_video_relpath")
        done = recast.reingest(s, run_id, str(video), pointer=rel)
        return PickedUp(rel, job_id, run_id, done.lifecycle.state, done.new_attempt)
    except RunnerError as exc:
        return PickedUp(rel, job_id, error=exc.message)


def _run_of(s: Session, job_id: str, rel: str) -> tuple[str, RecastLifecycle]:
    """The run of `job_id` that picked up this pointer before, else the one whose pack waits."""
    waiting = None
    for run_id in records.list_run_ids(s.ws):
        if f"_{job_id}_" not in run_id:
            continue  # a run id names its slug (run_<time>_<slug>_<random>): the others are not read
        life = _life(s, run_id, job_id)
        if life is None:
            continue
        if life.pointer == rel:
            return run_id, life
        if life.state == "EXPORTED" and waiting is None:
            waiting = run_id, life
    if waiting is None:
        raise NotFoundError(f"{rel}: no run of job {job_id} has a re-cast pack waiting",
                            "export one first: `runner recast export --run ID`")
    return waiting


def _life(s: Session, run_id: str, job_id: str) -> RecastLifecycle | None:
    try:
        run = records.load_run(s.ws, run_id)
        if run.workflow.slug != job_id:
            return None
        gate, _qc = recast.gates(s, run)
        directory: Path = recast.pack_dir(s, run, gate)
        life = recast.read_lifecycle(directory) if (directory / "lifecycle.json").is_file() else None
        return life if life is not None and life.run_id == run_id else None
    except RunnerError:
        return None  # a run without a re-cast gate, or records this scan cannot read
