"""What crosses the console's wire that is not already a record type: request bodies,
problem documents (RFC 9457), the session, and the views the page reads. The records
themselves (Run, Attempt, Decision, GateState) are returned as they are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from runner.models.base import Strict, field
from runner.models.decision import Decision
from runner.models.run import Attempt, Run
from runner.run.decisions import Waiting
from runner.run.listing import RunSummary

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=10_000)]


class Problem(msgspec.Struct, kw_only=True):
    """An error, as RFC 9457 describes it, with the CLI's one-line message and hint."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    hint: str | None = None


class Conflict(Problem, kw_only=True):
    """409: the gate was decided by someone else first; `decision` is the winner's."""

    decision: Decision | None = None


class DecisionIn(Strict):
    """A decision: the gate, a note, and a patch (JSON Patch list or a typed patch)."""

    gate: Name
    note: Note | None = None
    patch: Any = None
    target: Name | None = None  # the output a JSON Patch applies to, when the gate has several
    # the attempt the person looked at: 409 when another one waits now
    attempt: Annotated[int, msgspec.Meta(ge=1)] | None = None


class PatchIn(Strict):
    patch: Any
    target: Name | None = None
    note: Note | None = None


class ResumeIn(Strict):
    ready: bool = False  # the failed gate's outputs are already fixed


class LoginIn(Strict):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SessionOut(Strict):
    name: str
    role: Literal["viewer", "decider"]
    csrf: str  # send it back as the X-CSRF-Token header with every change the page asks for


class InboxItem(Waiting):
    """A gate waiting for a person (as `runner inbox` lists it), and who may decide it."""

    deciders: list[str] = field(default_factory=list)  # the people holding a decider token


class RunView(Strict):
    """A run with every attempt and decision it lists, for the run page."""

    run: Run
    attempts: list[Attempt] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


class RunPage(Strict):
    items: list[RunSummary]
    next_cursor: str | None = None  # pass as `cursor` for the next page


class ResumeOut(Strict):
    kind: str  # done | paused | failed
    run_id: str
    status: str
    gate: str | None = None
    attempt: int | None = None
    waiting_for: str | None = None
    message: str = ""
