"""`render`: the runner renders a job file with ffmpeg (runner[media]).

params: `job` (a *.job.json path; path variables allowed), `out` (the output folder,
default `{artifact_path}/render`). A route may give the next attempt another `job`."""

from __future__ import annotations

import time

from runner.errors import ContractError, RunnerError, ToolMissing
from runner.paths import run_variables, substitute
from runner.steps.base import Produced, Ran, StepContext, StepKind


def paths(ctx: StepContext, key: str, default: str | None = None) -> str:
    run = ctx.run
    value = ctx.params.get(key, default)
    if value is None:
        raise ContractError(f"workflow gate {ctx.gate.gate}: kind {ctx.gate.kind} needs params.{key}")
    values = run_variables(ctx.session.ws.root, run.workflow.slug, run.workflow.artifact_path, run.run_id)
    return substitute(str(value), values, where=f"gate {ctx.gate.gate} params.{key}: ")


def produce(ctx: StepContext) -> Produced:
    from runner.media import load_job, render

    ws = ctx.session.ws
    job_rel = paths(ctx, "job")
    out_rel = paths(ctx, "out", "{artifact_path}/render")
    job = load_job(ws.path(job_rel, "render job"))
    started = time.monotonic()
    try:
        result = render(job, ws.root, ws.path(out_rel, "render output"))
    except (ContractError, ToolMissing):
        raise
    except RunnerError as exc:  # ffmpeg itself failed: the attempt fails, on the record
        return Produced(ready=True, failure=f"render failed: {exc.message}",
                        ran=Ran("ffmpeg", "FAIL", duration_s=round(time.monotonic() - started, 3)))
    return Produced(ready=True, ran=Ran("ffmpeg", "SUCCESS", command=result.argv,
                                        duration_s=round(time.monotonic() - started, 3)))


KIND = StepKind("render", needs_contract=False, requires_approval=False, produce=produce,
                summary="the runner renders a job file with ffmpeg", in_process=True)
