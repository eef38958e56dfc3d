"""`command`: the runner runs an argv list itself (no shell) with a timeout; exit code,
duration and log paths are recorded as the attempt's invocation."""

from __future__ import annotations

from runner import proc, records
from runner.errors import ContractError
from runner.paths import run_variables, substitute
from runner.steps.base import Produced, Ran, StepContext, StepKind

DEFAULT_TIMEOUT_S = 3600.0


def produce(ctx: StepContext) -> Produced:
    s, run, gate = ctx.session, ctx.run, ctx.gate
    if not gate.command:
        raise ContractError(f"workflow gate {gate.gate}: kind command needs a `command` (an argv list)")
    values = run_variables(s.ws.root, run.workflow.slug, run.workflow.artifact_path, run.run_id)
    argv = [substitute(arg, values, where=f"gate {gate.gate} command: ") for arg in gate.command]
    logs = records.logs_dir(s.ws, run.run_id) / "gates" / gate.gate
    out, err = logs / f"command-{ctx.attempt}.stdout.log", logs / f"command-{ctx.attempt}.stderr.log"
    result = proc.run_logged(argv, cwd=s.ws.root, stdout_log=out, stderr_log=err,
                             timeout=gate.timeout_s or DEFAULT_TIMEOUT_S, env=proc.clean_env())
    failure = None
    if result.timed_out:
        failure = f"command timed out after {gate.timeout_s or DEFAULT_TIMEOUT_S:g} s"
    elif result.exit_code != 0:
        failure = f"command exited {result.exit_code} (see {s.ws.rel(err)})"
    ran = Ran(gate.agent or argv[0], "FAIL" if failure else "SUCCESS", command=argv, exit_code=result.exit_code,
              duration_s=result.duration_s, stdout_log=s.ws.rel(out), stderr_log=s.ws.rel(err))
    return Produced(ready=True, failure=failure, ran=ran)


KIND = StepKind("command", needs_contract=False, requires_approval=False, produce=produce,
                summary="the runner runs an argv list (no shell) with a timeout", in_process=True)
