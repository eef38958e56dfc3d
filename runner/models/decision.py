"""A person's (or a timer's) decision on a gate attempt: record/gates/<G>/decision-<n>.json."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from runner.models.base import Record, field
from runner.models.patch import PatchedFile
from runner.models.run import Actor

__all__ = ["Decision", "PatchedFile"]


class Decision(Record):
    run_id: str
    gate: str
    decision: Annotated[int, msgspec.Meta(ge=1)]  # the n of decision-<n>.json
    attempt: int  # the attempt decided
    verdict: Literal["approve", "reject"]
    by: Actor  # a person's git identity or --by; "timer" only for a timed-out gate
    at: str
    note: str | None = None
    automatic: bool = False  # made by the runner (timer or auto_approve), not a person
    timed_out: bool = False
    deadline: str | None = None
    patch: Any = None  # as given (typed patch dict, or {"type": "json_patch", "operations": [...]})
    patched_files: list[PatchedFile] = field(default_factory=list)
    runner_version: str


SCHEMA_MODELS = {"decision": Decision}
