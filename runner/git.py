"""The only module that talks to git.

Record commits never touch the user's index or work tree: blobs are written with
hash-object, trees are rebuilt only along the changed paths (ls-tree/mktree, so the
cost does not grow with the number of runs already recorded), the commit is made with
commit-tree (no hooks run) and the branch is moved with a compare-and-swap
update-ref. Afterwards the user's index gets the new record entries, so `git status`
shows them clean and the user's own staged changes stay staged."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from . import proc
from .errors import GitError, WorkspaceError

ZERO = "0" * 40


def git(root: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (0,)) -> str:
    result = proc.run(["git", *args], cwd=root, input=input, env=proc.clean_env(env))
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
    """The git user (user.name, user.email), or None when not configured."""
    out = git(root, "config", "--get-regexp", r"^user\.(name|email)$", ok=(0, 1))
    values = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    name, email = values.get("user.name"), values.get("user.email")
    if not name:
        return None
    return Identity(name, email or "")


def _head(root: Path, git_dir: Path) -> tuple[str, str | None]:
    """(ref to update, its current commit or None). A detached HEAD updates HEAD."""
    head = (git_dir / "HEAD").read_text().strip()
    ref = head[5:].strip() if head.startswith("ref:") else "HEAD"
    out = git(root, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", ok=(0, 1)).strip()
    return ref, (out or None)


def _tree_entries(root: Path, tree: str | None) -> dict[str, str]:
    """name -> "mode type sha" of one tree level."""
    if tree is None:
        return {}
    out = git(root, "ls-tree", "-z", tree)
    entries = {}
    for item in out.split("\0"):
        if item:
            meta, name = item.split("\t", 1)
            entries[name] = meta
    return entries


def _build_tree(root: Path, tree: str | None, changes: dict[str, object]) -> str:
    """A new tree: `tree` with `changes` applied. `changes` maps a name to a blob sha
    (a file) or to a nested dict (a sub-directory to change)."""
    entries = _tree_entries(root, tree)
    for name, change in changes.items():
        if isinstance(change, dict):
            old = entries.get(name)
            sub = old.split()[2] if old and old.split()[1] == "tree" else None
            entries[name] = f"040000 tree {_build_tree(root, sub, change)}"
        else:
            entries[name] = f"100644 blob {change}"
    payload = "".join(f"{meta}\t{name}\0" for name, meta in entries.items())
    return git(root, "mktree", "-z", input=payload.encode()).strip()


def _nest(paths: dict[str, str]) -> dict[str, object]:
    tree: dict[str, object] = {}
    for path, blob in paths.items():
        parts = path.split("/")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[parts[-1]] = blob
    return tree


def commit_files(root: Path, git_dir: Path, paths: list[str], message: str, author: Identity,
                 retries: int = 20) -> str:
    """Commit exactly `paths` (workspace-relative files, as they are on disk) onto the
    current branch. Returns the new commit's sha."""
    if not paths:
        raise GitError("nothing to commit")
    listing = "\n".join(paths) + "\n"
    blobs = git(root, "hash-object", "-w", "--no-filters", "--stdin-paths", input=listing.encode()).split()
    by_path = dict(zip(paths, blobs))
    changes = _nest(by_path)
    env = {
        "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email,
    }
    for _ in range(retries):
        ref, old = _head(root, git_dir)
        base_tree = git(root, "rev-parse", f"{old}^{{tree}}").strip() if old else None
        tree = _build_tree(root, base_tree, changes)
        parents = ["-p", old] if old else []
        new = git(root, "commit-tree", tree, *parents, "-F", "-", input=message.encode(), env=env).strip()
        moved = proc.run(["git", "update-ref", "-m", message.splitlines()[0], ref, new, old or ZERO],
                         cwd=root, env=proc.clean_env())
        if moved.returncode == 0:
            _refresh_index(root, by_path)
            return new
        time.sleep(0.01)  # the branch moved under us (a user's commit): rebuild on the new tip
    raise GitError(f"could not update {ref}: it kept moving", "retry the command")


def _refresh_index(root: Path, blobs: dict[str, str]) -> bool:
    """Put the committed record entries into the user's index. Best effort: a user's
    git holding index.lock is waited for briefly; the commit has landed either way."""
    info = "".join(f"100644 {sha}\t{path}\n" for path, sha in blobs.items())
    for _ in range(50):
        result = proc.run(["git", "update-index", "--add", "--index-info"], cwd=root,
                          input=info.encode(), env=proc.clean_env())
        if result.returncode == 0:
            return True
        if b"index.lock" not in result.stderr:
            return False
        time.sleep(0.02)
    return False


def trailers(fields: Mapping[str, object]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in fields.items() if value is not None)


def require_repo(root: Path) -> None:
    if not (root / ".git").exists():
        raise WorkspaceError(f"{root} is not a git repository", "run `git init` first")


def log_paths(root: Path, rev_range: str | None, pathspec: str) -> str:
    args = ["log", "--format=%H%x00%B%x00", "--name-status", "-z"]
    if rev_range:
        args.append(rev_range)
    return git(root, *args, "--", pathspec)


def show_file(root: Path, rev: str, path: str) -> bytes | None:
    result = proc.run(["git", "show", f"{rev}:{path}"], cwd=root, env=proc.clean_env())
    return result.stdout if result.returncode == 0 else None


def is_ignored(root: Path, path: str) -> bool:
    result = proc.run(["git", "check-ignore", "-q", path], cwd=root, env=proc.clean_env())
    return result.returncode == 0


def environ_identity() -> Identity | None:
    name = os.environ.get("GIT_AUTHOR_NAME")
    return Identity(name, os.environ.get("GIT_AUTHOR_EMAIL", "")) if name else None
