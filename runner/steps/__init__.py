"""Step kinds: what a gate of each kind does when the workflow driver reaches it.

A kind's `produce(ctx) -> Produced` makes (or waits for) the gate's outputs; the
driver then finishes the attempt (checks, hashes, record). Kinds are a registry read like a dict."""

from __future__ import annotations

from typing import Mapping

from runner.registry import LazyRegistry
from runner.steps.base import Produced, StepContext, StepKind  # noqa: F401

# kind -> its StepKind (the KIND of the module of that name, imported on first look-up)
STEP_KINDS: Mapping[str, StepKind] = LazyRegistry(
    {kind: (f"{__name__}.{kind}", "KIND") for kind in ("agent", "human", "command", "render", "qc", "recast")},
    "STEP_KINDS")
