"""`agent`: an AI or a person produces the outputs from the prompt packet; the driver
waits until someone says they are ready."""

from runner.steps.base import Produced, StepContext, StepKind


def produce(ctx: StepContext) -> Produced:
    return Produced(ready=ctx.proceed)


KIND = StepKind("agent", needs_contract=True, requires_approval=False, produce=produce,
                summary="an agent or person writes the outputs from the prompt packet")
