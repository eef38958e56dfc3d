"""The console's changes, under the seed's names (job = run, stage = gate): approve,
reject, resume, apply a patch, and the patch types. Each is one call to the front door
as the token's person, so a decision here is the same commit, with the same trailers, as
`runner gate approve --actor "<person>"`. Two deciders at once: the lock orders them,
the second is refused and gets the winner's decision (409)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from runner.console.access import console_of, decider, viewer, who
from runner.console.problems import MEDIA_TYPE
from runner.console.reading import NOT_FOUND
from runner.console.types import Conflict, DecisionIn, PatchIn, Problem, ResumeIn, ResumeOut
from runner.errors import StateError
from runner.models.decision import Decision
from runner.models.run import Attempt
from runner.patches.catalog import PatchType
from runner.paths import check_name
from runner.run.decisions import AnotherAttempt


def _problem(kind: type, description: str) -> ResponseSpec:
    return ResponseSpec(kind, generate_examples=False, description=description, media_type=MEDIA_TYPE)


DECIDE_RESPONSES = {**NOT_FOUND, 400: _problem(Problem, "a bad request or patch"),
                    403: _problem(Problem, "a viewer token, or no CSRF token"),
                    409: _problem(Conflict, "already decided: the winner's decision")}


def _decide(request: Request, job_id: str, verdict: str, data: DecisionIn) -> Response:
    check_name(job_id, "run id")
    console = console_of(request)
    repo = console.repo(actor=who(request).name)
    try:
        decision = repo.decide(job_id, data.gate, verdict, note=data.note, patch=data.patch, target=data.target,
                               attempt=data.attempt)
    except AnotherAttempt as exc:
        return Response(Conflict(title="Conflict", status=409, detail=exc.message, hint=exc.hint), status_code=409,
                        media_type=MEDIA_TYPE)
    except StateError as exc:
        winner = _winner(repo, job_id, data.gate)
        if winner is None:
            raise
        detail = (f"gate {winner.gate} attempt {winner.attempt} was already decided: "
                  f"{winner.verdict} by {winner.by.name}")
        if "already decided" not in exc.message:  # e.g. the run is closed: say so, as the hint does
            detail += f"; {exc.message}"
        return Response(Conflict(title="Conflict", status=409, detail=detail, hint=exc.hint, decision=winner),
                        status_code=409, media_type=MEDIA_TYPE)
    console.wake()  # the run may go on now: the live loop ticks soon
    return Response(decision, status_code=200)


def _winner(repo, job_id: str, gate: str) -> Decision | None:
    """The decision that came first: the gate's last one (an approval with a patch is
    followed by the patched outputs' attempt, so it need not be on the last attempt)."""
    state = repo.run(job_id).gate(gate)
    if state is None or not state.decisions:
        return None
    return repo.decision(job_id, gate, state.decisions[-1].decision)


@post("/jobs/{job_id:str}/approve", guards=[decider], responses=DECIDE_RESPONSES, sync_to_thread=True,
      summary="Approve the attempt of a gate that waits for a decision (optionally with a patch)")
def approve(request: Request, job_id: FromPath[str], data: JSONBody[DecisionIn]) -> Response[Decision]:
    return _decide(request, job_id, "approve", data)


@post("/jobs/{job_id:str}/reject", guards=[decider], responses=DECIDE_RESPONSES, sync_to_thread=True,
      summary="Reject the attempt of a gate that waits for a decision (a patch is applied on resume)")
def reject(request: Request, job_id: FromPath[str], data: JSONBody[DecisionIn]) -> Response[Decision]:
    return _decide(request, job_id, "reject", data)


@post("/jobs/{job_id:str}/resume", guards=[decider], responses=DECIDE_RESPONSES, sync_to_thread=True, status_code=200,
      summary="Continue a run where it stopped, applying a rejected attempt's patch first")
def resume(request: Request, job_id: FromPath[str], data: JSONBody[ResumeIn]) -> ResumeOut:
    check_name(job_id, "run id")
    outcome = console_of(request).repo(actor=who(request).name).resume(job_id, data.ready)
    return ResumeOut(kind=outcome.kind, run_id=outcome.run_id, status=outcome.status, gate=outcome.gate,
                     attempt=outcome.attempt, waiting_for=outcome.waiting_for, message=outcome.message)


@post("/jobs/{job_id:str}/patches/{stage:str}/apply", guards=[decider], responses=DECIDE_RESPONSES,
      sync_to_thread=True, status_code=200, summary="Apply a patch to a gate's outputs, as its own attempt")
def apply_patch(request: Request, job_id: FromPath[str], stage: FromPath[str], data: JSONBody[PatchIn]) -> Attempt:
    check_name(job_id, "run id")
    attempt = console_of(request).repo(actor=who(request).name).apply_patch(job_id, stage, data.patch,
                                                                           target=data.target, note=data.note)
    console_of(request).wake()
    return attempt


@get("/patches/types", sync_to_thread=True, guards=[viewer], summary="Every patch type, with a worked example")
def patch_types(request: Request) -> list[PatchType]:
    return console_of(request).repo().patch_types()


ROUTES = [approve, reject, resume, apply_patch, patch_types]
