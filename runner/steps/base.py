from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import msgspec

if TYPE_CHECKING:
    from runner.models.run import Route, Run
    from runner.models.workflow import WorkflowGate
    from runner.run.session import Session


class StepContext(msgspec.Struct):
    session: Session
    run: Run
    gate: WorkflowGate
    attempt: int
    proceed: bool  # a person said the outputs are ready (Enter, or `run resume`)
    retries: int = 0  # retries this gate already asked for (its retry budget's count)

    @property
    def params(self) -> dict:
        """The gate's params, with what a route gave this attempt on top."""
        current = self.run.gate(self.gate.gate).current
        return {**self.gate.params, **(current.params if current else {})}


class Ran(msgspec.Struct):
    """What the runner ran to produce the outputs (recorded as the attempt's invocation)."""

    agent: str
    status: str  # SUCCESS or FAIL
    command: list[str] | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    stdout_log: str | None = None
    stderr_log: str | None = None


class Produced(msgspec.Struct):
    ready: bool  # False: wait for a person to produce the outputs
    failure: str | None = None  # the step itself failed (e.g. a command's exit code)
    route: Route | None = None  # where the step's decision sends the run
    ran: Ran | None = None  # recorded with the attempt, in the same commit


class StepKind(msgspec.Struct, frozen=True):
    name: str
    needs_contract: bool
    requires_approval: bool
    produce: Callable[[StepContext], Produced]
    summary: str
    in_process: bool = False  # the runner itself produces the outputs (its death abandons the attempt)
    on_demand: bool = False  # started by its own command, never by the driver; not blocking by default
