"""Record commits, which never touch the user's work tree nor run the user's hooks.

The runner writes the objects itself (blobs, the trees along the changed paths, the
commit: loose objects, git's simplest format), reads the trees it rebuilds as loose
objects or, when git packed them, through one `git cat-file --batch`, and moves the
branch as git does (a `.lock` file, compare, rename, reflog). Then the user's index
gets the new record entries with one `git update-index`, so `git status` shows them
clean and the user's own staged changes stay staged. When the repository signs its
commits or keeps its refs in a reftable, git's own commit-tree and update-ref do those
two steps instead."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from runner import proc
from runner.errors import GitError
from runner.git import NO_HOOKS, Identity, Settings, git, refs, settings
from runner.git.locks import Lock
from runner.git.objects import Store

TREES = "runner-trees"  # <git-dir>/.runner-trees.<pid>.<random>.tmp/: left by older versions (doctor removes them)
# update-ref's messages when the compare-and-swap lost a race (worth a retry).
INDEX_WAIT_S = 5.0  # a git command holds index.lock for moments; longer, it is reported
_RACE = (b"but expected", b"already exists", b".lock", b"cannot lock ref")


def _tip(store: Store, git_dir: Path) -> tuple[str, str | None, str | None]:
    """(ref to update, its current commit or None, that commit's tree). A detached HEAD
    updates HEAD."""
    ref = refs.head_ref(git_dir)
    sha = refs.read_ref(git_dir, ref)
    if sha is None:
        return ref, None, None
    found = store.read(sha)
    if found is None or found[0] != "commit":
        raise GitError(f"{ref} names {sha}, which is not a commit in this repository", "run `git fsck`")
    tree = found[1].split(b"\n", 1)[0].split(b" ")[1].decode()  # a commit starts with "tree <sha>"
    return ref, sha, tree


def _tree(store: Store, sha: str) -> bytes:
    found = store.read(sha)
    if found is None or found[0] != "tree":
        raise GitError(f"tree {sha} is missing from the repository", "run `git fsck`")
    return found[1]


# One raw tree entry: "<octal mode> <name>\0<binary object id>" (20 bytes for SHA-1
# repositories, 32 for SHA-256 ones).
_ENTRY = {size: re.compile(rb"(([0-7]+) ([^\x00]+)\x00.{%d})" % size, re.DOTALL) for size in (20, 32)}
_TREE_MODE = b"40000"
_FILE_MODE = b"100644"


def _is_tree(mode: bytes) -> bool:
    return int(mode, 8) & 0o170000 == 0o040000


def _sort_key(entry: tuple[bytes, bytes, bytes]) -> bytes:
    """git's order of tree entries: by name, a directory as if its name ended in "/"."""
    return entry[2] + b"/" if _is_tree(entry[1]) else entry[2]


def _build_tree(objects: Store, tree: str | None, changes: dict[str, object], algo: str,
                written: list[tuple[str, bytes]], root: bool = False) -> bytes | None:
    """The binary id of a new tree: `tree` with `changes` applied. `changes` maps a name
    to a blob sha (a file), to None (a file to remove) or to a nested dict (a
    sub-directory to change). Only the trees along the changed paths are read; the new
    ones are appended to `written` (children first) as (sha, raw content), the way
    `git mktree` would write them. None when the tree ends up empty (git keeps no empty
    folder), unless it is the `root`."""
    size = hashlib.new(algo).digest_size
    data = _tree(objects, tree) if tree else b""
    content = _splice(objects, data, changes, algo, written, size)
    if content is None:
        content = _rebuild(objects, tree, data, changes, algo, written, size)
    if not content and not root:
        return None
    digest = hashlib.new(algo, b"tree %d\0" % len(content))
    digest.update(content)
    written.append((digest.hexdigest(), content))
    return digest.digest()


def _splice(objects: Store, data: bytes, changes: dict[str, object], algo: str,
            written: list[tuple[str, bytes]], size: int) -> bytes | None:
    """`data` with its changed entries replaced in place, without parsing the other
    entries (the runs/ tree of a big workspace has 10,000); None when an entry is new or
    changes between file and directory (then the tree is rebuilt and sorted)."""
    if len(data) < 65536:
        return None
    spans = []
    for name, change in changes.items():
        key = b" " + name.encode() + b"\0"
        at = data.find(key)
        mode = next((m for m in (_TREE_MODE, _FILE_MODE) if at > 0 and data[at - len(m):at] == m), None)
        if mode is None:
            return None
        start = at - len(mode)
        # an entry starts the tree, or follows the NUL and object id of the one before
        if start != 0 and not (start > size and data[start - size - 1] == 0):
            return None
        end = at + len(key) + size
        if (mode == _TREE_MODE) != isinstance(change, dict) and change is not None:
            return None
        if isinstance(change, dict):
            oid = _build_tree(objects, data[end - size:end].hex(), change, algo, written)
        else:
            oid = None if change is None else bytes.fromhex(str(change))
        spans.append((start, end, b"" if oid is None else mode + key + oid))
    out, last = [], 0
    for start, end, entry in sorted(spans):
        out += [data[last:start], entry]
        last = end
    return b"".join(out) + data[last:]


def _rebuild(objects: Store, tree: str | None, data: bytes, changes: dict[str, object], algo: str,
             written: list[tuple[str, bytes]], size: int) -> bytes:
    entries = _ENTRY[size].findall(data)  # [(raw entry, mode, name)], in git's order
    if sum(len(e[0]) for e in entries) != len(data):
        raise GitError(f"tree {tree} could not be parsed", "run `git fsck`")
    index = {e[2]: i for i, e in enumerate(entries)}
    resort = False
    for name, change in changes.items():
        key = name.encode()
        at = index.get(key)
        if isinstance(change, dict):
            old = entries[at] if at is not None else None
            sub = old[0][-size:].hex() if old is not None and _is_tree(old[1]) else None
            mode, oid = _TREE_MODE, _build_tree(objects, sub, change, algo, written)
        else:
            mode, oid = _FILE_MODE, None if change is None else bytes.fromhex(str(change))
        if oid is None:  # removed (a file, or a folder left empty)
            if at is not None:
                entries[at] = (b"", b"", key)
            continue
        entry = (mode + b" " + key + b"\0" + oid, mode, key)
        if at is None:
            index[key] = len(entries)
            entries.append(entry)
            resort = True
        else:
            resort = resort or not entries[at][1] or _is_tree(entries[at][1]) != _is_tree(mode)
            entries[at] = entry
    if resort:
        entries = [e for e in entries if e[0]]
        entries.sort(key=_sort_key)
    return b"".join(e[0] for e in entries)


def _nest(paths: dict[str, str | None]) -> dict[str, object]:
    tree: dict[str, object] = {}
    for path, blob in paths.items():
        parts = path.split("/")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[parts[-1]] = blob
    return tree


def commit_files(root: Path, git_dir: Path, paths: list[str], message: str, author: Identity,
                 retries: int = 20, config: Settings | None = None) -> str:
    """Commit exactly `paths` (workspace-relative files, as they are on disk; one that
    is not on disk is removed, as `git rm` would) onto the current branch. Returns the
    new commit's sha (or the current one, when HEAD already holds the files as they
    are: no empty commit is made).

    One git process whatever the history (update-index, for the user's index), two when
    a tree to rebuild is packed (cat-file), one more without `config` (git config)."""
    if not paths:
        raise GitError("nothing to commit")
    config = config or settings(root)
    store = Store(root, git_dir, config.algo)
    # git's index.lock for the whole commit, as `git commit` takes it: the user's index
    # with the record entries is written into the lock, the branch moves, the lock is
    # renamed into place. A `git commit` meanwhile waits or fails; it never sees the
    # branch moved and the index not, which would delete the records it lacks.
    try:
        with Lock(git_dir, git_dir / "index.lock", INDEX_WAIT_S) as index:
            by_path = {path: _blob(store, root / path) for path in paths}
            _index_with(root, git_dir, by_path, config.algo, into=index)
            changes = _nest(by_path)
            for _ in range(retries):
                ref, old, base_tree = _tip(store, git_dir)
                trees: list[tuple[str, bytes]] = []
                _build_tree(store, base_tree, changes, config.algo, trees, root=True)
                tree = trees[-1][0]
                if tree == base_tree:  # the files are already committed as they are: no empty commit
                    index.commit(git_dir / "index")
                    return old
                for sha, content in trees:
                    if store.write("tree", content) != sha:
                        raise GitError("a tree was written under another id than the one computed", "report this bug")
                new = _commit(root, git_dir, store, config, ref, tree, old, message, author,
                              moved=lambda: index.commit(git_dir / "index"))
                if new is not None:
                    _maybe_gc(root, new)
                    return new
                time.sleep(0.01)  # the branch moved under us (a user's commit): rebuild on the new tip
    finally:
        store.close()
    raise GitError(f"could not update {ref}: it kept moving", "retry the command")


def _commit(root: Path, git_dir: Path, store: Store, config: Settings, ref: str, tree: str, old: str | None,
            message: str, author: Identity, moved: Callable[[], None]) -> str | None:
    """Write the commit and move `ref` from `old` to it, then call `moved` at once (the
    user's index takes its place: git reads the index without a lock, so the moment
    between the two is kept as short as it can be); None when `ref` moved meanwhile."""
    subject = message.splitlines()[0]
    if config.plain_files:
        stamp = refs.signature(author)
        parent = f"parent {old}\n" if old else ""
        new = store.write("commit", f"tree {tree}\n{parent}author {stamp}\ncommitter {stamp}\n\n{message}".encode())
        return new if refs.update(git_dir, ref, new, old, author, subject, log=config.log_refs, moved=moved) else None
    env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
           "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email}
    sign = ["-S"] if config.flag("commit.gpgsign", False) else []  # commit-tree signs only when asked
    new = git(root, "commit-tree", *sign, tree, *(["-p", old] if old else []), "-F", "-", input=message.encode(),
              env=env).strip()
    result = proc.run(["git", *NO_HOOKS, "update-ref", "-m", subject, ref, new, old or "0" * len(new)], cwd=root,
                      env=proc.clean_env())
    if result.returncode == 0:
        moved()
        return new
    if not any(marker in result.stderr for marker in _RACE):
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git update-ref {ref} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return None


def _maybe_gc(root: Path, commit: str) -> None:
    """What `git commit` does after every commit: `git gc --auto`, which packs the loose
    objects once there are many (each record commit writes about ten, one of them the
    runs/ tree, 650 KB with 10,000 runs) and returns at once otherwise. Run after one
    commit in 16 (those whose id starts with 0), so that the others pay nothing; when
    there is work, git does it in the background."""
    if commit.startswith("0"):
        proc.run(["git", *NO_HOOKS, "gc", "--auto", "--quiet"], cwd=root, env=proc.clean_env())


def _blob(store: Store, path: Path) -> str | None:
    """The blob id of a file written into the store, or None when there is no file."""
    try:
        return store.write("blob", path.read_bytes())
    except (FileNotFoundError, NotADirectoryError):
        return None


def _index_with(root: Path, git_dir: Path, blobs: dict[str, str | None], algo: str = "sha1",
                into: Lock | None = None) -> None:
    """The user's index (staged changes kept) with the record entries added, made by
    `git update-index` on a copy, which then becomes the content of `into` (git's
    index.lock): the real index stays locked, untouched until the lock is renamed into
    place. The copy starts as a hard link (git writes its result as a new file beside
    it and renames it, so the index is never written through the link), and is renamed
    onto the lock: the index, however large, is written once, by git."""
    copy = git_dir / f"runner-index.{os.getpid()}.tmp"
    try:
        copy.unlink(missing_ok=True)
        if (git_dir / "index").exists():
            os.link(git_dir / "index", copy)
        zero = "0" * hashlib.new(algo).digest_size * 2  # mode 0: the entry is removed
        info = "".join(f"100644 {sha}\t{path}\n" if sha else f"0 {zero}\t{path}\n" for path, sha in blobs.items())
        git(root, "update-index", "--add", "--index-info", input=info.encode(), env={"GIT_INDEX_FILE": str(copy)})
        if into is not None:
            into.replace_with(copy)
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".lock").unlink(missing_ok=True)
