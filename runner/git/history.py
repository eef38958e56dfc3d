"""Read-only views of git history, for `runner verify`: one `git log` pass parsed into
commits and the blobs they changed, blobs read many at a time through one
`git cat-file --batch`, a tree listing, and the paths the work tree changed.

Nothing here writes to the repository or its index (`git status` runs with
GIT_OPTIONAL_LOCKS=0, so it does not refresh the index either)."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

import msgspec

from runner.git import ZERO, git

LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}  # a path is a path, never a glob
NO_LOCKS = {**LITERAL, "GIT_OPTIONAL_LOCKS": "0"}


class Change(msgspec.Struct):
    path: str
    status: str  # A, M, D, T; a merge's combined status has one letter per parent ("MM")
    old: str | None  # blob ids; None for "no blob" (added, or deleted)
    new: str | None

    @property
    def in_merge(self) -> bool:
        return len(self.status) > 1


class Commit(msgspec.Struct):
    sha: str
    parents: list[str]
    subject: str
    trailers: dict[str, str] = msgspec.field(default_factory=dict)
    changes: list[Change] = msgspec.field(default_factory=list)
    # The operations a runner commit records, each its trailers: one for a commit of one
    # operation, one per paragraph of the body for a grouped commit.
    operations: list[dict[str, str]] = msgspec.field(default_factory=list)

    @property
    def run_ids(self) -> set[str]:
        """The runs whose operations this commit names (Run-Id of each operation)."""
        return {op["Run-Id"] for op in self.operations if "Run-Id" in op}


def blob_id(data: bytes) -> str:
    """The id git gives `data` as a blob (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def resolve(root: Path, rev: str) -> str | None:
    """The commit `rev` names, or None when it names none."""
    if rev.startswith("-"):
        return None
    out = git(root, "rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}", ok=(0, 1, 128))
    return out.strip() or None


SIGNED = ("G", "U")  # %G?: a good signature (U: good, from a key of unknown trust)


def signatures(root: Path, commits: list[str]) -> dict[str, str]:
    """git's verdict on the signature of each commit (`%G?`: G, U, B, X, Y, R, E or N)."""
    if not commits:
        return {}
    out = git(root, "log", "--no-walk=unsorted", "--stdin", "--format=%H %G?", input="\n".join(commits).encode())
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def merge_base(root: Path, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None when they share none."""
    return git(root, "merge-base", a, b, ok=(0, 1)).strip() or None


def log(root: Path, pathspecs: list[str], rev_range: str = "HEAD") -> list[Commit]:
    """Every commit of `rev_range` that touched `pathspecs`, oldest first (parents before
    children), with the blobs each changed. Merges list only what differs from every
    parent (a change made in the merge itself)."""
    token = secrets.token_hex(8)  # no commit message can forge a separator it cannot know
    start, sep, end = f"\x01{token}<", f"\x01{token}|", f"\x01{token}>"
    fmt = f"--format={start}%H %P{sep}%s{sep}%(trailers:only,unfold){sep}%b{end}"
    out = git(root, "-c", "log.showSignature=false", "log", "-z", "--raw", "--no-abbrev", "--no-renames",
              "--diff-merges=dense-combined", "--topo-order", "--reverse", "--no-color", fmt, rev_range,
              "--", *pathspecs, env=LITERAL)
    commits = []
    for chunk in out.split(start)[1:]:
        head, _, rest = chunk.partition(end)
        ids, subject, trailer_text, body = head.split(sep, 3)
        sha, *parents = ids.split()
        fields = _trailers(trailer_text)
        commits.append(Commit(sha, parents, subject, fields, _raw(rest), _operations(body, fields)))
    return commits


def _operations(body: str, fields: dict[str, str]) -> list[dict[str, str]]:
    """Every paragraph of `body` made only of `Key: value` lines with a Run-Id (a grouped
    commit has one per operation); else the commit's own trailers."""
    found = []
    for paragraph in body.strip().split("\n\n"):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        if lines and all(_TRAILER.match(line) for line in lines):
            op = _trailers(paragraph)
            if "Run-Id" in op:
                found.append(op)
    return found or ([fields] if fields else [])


_TRAILER = re.compile(r"^[A-Za-z0-9-]+: ")


def _trailers(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip():
            fields[key.strip()] = value.strip()
    return fields


def _raw(text: str) -> list[Change]:
    """`-z --raw` entries: `:<modes> <blobs> <status>` NUL `<path>` NUL, repeated."""
    tokens = [t for t in text.split("\0") if t.strip()]
    changes = []
    for meta, path in zip(tokens[0::2], tokens[1::2]):
        meta = meta.strip()
        parents = len(meta) - len(meta.lstrip(":"))
        parts = meta.lstrip(":").split()
        blobs, status = parts[parents + 1: 2 * parents + 2], parts[-1]
        old, new = blobs[0], blobs[-1]
        changes.append(Change(path, status, None if old == ZERO else old, None if new == ZERO else new))
    return changes


def changed_paths(root: Path, rev_range: str, pathspecs: list[str]) -> set[str]:
    """Paths under `pathspecs` (all, when empty) that some commit of `rev_range` added,
    changed or deleted."""
    out = git(root, "log", "-z", "--format=", "--name-only", "--no-renames", "--diff-merges=dense-combined",
              rev_range, "--", *pathspecs, env=LITERAL)
    return {p.strip("\n") for p in out.split("\0") if p.strip("\n")}


def work_tree_changes(root: Path) -> list[str]:
    """Tracked paths that differ between the work tree, the index and HEAD (untracked
    files are not looked for: that walk costs more than the rest of a --since check)."""
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames", env=NO_LOCKS)
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


def trees_at(root: Path, rev: str, paths: list[str]) -> set[str]:
    """Those of `paths` that are folders at `rev` (one `git cat-file --batch-check`)."""
    if not paths or any("\n" in p for p in paths):
        return set()
    out = git(root, "cat-file", "--batch-check=%(objecttype)", input="".join(f"{rev}:{p}\n" for p in paths).encode())
    return {path for path, kind in zip(paths, out.splitlines()) if kind == "tree"}


def tree_blobs(root: Path, rev: str, pathspecs: list[str]) -> dict[str, str]:
    """path -> blob id of every file under `pathspecs` at `rev`."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *pathspecs, env=LITERAL)
    blobs = {}
    for entry in out.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            _mode, kind, oid = meta.split()
            if kind == "blob":
                blobs[path] = oid
    return blobs
