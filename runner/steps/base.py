from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..models.run import Run
from ..models.workflow import WorkflowGate
from ..session import Session


@dataclass
class StepContext:
    session: Session
    run: Run
    gate: WorkflowGate
    attempt: int
    proceed: bool  # a person said the outputs are ready (Enter, or `run resume`)


@dataclass
class Produced:
    ready: bool  # False: wait for a person to produce the outputs
    failure: str | None = None  # the step itself failed (e.g. a command's exit code)


@dataclass(frozen=True)
class StepKind:
    name: str
    needs_contract: bool
    requires_approval: bool
    produce: Callable[[StepContext], Produced]
    summary: str
    in_process: bool = False  # the runner itself produces the outputs (its death abandons the attempt)
