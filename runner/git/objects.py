"""The one reader of git objects: a `git cat-file --batch` process that answers many
reads (the branch tip, trees along a path, blobs for `runner verify`) without one
process per object."""

from __future__ import annotations

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

    def tree(self, sha: str) -> bytes:
        found = self.read(sha)
        if found is None or found[1] != "tree":
            raise GitError(f"tree {sha} is missing from the repository", "run `git fsck`")
        return found[2]

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
