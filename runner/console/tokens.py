"""The console's access tokens: who may look (viewer) and who may decide (decider).

A token is shown once, when it is made; the file keeps only its SHA-256, outside the
repository: `$RUNNER_TOKENS_FILE`, else `$XDG_CONFIG_HOME/runner/tokens.json`, else
`~/.config/runner/tokens.json` (mode 0600). A presented token is hashed and compared with
every stored hash in constant time (`hmac.compare_digest`), so neither the comparison
nor the order of the file tells an attacker how much of a guess was right."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Literal

import msgspec

from runner import jsonio, workspace
from runner.errors import NotFoundError, UsageError, WorkspaceError
from runner.models.base import Record, Strict, field
from runner.run.session import is_reserved, parse_actor
from runner.timeutil import iso

Role = Literal["viewer", "decider"]
ROLES: tuple[str, ...] = ("viewer", "decider")
ENV = "RUNNER_TOKENS_FILE"
PREFIX = "rnr_"


class Token(Strict):
    id: str  # short, public: names the token in `token list` and `token revoke`
    name: str  # the person, "Name <email>": recorded as the actor of their decisions
    role: Role
    sha256: str  # of the token; the token itself is never stored
    created_at: str
    workspace: str | None = None  # the one workspace whose console takes it (None: any)


class TokenFile(Record):
    tokens: list[Token] = field(default_factory=list)


def tokens_path() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "runner" / "tokens.json"


def load(path: Path | None = None) -> TokenFile:
    path = path or tokens_path()
    if not path.exists():
        return TokenFile()
    return jsonio.load_typed(path, TokenFile, what="token file", error=WorkspaceError,
                             hint=f"fix or remove it, then `runner serve token add` ({ENV} names another file)")


def _save(path: Path, tokens: TokenFile) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():  # jsonio keeps an existing file's mode; a new one starts private
        path.touch(mode=0o600)
    jsonio.write_atomic(path, msgspec.to_builtins(tokens))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def workspace_key(repo: Path | None) -> str | None:
    """How a token names its workspace: the root found from `repo`, absolute."""
    return None if repo is None else str(workspace.find(Path(repo)).root.resolve())


def applies(entry: Token, repo_key: str | None) -> bool:
    return entry.workspace is None or repo_key is None or entry.workspace == repo_key


def add(name: str, role: str, path: Path | None = None, repo: Path | None = None) -> tuple[Token, str]:
    """A new token for a person (valid for the console of `repo` only, when given): its
    stored entry, and the token, to show once."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}", "viewer or decider")
    person = parse_actor(name)
    if not person.email:
        raise UsageError(f"--name {name!r} has no email", 'give the person as "Name <email>"')
    if is_reserved(person.name):
        raise UsageError(f"--name {person.name!r} is reserved for the runner's own decisions", "give a person's name")
    path = path or tokens_path()
    tokens = load(path)
    secret = PREFIX + secrets.token_urlsafe(32)
    entry = Token(id=secrets.token_hex(4), name=f"{person.name} <{person.email}>", role=role,  # type: ignore[arg-type]
                  sha256=digest(secret), created_at=iso(), workspace=workspace_key(repo))
    tokens.tokens.append(entry)
    _save(path, tokens)
    return entry, secret


def listed(path: Path | None = None, repo: Path | None = None) -> list[Token]:
    """The tokens (of the console of `repo`, when given)."""
    key = workspace_key(repo)
    return [t for t in load(path).tokens if applies(t, key)]


def revoke(token_id: str, path: Path | None = None, repo: Path | None = None) -> Token:
    path = path or tokens_path()
    tokens = load(path)
    key = workspace_key(repo)
    found = [t for t in tokens.tokens if t.id == token_id and applies(t, key)]
    if not found:
        raise NotFoundError(f"no token {token_id!r} in {path}", "`runner serve token list` shows the ids")
    tokens.tokens = [t for t in tokens.tokens if t.id != token_id]
    _save(path, tokens)
    return found[0]


def authenticate(presented: str, tokens: TokenFile, repo_key: str | None = None) -> Token | None:
    """The entry whose hash the presented token has (compared in constant time with every
    entry), if it is valid for the workspace `repo_key` (see `workspace_key`)."""
    wanted = digest(presented)
    match = None
    for entry in tokens.tokens:
        if hmac.compare_digest(wanted, entry.sha256):
            match = entry
    return match if match is not None and applies(match, repo_key) else None
