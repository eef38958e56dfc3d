"""The batch's typed documents: a manifest line (the seed planner's schema) and the two
messages that cross the wire between the coordinator and a worker: a step to run
(StepTask) and what it produced (StepResult)."""

from __future__ import annotations

from typing import Any

from runner.models.base import Record, Strict, field
from runner.models.run import Route, Run
from runner.models.workflow import WorkflowGate

TASK_NAME = "runner.batch.execute"


class ItemMeta(Strict):
    id: str
    slug: str
    artifact_path: str
    params: dict[str, Any] = field(default_factory=dict)
    line: int  # the line of the items file it came from


class ManifestLine(Strict):
    """One line of batches/<batch-id>/manifest.jsonl, in the seed planner's schema."""

    task: str
    args: list[str]  # [workflow]
    meta: ItemMeta


class StepTask(Record):
    """What a worker needs to run one gate attempt in a scratch directory."""

    attempt_id: str  # run.gate.attempt: also the Celery task id
    queue: str
    store: str
    run: Run
    gate: WorkflowGate
    attempt: int
    retries: int = 0
    inputs: dict[str, str] = field(default_factory=dict)  # workspace path -> SHA-256 in the store
    scratch: str | None = None  # where to make the scratch directory, when the worker has that folder


class StepResult(Record):
    """What a worker returns: every file the step wrote or changed (path -> SHA-256 in
    the store), what it ran and whether it failed. Never trusted: the coordinator
    fetches and hashes the bytes again."""

    attempt_id: str
    outputs: dict[str, str] = field(default_factory=dict)
    failure: str | None = None
    route: Route | None = None
    ran: dict[str, Any] | None = None  # runner.steps.base.Ran as data
    worker: str = ""
    seconds: float = 0.0
