"""Record commits never touch the user's index or work tree: blobs are written with
hash-object, trees are rebuilt only along the changed paths (read through one
cat-file --batch process, written by one hash-object -t tree), so the number of git
processes does not grow with the depth of the paths or the number of runs already
recorded; the commit is made with commit-tree (no hooks run) and the branch is moved
with a compare-and-swap update-ref. Afterwards the user's index gets the new record
entries, so `git status` shows them clean and the user's own staged changes stay staged."""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from runner import jsonio, proc
from runner.errors import GitError
from runner.git import NO_HOOKS, Identity, git
from runner.git.objects import Objects

TREES = "runner-trees"  # <git-dir>/.runner-trees.<pid>.<random>.tmp/: a commit's new trees, while it writes them
# update-ref's messages when the compare-and-swap lost a race (worth a retry).
_RACE = (b"but expected", b"already exists", b".lock", b"cannot lock ref")


def _head(objects: Objects, git_dir: Path) -> tuple[str, str | None, str | None]:
    """(ref to update, its current commit or None, that commit's tree). A detached HEAD
    updates HEAD."""
    head = (git_dir / "HEAD").read_text().strip()
    ref = head[5:].strip() if head.startswith("ref:") else "HEAD"
    found = objects.read(f"{ref}^{{commit}}")
    if found is None:
        return ref, None, None
    sha, _, content = found
    tree = content.split(b"\n", 1)[0].split(b" ")[1].decode()  # a commit starts with "tree <sha>"
    return ref, sha, tree


# One raw tree entry: "<octal mode> <name>\0<binary object id>" (20 bytes for SHA-1
# repositories, 32 for SHA-256 ones).
_ENTRY = {size: re.compile(rb"(([0-7]+) ([^\x00]+)\x00.{%d})" % size, re.S) for size in (20, 32)}
_TREE_MODE = b"40000"
_FILE_MODE = b"100644"


def _is_tree(mode: bytes) -> bool:
    return int(mode, 8) & 0o170000 == 0o040000


def _sort_key(entry: tuple[bytes, bytes, bytes]) -> bytes:
    """git's order of tree entries: by name, a directory as if its name ended in "/"."""
    return entry[2] + b"/" if _is_tree(entry[1]) else entry[2]


def _build_tree(objects: Objects, tree: str | None, changes: dict[str, object], algo: str,
                written: list[tuple[str, bytes]]) -> bytes:
    """The binary id of a new tree: `tree` with `changes` applied. `changes` maps a name
    to a blob sha (a file) or to a nested dict (a sub-directory to change). Only the
    trees along the changed paths are read; the new ones are appended to `written`
    (children first) as (sha, raw content), the way `git mktree` would write them."""
    size = hashlib.new(algo).digest_size
    data = objects.tree(tree) if tree else b""
    content = _splice(objects, data, changes, algo, written, size)
    if content is None:
        content = _rebuild(objects, tree, data, changes, algo, written, size)
    digest = hashlib.new(algo, b"tree %d\0" % len(content))
    digest.update(content)
    written.append((digest.hexdigest(), content))
    return digest.digest()


def _splice(objects: Objects, data: bytes, changes: dict[str, object], algo: str,
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
        if (mode == _TREE_MODE) != isinstance(change, dict):
            return None
        if isinstance(change, dict):
            oid = _build_tree(objects, data[end - size:end].hex(), change, algo, written)
        else:
            oid = bytes.fromhex(str(change))
        spans.append((start, end, mode + key + oid))
    out, last = [], 0
    for start, end, entry in sorted(spans):
        out += [data[last:start], entry]
        last = end
    return b"".join(out) + data[last:]


def _rebuild(objects: Objects, tree: str | None, data: bytes, changes: dict[str, object], algo: str,
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
            mode, oid = _FILE_MODE, bytes.fromhex(str(change))
        entry = (mode + b" " + key + b"\0" + oid, mode, key)
        if at is None:
            index[key] = len(entries)
            entries.append(entry)
            resort = True
        else:
            resort = resort or _is_tree(entries[at][1]) != _is_tree(mode)
            entries[at] = entry
    if resort:
        entries.sort(key=_sort_key)
    return b"".join(e[0] for e in entries)


def _write_trees(root: Path, git_dir: Path, trees: list[tuple[str, bytes]]) -> None:
    """Write the new trees with one `git hash-object -t tree` process (it checks their
    format), and make sure git computed the ids the commit will name."""
    tmp = jsonio.temp_path(git_dir / TREES)
    tmp.mkdir()
    listing = [tmp / str(i) for i in range(len(trees))]
    try:
        for path, (_, content) in zip(listing, trees):
            path.write_bytes(content)
        # Level 1: the runs/ tree of a workspace with 10,000 runs is about 650 KB and is
        # written anew by every record commit; git's default level takes twice as long,
        # and `git gc` recompresses loose objects into packs anyway.
        out = git(root, "-c", "core.looseCompression=1", "hash-object", "-w", "-t", "tree", "--stdin-paths",
                  input="".join(f"{os.path.relpath(p, root)}\n" for p in listing).encode()).split()
    finally:
        for path in listing:
            path.unlink(missing_ok=True)
        tmp.rmdir()
    if out != [sha for sha, _ in trees]:
        raise GitError("git wrote trees other than the ones computed", "report this bug")


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
    current branch. Returns the new commit's sha (or the current one, when HEAD already
    holds the files as they are: no empty commit is made).

    Six git processes whatever the history: hash-object (blobs), cat-file --batch (the
    tip and the trees along the changed paths), hash-object (the new trees),
    commit-tree, update-ref and update-index."""
    if not paths:
        raise GitError("nothing to commit")
    listing = "\n".join(paths) + "\n"
    blobs = git(root, "hash-object", "-w", "--no-filters", "--stdin-paths", input=listing.encode()).split()
    by_path = dict(zip(paths, blobs))
    changes = _nest(by_path)
    algo = "sha1" if len(blobs[0]) == 40 else "sha256"
    env = {
        "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email,
    }
    objects = Objects(root)
    try:
        for _ in range(retries):
            ref, old, base_tree = _head(objects, git_dir)
            trees: list[tuple[str, bytes]] = []
            _build_tree(objects, base_tree, changes, algo, trees)
            tree = trees[-1][0]
            if tree == base_tree:  # the files are already committed as they are: no empty commit
                _refresh_index(root, by_path)
                return old
            _write_trees(root, git_dir, trees)
            parents = ["-p", old] if old else []
            new = git(root, "commit-tree", tree, *parents, "-F", "-", input=message.encode(), env=env).strip()
            zero = "0" * len(new)
            moved = proc.run(["git", *NO_HOOKS, "update-ref", "-m", message.splitlines()[0], ref, new, old or zero],
                             cwd=root, env=proc.clean_env())
            if moved.returncode == 0:
                _refresh_index(root, by_path)
                _maybe_gc(root, new)
                return new
            if not any(marker in moved.stderr for marker in _RACE):
                detail = moved.stderr.decode(errors="replace").strip().splitlines()
                raise GitError(f"git update-ref {ref} failed: {detail[-1] if detail else 'exit ' + str(moved.returncode)}")
            time.sleep(0.01)  # the branch moved under us (a user's commit): rebuild on the new tip
    finally:
        objects.close()
    raise GitError(f"could not update {ref}: it kept moving", "retry the command")


def _maybe_gc(root: Path, commit: str) -> None:
    """What `git commit` does after every commit: `git gc --auto`, which packs the loose
    objects once there are many (each record commit writes about ten, one of them the
    runs/ tree, 650 KB with 10,000 runs) and returns at once otherwise. Run after one
    commit in 16 (those whose id starts with 0), so that the others pay nothing; when
    there is work, git does it in the background."""
    if commit.startswith("0"):
        proc.run(["git", *NO_HOOKS, "gc", "--auto", "--quiet"], cwd=root, env=proc.clean_env())


def _refresh_index(root: Path, blobs: dict[str, str]) -> bool:
    """Put the committed record entries into the user's index. Best effort: a user's
    git holding index.lock is waited for briefly; the commit has landed either way."""
    info = "".join(f"100644 {sha}\t{path}\n" for path, sha in blobs.items())
    for _ in range(50):
        result = proc.run(["git", *NO_HOOKS, "update-index", "--add", "--index-info"], cwd=root,
                          input=info.encode(), env=proc.clean_env())
        if result.returncode == 0:
            return True
        if b"index.lock" not in result.stderr:
            return False
        time.sleep(0.02)
    return False
