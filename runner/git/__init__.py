"""The only package that talks to git. This module runs git commands (hooks off,
inherited GIT_* variables stripped) and names who acts; `objects` reads objects through
one `git cat-file --batch`; `commit` makes record commits; `history` reads the log for
`runner verify`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from runner import proc
from runner.errors import GitError

ZERO = "0" * 40
# The user's hooks never run for a record commit: update-ref would run a
# reference-transaction hook (which can veto the update) and update-index a
# post-index-change hook. No hook exists under /dev/null.
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


def git(root: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (0,)) -> str:
    result = proc.run(["git", *NO_HOOKS, *args], cwd=root, input=input, env=proc.clean_env(env))
    if result.returncode not in ok:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return result.stdout.decode(errors="replace")


@dataclass
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def identity(root: Path) -> Identity | None:
    """Who acts, named as git names a commit's author: GIT_AUTHOR_NAME and
    GIT_AUTHOR_EMAIL over user.name and user.email (the configuration is read only when
    the environment lacks one of them); None when there is no name."""
    name, email = os.environ.get("GIT_AUTHOR_NAME") or None, os.environ.get("GIT_AUTHOR_EMAIL")
    if name is None or email is None:
        out = git(root, "config", "--get-regexp", r"^user\.(name|email)$", ok=(0, 1))
        values = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        name = name or values.get("user.name")
        email = email if email is not None else values.get("user.email")
    if not name:
        return None
    return Identity(name, email or "")


def trailers(fields: Mapping[str, object]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in fields.items() if value is not None)
