"""The only package that talks to git. This module runs git commands (hooks off,
inherited GIT_* variables stripped) and names who acts; `objects` reads objects through
one `git cat-file --batch`; `commit` makes record commits; `history` reads the log for
`runner verify`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import msgspec

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


class Identity(msgspec.Struct):
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Settings(msgspec.Struct, frozen=True):
    """The configuration a record commit depends on, read with one `git config`."""

    values: dict[str, str]

    def flag(self, key: str, default: bool) -> bool:
        value = self.values.get(key)
        if value is None:
            return default
        return value.lower() in ("true", "yes", "on", "1", "")

    @property
    def plain_files(self) -> bool:
        """Refs in files and no commit signing: the runner may move the branch itself.
        Otherwise (reftable, or commits to sign) git's own commands do it."""
        return self.values.get("extensions.refstorage", "files") == "files" and not self.flag("commit.gpgsign", False)

    @property
    def log_refs(self) -> bool:
        return self.flag("core.logallrefupdates", not self.flag("core.bare", False))

    @property
    def algo(self) -> str:
        return "sha256" if self.values.get("extensions.objectformat") == "sha256" else "sha1"


SETTINGS = r"^(user\.(name|email)|commit\.gpgsign|core\.(logallrefupdates|bare)|extensions\.(refstorage|objectformat))$"


def settings(root: Path) -> Settings:
    out = git(root, "config", "-z", "--get-regexp", SETTINGS, ok=(0, 1))
    values = {}
    for item in out.split("\0"):
        key, _, value = item.partition("\n")
        if key:
            values[key.lower()] = value
    return Settings(values)


def identity(root: Path, found: Settings | None = None) -> Identity | None:
    """Who acts, named as git names a commit's author: GIT_AUTHOR_NAME and
    GIT_AUTHOR_EMAIL over user.name and user.email; None when there is no name."""
    values = (found or settings(root)).values
    name = os.environ.get("GIT_AUTHOR_NAME") or values.get("user.name")
    email = os.environ.get("GIT_AUTHOR_EMAIL")
    if email is None:
        email = values.get("user.email")
    if not name:
        return None
    return Identity(name, email or "")


def trailers(fields: Mapping[str, object]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in fields.items() if value is not None)


def split_index(root: Path) -> None:
    """git's split index (`core.splitIndex`): every index write, the user's and each
    record commit's, rewrites only the entries that changed since the shared part was
    written, not every tracked file. Set by `runner init` for the fan-out layout
    (benchmarks/README.md: about a third less CPU for git's part with 40,000 record files)."""
    git(root, "config", "core.splitIndex", "true")
    git(root, "update-index", "--split-index")  # now, not at the next write of the index
