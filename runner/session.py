"""What every state-changing operation shares: who acts, the workspace lock, the
files written, the events appended (a hash chain), and the one commit at the end."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from . import __version__, git, locking, records
from .errors import UsageError, WorkspaceError
from .gates import ProgressFactory
from .hashing import sha256_bytes
from .jsonio import canonical_bytes
from .models.base import dump
from .models.run import Actor, Event, Run
from .timeutil import iso
from .workspace import Workspace, find

ACTOR = re.compile(r"^\s*(?P<name>[^<>]+?)\s*(?:<(?P<email>[^<>]*)>)?\s*$")


@dataclass
class Session:
    ws: Workspace
    actor: Actor
    commit: bool = True
    offline: bool = False
    progress: ProgressFactory | None = None


def parse_actor(text: str) -> Actor:
    match = ACTOR.match(text or "")
    if not match:
        raise UsageError(f"invalid --actor {text!r}", 'use "Name" or "Name <email>"')
    return Actor(name=match["name"], email=match["email"] or None)


def open_session(repo: Path | None = None, actor: str | None = None, *, no_commit: bool = False,
                 offline: bool = False, progress: ProgressFactory | None = None) -> Session:
    ws = find(repo)
    if actor:
        who = parse_actor(actor)
    else:
        ident = git.identity(ws.root) or git.environ_identity()
        if ident is None:
            raise WorkspaceError(
                "no identity to record: git user.name is not set",
                "run `git config user.name NAME` and `git config user.email EMAIL`, or pass --actor NAME",
            )
        who = Actor(name=ident.name, email=ident.email or None)
    return Session(ws, who, commit=ws.config.commit and not no_commit,
                   offline=offline or ws.config.offline, progress=progress)


def append_event(run: Run, type_: str, actor: Actor, *, gate: str | None = None,
                 attempt: int | None = None, **data: Any) -> Event:
    prev = sha256_bytes(canonical_bytes(dump(run.events[-1]))) if run.events else None
    event = Event(seq=len(run.events) + 1, type=type_, at=iso(), actor=actor, gate=gate,
                  attempt=attempt, data={k: v for k, v in data.items() if v is not None}, prev=prev)
    run.events.append(event)
    return event


@dataclass
class Transaction:
    session: Session
    run_id: str
    written: list[Path] = field(default_factory=list)
    subject: str = ""
    trailers: dict[str, Any] = field(default_factory=dict)

    def save_run(self, run: Run) -> None:
        self.written.append(records.save_run(self.session.ws, run))

    def save_new(self, path: Path, record: BaseModel) -> None:
        records.save_new(path, record)
        self.written.append(path)


@contextmanager
def transaction(session: Session, run_id: str, purpose: str) -> Iterator[Transaction]:
    """Hold the workspace lock; on success, commit exactly the files written."""
    ws = session.ws
    with locking.hold(ws.git_dir / "runner.lock", ws.config.lock_timeout_s, purpose):
        tx = Transaction(session, run_id)
        yield tx
        if tx.written and session.commit:
            _commit(tx)


def _commit(tx: Transaction) -> None:
    ws, actor = tx.session.ws, tx.session.actor
    paths = sorted({ws.rel(p) for p in tx.written})
    fields = {"Run-Id": tx.run_id, **tx.trailers, "Actor": _actor_text(actor), "Runner-Version": __version__}
    message = f"runner: {tx.run_id} {tx.subject}\n\n{git.trailers(fields)}\n"
    author = git.Identity(actor.name, actor.email or "")
    git.commit_files(ws.root, ws.git_dir, paths, message, author)


def _actor_text(actor: Actor) -> str:
    return f"{actor.name} <{actor.email}>" if actor.email else actor.name
