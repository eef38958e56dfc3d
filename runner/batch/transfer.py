"""What goes to a worker and what comes back. Out: the step's inputs (runner.json, the
run's workflow, the item's artifact folder, and every workspace file or folder the
gate's command and params name) put in the artifact store. Back: every output
fetched into the workspace and hashed again here; a file whose bytes are not the ones
the worker named fails the attempt with the reason. Outputs never land in .git or in a
run's record folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import msgspec

from runner import jsonio
from runner.batch.manifest import BATCHES
from runner.batch.messages import StepResult, StepTask
from runner.batch.store import Store
from runner.errors import RunnerError
from runner.hashing import sha256_file
from runner.models.run import Run
from runner.models.workflow import WorkflowGate
from runner.paths import in_git_dir, in_run_records, run_variables, substitute, work_tree_path
from runner.steps.base import Produced, Ran
from runner.workspace import Workspace


def build_task(ws: Workspace, store: Store, run: Run, gate: WorkflowGate, attempt: int, retries: int,
               attempt_id: str, queue: str, scratch: str | None = None) -> StepTask:
    inputs: dict[str, str] = {}
    for rel in _input_paths(ws, run, gate):
        path = ws.root / rel
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        for file in files:
            inputs[ws.rel(file)] = store.put(file)
    return StepTask(attempt_id=attempt_id, queue=queue, store=store.url, run=run, gate=gate, attempt=attempt,
                    retries=retries, inputs=inputs, scratch=scratch)


def _input_paths(ws: Workspace, run: Run, gate: WorkflowGate) -> list[str]:
    wf = run.workflow
    values = run_variables(ws.root, wf.slug, wf.artifact_path, run.run_id)
    named = [*(gate.command or []), *_strings(gate.params)]
    # the config and the workflow: a step may read them (QC routes to the workflow's gates)
    found = ["runner.json", *([wf.path] if wf.path else []), *([wf.artifact_path] if wf.artifact_path else [])]
    for text in named:
        try:
            rel = substitute(text, values, strict=False)
        except RunnerError:
            continue
        if _plain_relative(rel) and (ws.root / rel).exists() and rel != ".":
            found.append(rel)
    return [p for p in dict.fromkeys(found) if (ws.root / p).exists()]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_FAILURE = 2000  # characters of a worker's failure kept in the attempt record

class WorkerOutputRefused(RunnerError):
    """A worker named an output the coordinator does not take (where, or what bytes)."""


def fetch(ws: Workspace, store: Store, data: bytes) -> tuple[StepResult, Produced]:
    """A worker's result: its outputs fetched into the workspace and hashed again, and
    what to finish the attempt with (a failure when any output's bytes do not match, or
    when the result itself is not a valid StepResult). An output is hashed before it
    replaces the file at its path, so forged bytes never overwrite a recorded one."""
    try:
        result = msgspec.json.decode(data, type=StepResult)
        ran = msgspec.convert(result.ran, Ran) if result.ran else None
    except msgspec.MsgspecError as exc:
        failure = f"the worker's result is not a valid StepResult: {exc}"
        return StepResult(attempt_id=""), Produced(ready=True, failure=failure)
    problems = []
    for rel, claimed in sorted(result.outputs.items()):
        try:
            dest = _destination(ws, rel)
            _fetch_checked(store, rel, claimed, dest)
        except RunnerError as exc:
            problems.append(exc.message if exc.message.startswith(f"{rel}: ") else f"{rel}: {exc.message}")
    for name in ("stdout_log", "stderr_log"):  # recorded as they are: workspace-relative, or not at all
        logged = getattr(ran, name) if ran else None
        if logged is not None and not _plain_relative(logged):
            problems.append(f"{name} {logged[:80]!r}: not a workspace-relative path")
            setattr(ran, name, None)
    failure = result.failure if result.failure is None or len(result.failure) <= MAX_FAILURE \
        else result.failure[:MAX_FAILURE] + "..."
    if problems:
        refused = "outputs refused: " + "; ".join(problems)
        failure = refused + (f"; {failure}" if failure else "")
    return result, Produced(ready=True, failure=failure, route=result.route, ran=ran)


def _plain_relative(rel: str) -> bool:
    return bool(rel) and "\0" not in rel and not os.path.isabs(rel) and ".." not in Path(rel).parts \
        and not in_git_dir(rel)


def _destination(ws: Workspace, rel: str) -> Path:
    """Where an output lands: inside the work tree, never in .git, a run's record folder
    or the batches' manifests, as written and once links are followed."""
    dest = work_tree_path(ws.root, rel, what="worker output")
    real = os.path.relpath(os.path.realpath(dest), os.path.realpath(ws.root))
    for shown in (os.path.normpath(rel), real):
        if in_git_dir(shown) or in_run_records(shown, ws.config.runs_dir) or Path(shown).parts[:1] == (BATCHES,):
            raise WorkerOutputRefused(f"{rel}: a worker may not write there")
    return dest


def _fetch_checked(store: Store, rel: str, claimed: str, dest: Path) -> None:
    if not SHA256.match(claimed):
        raise WorkerOutputRefused(f"{rel}: {claimed[:80]!r} is not a SHA-256")
    staged = jsonio.temp_path(dest)
    try:
        store.fetch(claimed, staged)
        actual = sha256_file(staged)
        if actual != claimed:
            raise WorkerOutputRefused(f"{rel}: its bytes hash to {actual[:12]}, the worker said {claimed[:12]}")
        os.replace(staged, dest)
    except OSError as exc:  # a folder at that path, a full disk: the output is refused, not the batch
        raise WorkerOutputRefused(f"{rel}: cannot be written there ({exc.strerror or exc})") from None
    finally:
        staged.unlink(missing_ok=True)


def checked_route(run: Run, produced: Produced) -> Produced:
    """A worker's route, refused (the attempt fails with the reason) when it names a gate
    the run does not have or a packet outside the work tree: recorded as it is, it would
    stop the batch at this attempt."""
    route = produced.route
    if route is None:
        return produced
    wrong = None
    if route.target is not None and run.gate(route.target) is None:
        wrong = f"the worker's route names gate {route.target[:80]!r}, which is not in run {run.run_id}"
    elif route.packet is not None and not _plain_relative(route.packet):
        wrong = f"the worker's route names packet {route.packet[:80]!r}, not a workspace-relative path"
    if wrong is None:
        return produced
    failure = wrong + (f"; {produced.failure}" if produced.failure else "")
    return Produced(ready=True, failure=failure, route=None, ran=produced.ran)
