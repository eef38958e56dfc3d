"""The console's reads: the inbox, runs (filtered, paged), one run with its attempts and
decisions, a recorded output's bytes, and the seed's gate views (job = run, stage = gate).
Each is one call to the front door, rendered."""

from __future__ import annotations

import mimetypes
import os
from typing import Annotated

from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import File

from runner.console.access import console_of, viewer
from runner.console.types import InboxItem, Problem, RunPage, RunView
from runner.errors import NotFoundError, RunnerError
from runner.models.decision import Decision
from runner.models.run import GateState, RunStatus
from runner.paths import check_name, work_tree_path

NOT_FOUND = {404: ResponseSpec(Problem, generate_examples=False, media_type="application/problem+json",
                               description="no such run, gate or recorded output")}
Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="at most this many runs")]
Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]


def _run(request: Request, run_id: str):
    check_name(run_id, "run id")
    return console_of(request).repo().run(run_id)


@get("/inbox", sync_to_thread=True, summary="Every gate waiting for a person: age, time left, who may decide")
def inbox(request: Request) -> list[InboxItem]:
    return console_of(request).inbox()


@get("/runs", sync_to_thread=True, summary="Runs, oldest first, filtered and paged")
def runs(request: Request, status: FromQuery[RunStatus | None] = None, workflow: FromQuery[str | None] = None,
         limit: Limit = 100, cursor: Cursor = None) -> RunPage:
    found = console_of(request).repo().runs(status)
    if workflow:
        found = [r for r in found if r.workflow == workflow]
    start = 0
    if cursor:
        ids = [r.run_id for r in found]
        start = ids.index(cursor) + 1 if cursor in ids else next(
            (i for i, r in enumerate(found) if r.run_id > cursor), len(found))
    page = found[start:start + limit]
    more = start + limit < len(found)
    return RunPage(items=page, next_cursor=page[-1].run_id if more and page else None)


@get("/runs/{run_id:str}", sync_to_thread=True, responses=NOT_FOUND, summary="A run with every attempt and decision it lists")
def run_view(request: Request, run_id: FromPath[str]) -> RunView:
    repo = console_of(request).repo()
    run = _run(request, run_id)
    attempts = [repo.attempt(run_id, g.gate, a.attempt) for g in run.gates for a in g.attempts]
    decisions = [repo.decision(run_id, g.gate, d.decision) for g in run.gates for d in g.decisions]
    return RunView(run=run, attempts=attempts, decisions=decisions)


@get("/runs/{run_id:str}/artifacts/{path:path}", sync_to_thread=True, responses=NOT_FOUND, media_type="application/octet-stream",
     summary="The bytes of a recorded output (only paths the run's records list)")
def artifact(request: Request, run_id: FromPath[str], path: FromPath[str]) -> File:
    console = console_of(request)
    run = _run(request, run_id)
    rel = path.lstrip("/")
    entry = next((e for e in run.artifacts_index if e.path == rel), None)
    if entry is None:
        raise NotFoundError(f"{rel!r} is not a recorded output of run {run_id}", "the run page lists its outputs")
    try:
        real = work_tree_path(console.root, rel, what="recorded output")  # inside, not in .git, links followed
    except (RunnerError, ValueError):  # outside, in .git, or not a path (a NUL byte)
        real = None
    if real is None or not real.is_file():
        raise NotFoundError(f"recorded output {rel!r} is not a file in the workspace now", "see `runner verify`")
    media = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    if media.startswith("text/") or rel.endswith((".md", ".json", ".yaml", ".yml", ".txt", ".csv")):
        media = "text/plain"  # shown as text, never run as a page of this site (Litestar adds the charset)
    return File(real, media_type=media, content_disposition_type="inline", filename=os.path.basename(rel),
                headers={"X-Recorded-Sha256": entry.sha256 or "", "X-Content-Type-Options": "nosniff",
                         "Content-Security-Policy": "sandbox"})


@get("/jobs/{job_id:str}/gates/status", sync_to_thread=True, responses=NOT_FOUND, summary="Every gate of a run (job) and its status")
def gates_status(request: Request, job_id: FromPath[str]) -> list[GateState]:
    return _run(request, job_id).gates


@get("/jobs/{job_id:str}/gates/decisions", sync_to_thread=True, responses=NOT_FOUND, summary="Every decision of a run (job)")
def gate_decisions(request: Request, job_id: FromPath[str]) -> list[Decision]:
    repo = console_of(request).repo()
    run = _run(request, job_id)
    return [repo.decision(job_id, g.gate, d.decision) for g in run.gates for d in g.decisions]


@get("/jobs/{job_id:str}/gates/{stage:str}/decision", sync_to_thread=True, responses=NOT_FOUND,
     summary="The last decision on a gate (stage)")
def gate_decision(request: Request, job_id: FromPath[str], stage: FromPath[str]) -> Decision:
    run = _run(request, job_id)
    state = run.gate(stage)
    if state is None:
        raise NotFoundError(f"run {job_id} has no gate {stage!r}", f"gates: {', '.join(g.gate for g in run.gates)}")
    if not state.decisions:
        raise NotFoundError(f"gate {stage} of run {job_id} has no decision yet", "GET /api/v1/inbox lists the waiting gates")
    return console_of(request).repo().decision(job_id, stage, state.decisions[-1].decision)


ROUTES = [inbox, runs, run_view, artifact, gates_status, gate_decisions, gate_decision]
GUARDS = [viewer]
