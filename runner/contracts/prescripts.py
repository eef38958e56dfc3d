"""A contract's `pre_scripts`, run as the original runner ran them: before the outputs
are hashed and checked, each script in turn, as an argv (never a shell) in the
workspace root, with the run's path variables substituted in its arguments. A script
of Node (.js, .mjs, .cjs) runs under `node`, Python under `python3`, shell under `sh`;
any other path is run itself.

Each result is recorded in the attempt beside the checks, as a validation of type
`pre_script` whose index is -1 for the first script, -2 for the second, ... (the checks
keep their positions in `validations[]`). A script that exits non-zero, runs past its
time or does not exist FAILs, and so does the gate. Offline (`--offline`, and `runner
verify` when it evaluates an attempt again) nothing runs: each is SKIPPED."""

from __future__ import annotations

import posixpath
import time
from pathlib import Path

from runner import proc
from runner.errors import RunnerError, ToolMissing
from runner.models.contract import PreScript
from runner.models.run import ValidationResult
from runner.paths import Variables, inside, substitute

INTERPRETERS = {".js": "node", ".mjs": "node", ".cjs": "node", ".py": "python3", ".sh": "sh"}
TYPE = "pre_script"
EXCERPT = 2000  # the last characters of a script's stdout and stderr kept in the record


def argv_of(script: PreScript, values: Variables, where: str = "") -> list[str]:
    """The argv a pre-script runs as (its path workspace-relative, the cwd being the root)."""
    path = substitute(script.path, values, where=where)
    args = [substitute(a, values, where=where) for a in script.args]
    interpreter = INTERPRETERS.get(posixpath.splitext(path)[1].lower())
    return [interpreter, path, *args] if interpreter else [f"./{path}" if "/" not in path else path, *args]


def run_pre_scripts(root: Path, scripts: list[PreScript], values: Variables, *, offline: bool,
                    timeout_s: float, where: str = "") -> list[ValidationResult]:
    results = []
    for i, script in enumerate(scripts):
        field = f"{where}pre_scripts[{i}]: "
        argv = argv_of(script, values, field)
        rel = substitute(script.path, values, where=field)
        result = ValidationResult(index=-(i + 1), type=TYPE, status="SKIPPED", target=rel,
                                  message="not run (--offline)", details={"argv": argv})
        if not offline:
            _run(root, rel, argv, timeout_s, result)
        results.append(result)
    return results


def _run(root: Path, rel: str, argv: list[str], timeout_s: float, result: ValidationResult) -> None:
    if not inside(root, rel, what="pre-script").is_file():
        result.status, result.message = "FAIL", f"pre-script {rel} does not exist"
        return
    started = time.monotonic()
    try:
        done = proc.run(argv, cwd=root, env=proc.clean_env(), timeout=timeout_s)
    except ToolMissing:
        raise
    except RunnerError:
        result.status, result.message = "FAIL", f"pre-script {rel} did not finish within {timeout_s:g} s"
        return
    duration = round(time.monotonic() - started, 3)
    out = done.stdout.decode("utf-8", "replace")[-EXCERPT:]
    err = done.stderr.decode("utf-8", "replace")[-EXCERPT:]
    result.details.update(exit_code=done.returncode, duration_s=duration, stdout=out, stderr=err)
    if done.returncode == 0:
        result.status, result.message = "PASS", f"pre-script {rel} exited 0 ({duration:g} s)"
    else:
        last = err.strip().splitlines()[-1:] or out.strip().splitlines()[-1:] or [""]
        result.status = "FAIL"
        result.message = f"pre-script {rel} exited {done.returncode}" + (f": {last[0][:200]}" if last[0] else "")
