"""`human`: someone must approve or reject. Outputs (if the gate has a contract) are
checked first; then the gate waits for a decision."""

from runner.steps.base import Produced, StepContext, StepKind


def produce(ctx: StepContext) -> Produced:
    return Produced(ready=True)


KIND = StepKind("human", needs_contract=False, requires_approval=True, produce=produce,
                summary="a person approves or rejects (with an optional patch)")
