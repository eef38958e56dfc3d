"""The one reader of git objects: a `git cat-file --batch` process that answers many
reads (the branch tip, trees along a path, blobs for `runner verify`) without one
process per object."""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Iterable

from runner import proc
from runner.errors import GitError
from runner.git import NO_HOOKS


def parse_header(line: bytes) -> tuple[str, str, int] | None:
    """(sha, type, size) of a `--batch` answer's header; None for `<name> missing` or
    `<name> ambiguous`."""
    parts = line.split()
    if len(parts) != 3 or parts[-1] in (b"missing", b"ambiguous"):
        if parts[-1:] in ([b"missing"], [b"ambiguous"]):
            return None
        raise GitError(f"git cat-file answered {line[:80]!r}")
    return parts[0].decode(), parts[1].decode(), int(parts[2])


class Objects:
    """One `git cat-file --batch` process answering every read of a commit (the branch
    tip, its tree and the trees along the changed paths), instead of one rev-parse or
    ls-tree process per level."""

    def __init__(self, root: Path) -> None:
        self._proc = proc.spawn(["git", *NO_HOOKS, "cat-file", "--batch"], cwd=root, env=proc.clean_env(),
                                stderr=proc.DEVNULL)

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(sha, type, content) of an object name, or None when it does not resolve."""
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(name.encode() + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise GitError("git cat-file failed") from None
        line = stdout.readline()
        if not line:
            raise GitError(f"git cat-file failed on {name}")
        header = parse_header(line)
        if header is None:
            return None
        sha, kind, size = header
        data = stdout.read(size + 1)  # the content and a newline
        if len(data) != size + 1:
            raise GitError(f"git cat-file failed on {name}")
        return sha, kind, data[:-1]

    def close(self) -> None:
        # Closing stdout too: a cat-file still writing an answer nobody reads gets EPIPE
        # and exits instead of blocking the wait.
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass
        self._proc.wait()


BATCH = 2000  # objects per cat-file process: bounds the memory of one answer


def read_blobs(root: Path, names: Iterable[str]) -> dict[str, bytes | None]:
    """The content of many objects (blob ids, or `<commit>:<path>`), a few processes in
    all (the names are written at once, not one round trip each). A name that names
    nothing, or no blob, maps to None."""
    wanted = list(dict.fromkeys(names))
    found: dict[str, bytes | None] = {}
    for i in range(0, len(wanted), BATCH):
        group = wanted[i:i + BATCH]
        if any("\n" in name for name in group):
            raise GitError("an object name holds a newline")
        result = proc.run(["git", *NO_HOOKS, "cat-file", "--batch"], cwd=root, env=proc.clean_env(),
                          input="".join(f"{name}\n" for name in group).encode())
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace").strip()
            raise GitError(f"git cat-file failed: {detail or 'exit ' + str(result.returncode)}")
        found.update(_split(group, result.stdout))
    return found


def _split(names: list[str], out: bytes) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    pos = 0
    for name in names:
        eol = out.index(b"\n", pos)
        header = parse_header(out[pos:eol])
        pos = eol + 1
        if header is None:
            found[name] = None
            continue
        _sha, kind, size = header
        found[name] = out[pos:pos + size] if kind == "blob" else None
        pos += size + 1
    return found


def common_dir(git_dir: Path) -> Path:
    """Where objects and branch refs live: the git dir, or for a linked worktree the
    main repository's (its `commondir` file)."""
    try:
        target = (git_dir / "commondir").read_text().strip()
    except FileNotFoundError:
        return git_dir
    return (git_dir / target).resolve()


class Store:
    """Objects read and written by the runner itself where git's format is simple:
    a loose object is the zlib of `<type> <size>\\0<content>` under objects/xx/.
    Anything not loose (packed, or in an alternate) is read through one
    `git cat-file --batch`, started on the first such read."""

    def __init__(self, root: Path, git_dir: Path, algo: str = "sha1") -> None:
        self.root, self.algo = root, algo
        self.objects = common_dir(git_dir) / "objects"
        self._batch: Objects | None = None
        self._folders: set[str] = set()  # objects/xx folders known to exist

    def read(self, sha: str) -> tuple[str, bytes] | None:
        """(type, content) of an object id, or None when it does not exist."""
        try:
            raw = zlib.decompress((self.objects / sha[:2] / sha[2:]).read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            raw = None
        except zlib.error:
            raise GitError(f"object {sha} is corrupt", "run `git fsck`") from None
        if raw is not None:
            header, _, content = raw.partition(b"\0")
            kind, _, size = header.partition(b" ")
            if int(size) != len(content):
                raise GitError(f"object {sha} is corrupt", "run `git fsck`")
            return kind.decode(), content
        if self._batch is None:
            self._batch = Objects(self.root)
        found = self._batch.read(sha)
        return None if found is None else (found[1], found[2])

    def write(self, kind: str, content: bytes) -> str:
        """Write an object (if git does not have it loose already); its id."""
        data = b"%s %d\0%s" % (kind.encode(), len(content), content)
        sha = hashlib.new(self.algo, data).hexdigest()
        folder = os.path.join(self.objects, sha[:2])
        path = os.path.join(folder, sha[2:])
        if os.path.exists(path):
            return sha
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        tmp = os.path.join(folder, f"tmp_obj_{os.getpid()}_{os.urandom(4).hex()}")
        # Level 1: a record commit rewrites the runs/ tree (650 KB with 10,000 runs); git's
        # default level takes twice as long, and `git gc` recompresses into packs anyway.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)  # read-only, as git's objects
        try:
            left = memoryview(zlib.compress(data, 1))
            while left:
                left = left[os.write(fd, left):]
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # as git does: never replace an object another process wrote
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return sha

    def close(self) -> None:
        if self._batch is not None:
            self._batch.close()
            self._batch = None
