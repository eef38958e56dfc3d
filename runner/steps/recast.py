"""`recast`: the external re-cast handoff (see runner/run/recast.py). The driver never
starts it: `runner recast export` does, and `runner recast reingest` finishes it."""

from runner.steps.base import Produced, StepContext, StepKind


def produce(ctx: StepContext) -> Produced:
    return Produced(ready=False)  # only `runner recast reingest` brings the video back


KIND = StepKind("recast", needs_contract=False, requires_approval=False, produce=produce,
                summary="a pack for a re-cast tool outside the factory, and the video brought back",
                on_demand=True)
