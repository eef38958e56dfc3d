"""What a worker does with one step (a local pool process or a Celery worker): it never
touches git and never writes records. It fetches the step's inputs from the artifact
store into a scratch directory, runs the gate's step kind there (the same `produce`
the single-run driver calls, against a workspace rooted in the scratch directory),
puts every file the step wrote or changed into the store, and records the result
under the attempt's id, once. A task whose attempt already has a result (a redelivery,
a duplicate) is dropped without running."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import msgspec

from runner.batch.messages import StepResult, StepTask
from runner.batch.store import Store
from runner.errors import RunnerError
from runner.hashing import LINK, dir_manifest
from runner.models.base import to_data
from runner.models.run import Actor
from runner.models.workflow import Config
from runner.paths import inside
from runner.run.session import Session
from runner.steps import STEP_KINDS
from runner.steps.base import Produced, StepContext
from runner.workspace import CONFIG_FILE, Workspace, load_config

DROPPED = "dropped"


def step_kind(kind: str, has_command: bool) -> str:
    """The kind a worker runs: an agent gate that names a command runs it."""
    return "command" if kind == "agent" and has_command else kind


def execute(task_data: dict) -> dict:
    """Run one step; its result as data (`{"dropped": attempt_id}` for a redelivery)."""
    task = msgspec.convert(task_data, StepTask)
    store = Store(task.store)
    if store.has_result(task.attempt_id):
        return {DROPPED: task.attempt_id}
    started = time.monotonic()
    try:
        outputs, produced = _in_scratch(task, store)
    except (RunnerError, OSError) as exc:  # inputs that cannot be fetched: the attempt fails, with the reason
        outputs, produced = {}, Produced(ready=True, failure=f"the worker could not prepare the step: {exc}")
    result = StepResult(attempt_id=task.attempt_id, outputs=outputs, failure=produced.failure, route=produced.route,
                        ran=msgspec.to_builtins(produced.ran) if produced.ran else None,
                        worker=f"{os.uname().nodename}:{os.getpid()}", seconds=round(time.monotonic() - started, 3))
    data = to_data(result)
    store.put_result(task.attempt_id, msgspec.json.encode(data))
    return data


def _in_scratch(task: StepTask, store: Store) -> tuple[dict[str, str], Produced]:
    base = task.scratch if task.scratch and os.path.isdir(task.scratch) else None  # else TMPDIR
    with tempfile.TemporaryDirectory(prefix="runner-step-", dir=base) as scratch:
        root = Path(scratch)
        for rel, sha in task.inputs.items():
            store.fetch(sha, inside(root, rel, what="input"))
        produced = _produce(task, root)
        outputs = {rel: store.put(root / rel) for rel, digest in dir_manifest(root)
                   if not digest.startswith(LINK) and task.inputs.get(rel) != digest}
    return outputs, produced


def _produce(task: StepTask, root: Path) -> Produced:
    config = load_config(root) if (root / CONFIG_FILE).is_file() else Config()
    session = Session(Workspace(root, config), Actor(name=f"worker {os.uname().nodename}"), commit=False)
    kind = step_kind(task.gate.kind, bool(task.gate.command))
    ctx = StepContext(session, task.run, task.gate, task.attempt, proceed=True, retries=task.retries)
    try:
        return STEP_KINDS[kind].produce(ctx)
    except RunnerError as exc:  # the step could not run here: the attempt fails, with the reason
        return Produced(ready=True, failure=f"{kind} step failed on the worker: {exc.message}")
