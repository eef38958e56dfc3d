"""What one console server holds: the workspace, the token file (read again when it
changes, so a revoked token stops working at once), a secret for this process's CSRF
tokens, and the inbox as of the branch tip it was read at."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from runner.console import tokens
from runner.console.problems import ConsoleUnavailable
from runner.console.types import InboxItem
from runner.errors import RunnerError
from runner.timeutil import now, parse

LOG = logging.getLogger("runner.console")


class Console:
    def __init__(self, root: Path, tokens_file: Path | None = None, tick_interval_s: float = 10.0) -> None:
        from runner.repo import Repo

        self.repo_class = Repo
        self.reader = Repo(root)
        self.root = self.reader.root
        self.workspace_key = tokens.workspace_key(self.root)  # tokens made for another workspace are refused
        self.tokens_file = tokens_file or tokens.tokens_path()
        self.tick_interval_s = tick_interval_s
        self.secret = secrets.token_bytes(32)
        self._tokens: tuple[Any, tokens.TokenFile] | None = None
        self._inbox: tuple[str | None, list[InboxItem]] | None = None
        self._lock = threading.Lock()
        self._reading = threading.Lock()
        self.wake: Callable[[], None] = lambda: None  # set by the live loop: run a tick soon

    def repo(self, actor: str | None = None):
        """The front door: one for reading (reads take no lock and need no identity), or
        a new one acting as `actor` (a token's person) for a change."""
        return self.reader if actor is None else self.repo_class(self.root, actor=actor)

    def token_file(self) -> tokens.TokenFile:
        try:
            st = self.tokens_file.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if self._tokens is None or self._tokens[0] != stamp:
                try:
                    self._tokens = (stamp, tokens.load(self.tokens_file) if stamp else tokens.TokenFile())
                except RunnerError as exc:  # the operator's mistake: said in the log, never to a client
                    LOG.error("%s (%s)", exc.message, exc.hint)
                    raise ConsoleUnavailable("the console cannot read its access tokens now",
                                             "the operator must fix the token file (the server's log says how)") from None
            return self._tokens[1]

    def authenticate(self, presented: str) -> tokens.Token | None:
        return tokens.authenticate(presented, self.token_file(), self.workspace_key)

    def deciders(self) -> list[str]:
        return sorted({t.name for t in self.token_file().tokens
                       if t.role == "decider" and tokens.applies(t, self.workspace_key)})

    def deadline_passed(self) -> bool:
        """Whether the deadline of a gate waiting now has passed."""
        moment = now()
        return any(i.deadline and not i.escalated and parse(i.deadline) <= moment for i in self._waiting())

    def inbox(self) -> list[InboxItem]:
        """Every waiting gate, with its age and time left as of now."""
        moment, deciders = now(), self.deciders()
        out = []
        for item in self._waiting():
            age = round((moment - parse(item.since)).total_seconds(), 1)
            left = None if item.time_left_s is None else round((parse(item.deadline) - moment).total_seconds(), 1)
            out.append(msgspec.structs.replace(item, age_s=age, time_left_s=left, deciders=deciders))
        return out

    def _waiting(self) -> list[InboxItem]:
        """The front door's inbox, read again only when the branch tip moved."""
        tip = self.repo().tip()
        with self._lock:
            cached = self._inbox
        if cached is not None and cached[0] == tip and tip is not None:
            return cached[1]
        with self._reading:  # one reader at a time: the pages that asked together wait for it
            with self._lock:
                cached = self._inbox
            if cached is not None and cached[0] == tip and tip is not None:
                return cached[1]
            items = [InboxItem(**w.to_dict()) for w in self.repo().inbox()]
            with self._lock:
                self._inbox = (tip, items)
            return items
