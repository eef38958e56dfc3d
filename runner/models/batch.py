"""runner.json's `batch` settings: the artifact store, the broker, the capability
queues and how they spill (the manifest and the wire messages: runner/batch/messages.py)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from runner.models.base import Strict, field


class QueueSpec(Strict):
    """One capability queue. `spill_to`: the queue that takes the overflow once this
    queue's true backlog (queued plus in flight) is above `spill_above`; `rate_per_s`
    and `burst`: a token bucket (in Redis) limiting what this queue accepts as a spill
    target."""

    spill_to: str | None = None
    spill_above: Annotated[int, msgspec.Meta(ge=0)] | None = None
    rate_per_s: Annotated[float, msgspec.Meta(gt=0)] | None = None
    burst: Annotated[int, msgspec.Meta(ge=1)] = 1


def _default_queues() -> dict[str, QueueSpec]:
    return {"command": QueueSpec(), "render": QueueSpec(), "qc": QueueSpec()}


def _default_kinds() -> dict[str, str]:
    return {"command": "command", "agent": "command", "render": "render", "qc": "qc"}


class BatchConfig(Strict):
    """runner.json `batch`: where workers put outputs, the broker, the queues and routing."""

    store: str = ".runner/store"  # a directory (relative to the workspace, or absolute) or an fsspec URL
    scratch: str | None = None  # where workers make a step's scratch directory (e.g. a tmpfs); None: TMPDIR
    broker: str | None = None  # default for --broker
    visibility_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 7200
    max_tasks_per_child: Annotated[int, msgspec.Meta(ge=1)] = 50
    # No result for this long while steps are in flight: dispatch stops (exit 4) instead of
    # waiting forever (workers gone, or deaf after a broker restart). None: 3 x the visibility timeout.
    stall_after_s: Annotated[float, msgspec.Meta(gt=0)] | None = None
    queues: dict[str, QueueSpec] = field(default_factory=_default_queues)
    kinds: dict[str, str] = field(default_factory=_default_kinds)  # step kind -> queue
