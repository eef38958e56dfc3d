"""Step kinds: what a gate of each kind does when the workflow driver reaches it.

A kind's `produce(ctx) -> Produced` makes (or waits for) the gate's outputs; the
driver then finishes the attempt (checks, hashes, record). Kinds are a literal dict."""

from __future__ import annotations

from .base import Produced, StepContext, StepKind  # noqa: F401
from . import agent, command, human, qc, recast, render

STEP_KINDS: dict[str, StepKind] = {
    "agent": agent.KIND,
    "human": human.KIND,
    "command": command.KIND,
    "render": render.KIND,
    "qc": qc.KIND,
    "recast": recast.KIND,
}
