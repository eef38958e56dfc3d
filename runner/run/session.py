"""What every state-changing operation shares: who acts, the workspace lock, the
files written, the events appended (a hash chain), and the one commit at the end."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from runner import __version__, git, jsonio, locking, records
from runner.errors import UsageError, WorkspaceError
from runner.git import commit
from runner.hashing import sha256_bytes
from runner.models.run import Actor, Run
from runner.paths import check_name
from runner.workspace import Workspace, find

if TYPE_CHECKING:
    from runner.contracts.evaluate import ProgressFactory

ACTOR = re.compile(r"^\s*(?P<name>[^<>]+?)\s*(?:<(?P<email>[^<>]*)>)?\s*\Z")
# The runner's own actors: no person may decide under these names.
RESERVED_NAMES = ("timer", "auto-approve", "runner doctor")


class Group(msgspec.Struct):
    """Operations whose commits are deferred and made as one (see `group`)."""

    operations: list[tuple[str, dict[str, Any]]] = msgspec.field(default_factory=list)  # (subject, trailers)
    paths: set[str] = msgspec.field(default_factory=set)
    runs: set[str] = msgspec.field(default_factory=set)  # runs whose pending mark the group holds
    commits: list[str] = msgspec.field(default_factory=list)  # the commits made


class Session(msgspec.Struct):
    ws: Workspace
    actor: Actor
    commit: bool = True
    offline: bool = False
    progress: ProgressFactory | None = None
    git_settings: git.Settings | None = None  # read once, with the identity
    group: Group | None = None  # while a commit group is open: where the commits go


def pending_mark(ws: Workspace, name: str) -> Path:
    """<git-dir>/runner-pending/<name>: written before a run's files change, removed once
    they are committed; the next command commits what a killed one left."""
    return ws.git_dir / "runner-pending" / name


def parse_actor(text: str) -> Actor:
    """An --actor or --by value. Invisible characters (controls, format characters such as
    a zero-width space, spaces other than U+0020) are refused: a name is what it looks like."""
    hidden = next((c for c in text or "" if is_invisible(c)), None)
    if hidden is not None:
        raise UsageError(f"invalid --actor {text!r}: it holds the invisible character U+{ord(hidden):04X}",
                         "type the name with visible characters and plain spaces only")
    match = ACTOR.match(text or "")
    if not match:
        raise UsageError(f"invalid --actor {text!r}", 'use "Name" or "Name <email>"')
    return Actor(name=match["name"], email=match["email"] or None)


def is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") or (category == "Zs" and char != " ")


def is_reserved(name: str) -> bool:
    """Whether `name` reads as one of the runner's own actors (after NFKC normalisation,
    case folded, runs of spaces as one)."""
    folded = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return folded in RESERVED_NAMES


def open_session(repo: Path | None = None, actor: str | None = None, *, no_commit: bool = False,
                 offline: bool = False, progress: ProgressFactory | None = None) -> Session:
    ws = find(repo)
    settings = git.settings(ws.root)
    if actor:
        who = parse_actor(actor)
    else:
        ident = git.identity(ws.root, settings)
        if ident is None:
            raise WorkspaceError(
                "no identity to record: git user.name is not set",
                "run `git config user.name NAME` and `git config user.email EMAIL`, or pass --actor NAME",
            )
        who = Actor(name=ident.name, email=ident.email or None)
    return Session(ws, who, commit=ws.config.commit and not no_commit,
                   offline=offline or ws.config.offline, progress=progress, git_settings=settings)


class Transaction(msgspec.Struct):
    session: Session
    run_id: str
    written: list[Path] = msgspec.field(default_factory=list)
    subject: str = ""
    trailers: dict[str, Any] = msgspec.field(default_factory=dict)
    pending: Path | None = None  # the run's pending mark (see transaction()), None without commits
    recover: bool = False  # an earlier command on this run wrote records it never committed
    run: Run | None = None  # the RUN.json saved

    def load_run(self) -> Run:
        """The run, as the runner last wrote it (a hand-edited record is refused)."""
        return records.load_run(self.session.ws, self.run_id, for_change=True)

    def save_run(self, run: Run) -> None:
        self._mark()
        self.run = run
        self.written.append(records.save_run(self.session.ws, run, durable=self.session.group is None))

    def save_new(self, path: Path, record: msgspec.Struct) -> None:
        self._mark()
        records.save_new(path, record, durable=self.session.group is None)
        self.written.append(path)

    def _mark(self) -> None:
        if self.pending is not None and not self.written:
            self.pending.parent.mkdir(exist_ok=True)
            self.pending.touch()


@contextmanager
def transaction(session: Session, run_id: str, purpose: str) -> Iterator[Transaction]:
    """Hold the workspace lock; on success, commit exactly the files written.

    From its first write until its commit, a transaction leaves a mark,
    <git-dir>/runner-pending/<run-id>. A mark found on entry means that an earlier
    command on this run was killed (or failed) between its writes and its commit: the
    RUN.json on disk may list attempt or decision files no commit holds, so this
    commit takes those files too (the ones still as RUN.json recorded them), and never
    commits a RUN.json whose files are missing from the commit."""
    ws = session.ws
    with locking.hold(ws.git_dir / "runner.lock", ws.config.lock_timeout_s, purpose):
        tx = Transaction(session, run_id)
        group = session.group
        if session.commit:
            tx.pending = pending_mark(ws, check_name(run_id, "run id"))
            # a mark this group left is its own writes, committed at the group's end
            tx.recover = tx.pending.exists() and (group is None or run_id not in group.runs)
        yield tx
        if not (tx.written and session.commit):
            return
        paths = sorted({ws.rel(p) for p in tx.written} | set(_listed(tx) if tx.recover else ()))
        operation = (f"{tx.run_id} {tx.subject}", _fields(tx))
        if group is not None:
            group.operations.append(operation)
            group.paths.update(paths)
            group.runs.add(run_id)
            return
        commit_paths(session, paths, [operation])
        if tx.pending is not None:
            tx.pending.unlink(missing_ok=True)


@contextmanager
def group(session: Session) -> Iterator[Group]:
    """Defer the commits of every operation inside to one commit at the end.

    Each operation still takes the workspace lock and writes its files as it does alone
    (pending marks included: a command killed inside a group leaves runs that the next
    command on them, or `runner doctor --fix`, commits). At the end, under the lock, one
    commit takes every file the operations wrote, and its message keeps each operation's
    trailers as a paragraph of its own, so `runner verify` checks it operation by
    operation. An error inside commits what was done before it, then propagates. A
    group opened inside a group is the same group. The files are written atomically but
    not synced one by one; the group syncs once before its commit."""
    if session.group is not None:
        yield session.group
        return
    session.group = opened = Group()
    try:
        yield opened
    finally:
        session.group = None
        commit_group(session, opened)


def commit_group(session: Session, opened: Group) -> None:
    """Commit what `opened` collected (nothing when it is empty), and clear it."""
    if not opened.operations:
        return
    ws = session.ws
    with locking.hold(ws.git_dir / "runner.lock", ws.config.lock_timeout_s, "commit group"):
        present = sorted(p for p in opened.paths if (ws.root / p).is_file())
        if present:
            jsonio.sync_files([ws.root / p for p in present])  # written without a sync each
            opened.commits.append(commit_paths(session, present, opened.operations))
        for run_id in opened.runs:
            pending_mark(ws, run_id).unlink(missing_ok=True)
    opened.operations, opened.paths, opened.runs = [], set(), set()


def _fields(tx: Transaction) -> dict[str, Any]:
    return fields(tx.run_id, tx.trailers, tx.session.actor)


def fields(run_id: str, trailers: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """An operation's trailers: the run, what it did, who did it, the runner's version."""
    return {"Run-Id": run_id, **trailers, "Actor": actor_text(actor), "Runner-Version": __version__}


def group_subject(operations: int, runs: int) -> str:
    return f"runner: group of {operations} operations on {runs} run{'' if runs == 1 else 's'}"


def commit_paths(session: Session, paths: list[str], operations: list[tuple[str, dict[str, Any]]]) -> str:
    """One commit of `paths`. One operation: its subject and trailers. Several: a group
    subject, and each operation's trailers as a paragraph (the last one is the block
    git itself reads as the trailers)."""
    ws, actor = session.ws, session.actor
    if len(operations) == 1:
        subject, fields = operations[0]
        message = f"runner: {subject}\n\n{git.trailers(fields)}\n"
    else:
        runs = len({fields["Run-Id"] for _, fields in operations})
        body = "\n\n".join(git.trailers(fields) for _, fields in operations)
        message = f"{group_subject(len(operations), runs)}\n\n{body}\n"
    author = git.Identity(actor.name, actor.email or "")
    return commit.commit_files(ws.root, ws.git_dir, paths, message, author, config=session.git_settings)


def _listed(tx: Transaction) -> list[str]:
    """The attempt and decision files the saved RUN.json lists, as it recorded them."""
    if tx.run is None:
        return []
    refs = [r for g in tx.run.gates for r in (*g.attempts, *g.decisions)]
    return [r.file for r in refs if _sha256_of(tx.session.ws.root / r.file) == r.sha256]


def _sha256_of(path: Path) -> str | None:
    try:
        return sha256_bytes(path.read_bytes())
    except OSError:
        return None


def actor_text(actor: Actor) -> str:
    return f"{actor.name} <{actor.email}>" if actor.email else actor.name
