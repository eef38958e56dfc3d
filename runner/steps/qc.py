"""`qc`: the runner measures a video against a QC policy and decides what happens next
(runner[media]): finalize, retry, fallback, escalate or abort.

params: `video`, `policy` (ours, or the original factory's qc_policy.v1; default: the
embedded policy), `out` (default `{artifact_path}/qc`: runner's files and, beside them,
`qc_report.v1.json` and `quality_decision.v1.json` in the original factory's formats), `sample_fps` (default 5), `retry` ({gate, params}: the stage a
retry runs again, default the policy's retry stage), `fallback` ({gate, params}),
`no_rerun` (why no stage can make the video again: a retry or fallback escalates),
`reference` (the job's hero or subject image: identity and costume are measured against it,
and their `recast_quality_report.v1.json` is written beside the other files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from runner import jsonio, records
from runner.steps.base import Produced, Ran, StepContext, StepKind
from runner.steps.render import paths

if TYPE_CHECKING:
    from runner.models.run import Route

OUTPUT_FILES = ("qc_report.json", "quality_decision.json", "user_action_required.json",
                "qc_report.v1.json", "quality_decision.v1.json",  # these two and the next: the original factory's
                "recast_quality_report.v1.json")


def produce(ctx: StepContext) -> Produced:
    from runner.media import decide, default_policy, qc, read_policy
    from runner.media.caf_qc import write_qc_files

    ws = ctx.session.ws
    video = ws.path(paths(ctx, "video"), "qc video")
    policy_rel = paths(ctx, "policy") if "policy" in ctx.params else None
    policy = read_policy(ws.path(policy_rel, "qc policy")) if policy_rel else default_policy()
    out_rel = paths(ctx, "out", "{artifact_path}/qc")
    out = ws.path(out_rel, "qc output")
    reference = ws.path(paths(ctx, "reference"), "qc reference") if "reference" in ctx.params else None
    report = qc(video, policy, float(ctx.params.get("sample_fps", 5.0)), base=ws.root, reference=reference)
    decision = decide(report, policy, ctx.retries)
    route = _route(ctx, decision)
    if route.action != decision.action:  # a retry or fallback this workflow cannot follow
        decision = _escalated(ctx, decision, report, policy, route.reason)
    write_qc_files(out, report, decision, policy, job_id=ctx.run.workflow.slug, policy_rel=policy_rel,
                   out_rel=out_rel)
    if reference is not None:
        from runner.media.quality_report import write_recast_quality
        from runner.timeutil import iso

        write_recast_quality(out, report, policy, job_id=ctx.run.workflow.slug, video_rel=paths(ctx, "video"), at=iso())
    action_file = out / "user_action_required.json"
    ran = Ran("qc", "SUCCESS" if report.passed else "FAIL", duration_s=round(sum(report.stage_seconds.values()), 3))
    if route.action == "escalate":
        route.packet = _escalation_packet(ctx, decision, ws.rel(action_file))
    failure = None if route.action == "finalize" else f"QC decided {route.action}: {decision.reason}"
    return Produced(ready=True, failure=failure, route=route, ran=ran)


def written(ctx: StepContext) -> list[str]:
    """The files a QC attempt measured and wrote (workspace-relative): the video, the
    report, the decision, and the user action when there is one."""
    ws = ctx.session.ws
    out = paths(ctx, "out", "{artifact_path}/qc")
    names = [name for name in OUTPUT_FILES if ws.path(f"{out}/{name}", "qc output").is_file()]
    measured = [paths(ctx, "video")] + ([paths(ctx, "reference")] if "reference" in ctx.params else [])
    return measured + [f"{out}/{name}" for name in names]


def _route(ctx: StepContext, decision) -> Route:
    from runner.models.run import Route

    action, reason = decision.action, decision.reason
    target, params = None, {}
    if action in ("retry", "fallback") and ctx.params.get("no_rerun"):
        # e.g. a re-cast video: nothing upstream can make it again
        return Route(action="escalate", reason=f"{reason}; {ctx.params['no_rerun']}", attempt=ctx.attempt)
    if action in ("retry", "fallback"):
        spec = ctx.params.get(action) or {}
        preset = decision.preset if action == "fallback" else None  # the policy's settings for the failure
        if action == "fallback" and not spec and preset is None:
            action, reason = "escalate", f"{reason}; no fallback is configured for {ctx.gate.gate}"
        else:
            target = spec.get("gate") or (decision.retry_stages[0] if decision.retry_stages else None)
            target = _workflow(ctx).stage_gate(target) if target else None
            params = {**(spec.get("params") or {}), **(preset.parameter_overrides if preset else {})}
            if target is None or ctx.run.gate(target) is None:
                action, reason = "escalate", f"{reason}; retry stage {target!r} is not a gate of this run"
                target, params = None, {}
    return Route(action=action, target=target, params=params, reason=reason, attempt=ctx.attempt)


def _workflow(ctx: StepContext):
    from runner import contracts

    return contracts.run_workflow(ctx.session.ws, ctx.run.workflow)


def retried_stages(ws, gate) -> list[tuple[str, str]]:
    """(where, stage) of every stage a QC gate may send a retry or fallback to: its
    params.retry/fallback gates and the retry stages of its policy's rules that can ask
    for one (repairable, retry or fallback on a failure), when the policy is a plain path
    that exists. For `contracts validate`."""
    from runner.media import read_policy

    found = [(f"params.{key}.gate", spec["gate"]) for key in ("retry", "fallback")
             if isinstance(spec := gate.params.get(key), dict) and isinstance(spec.get("gate"), str)]
    rel = gate.params.get("policy")
    if isinstance(rel, str) and "{" not in rel and ws.path(rel, "qc policy").is_file():
        policy = read_policy(ws.path(rel, "qc policy"))
        found += [(f"policy {rel} rule {r.id}", r.retry_stage) for r in policy.rules
                  if r.retry_stage and r.repairable and {r.on_fail, r.on_hard_fail, r.on_unknown} & {"retry", "fallback"}]
    return found


def _escalated(ctx: StepContext, decision, report, policy, reason: str):
    """The decision on record, turned into the escalation the run follows, with what a
    person must do (the failing rule that asked for the retry or fallback)."""
    from runner.models.qc import UserActionRequired

    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}  # as media.decide orders its culprits
    culprit = min((r for r in report.results if r.status != "PASS" and r.action == decision.action),
                  key=lambda r: rank[r.severity])
    rule = next(r for r in policy.rules if r.id == culprit.rule_id)
    side = "at least" if culprit.direction == "min" else "at most"
    need = UserActionRequired(
        reason="policy_escalation", message=reason, rule_id=culprit.rule_id, metric=culprit.metric,
        value=culprit.value, threshold=culprit.threshold, direction=culprit.direction,
        expected_artifact=rule.expected_artifact or f"a video whose {culprit.metric} is {side} {culprit.threshold:g}",
        example_fix=rule.example_fix or f"give gate {ctx.gate.gate} a params.{decision.action} "
                                        f"({{gate, params}}), or fix the input by hand",
    )
    return msgspec.structs.replace(decision, action="escalate", reason=reason, retry_stages=[],
                                   user_action_required=need)


def _escalation_packet(ctx: StepContext, decision, action_rel: str) -> str:
    ws, run, gate = ctx.session.ws, ctx.run, ctx.gate.gate
    need = decision.user_action_required
    lines = [
        f"# Escalation: {gate} attempt {ctx.attempt} of {run.run_id}",
        "",
        f"QC decided: escalate. {decision.reason}",
        f"Retries so far: {decision.retries_so_far} of {decision.max_retries}.",
        "",
    ]
    if need is not None:
        lines += [
            "## What is wrong", need.message, "",
            f"metric {need.metric} = {need.value} ({need.direction} {need.threshold})", "",
            "## What is expected", need.expected_artifact, "",
            "## Example fix", need.example_fix, "",
            f"(also in {action_rel})", "",
        ]
    lines += [
        "## How to continue",
        f"Accept the video as it is: `runner gate approve --run {run.run_id} --gate {gate} --note WHY`.",
        (f"Or fix it (e.g. `runner gate reject --run {run.run_id} --gate {gate} --patch FIX.json`), then "
         f"`runner run resume --run {run.run_id}`."),
    ]
    path = records.logs_dir(ws, run.run_id) / "gates" / gate / f"escalation-{ctx.attempt}.txt"
    jsonio.write_atomic(path, "\n".join(lines) + "\n")
    return ws.rel(path)


KIND = StepKind("qc", needs_contract=False, requires_approval=False, produce=produce,
                summary="the runner measures a video against a QC policy and routes the run", in_process=True)
