"""Streamed SHA-256 of raw bytes (never normalised), files and directories.

A directory hashes as the SHA-256 of its sorted manifest: one line per file,
`<sha256>  <relative posix path>\n`, the same form `sha256sum` prints, and one per
symbolic link, `symlink <sha256 of its target path>  <relative posix path>\n`."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

CHUNK = 1 << 20  # 1 MiB: large enough to reach hashlib's throughput, small enough to stay flat

Progress = Callable[[int], None]  # called with the number of bytes just hashed
LINK = "symlink"  # marks a symbolic link's line in a directory manifest


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while True:
            n = fh.readinto(buffer)
            if not n:
                break
            digest.update(view[:n])
            if progress is not None:
                progress(n)
    return digest.hexdigest()


def dir_manifest(path: Path, progress: Progress | None = None) -> list[tuple[str, str]]:
    """Sorted (relative path, digest) of every regular file and symbolic link under `path`.
    A link is never followed: as git stores one, its content is its target path, and it is
    marked as a link (digest `symlink <sha256 of the target path>`), so that retargeting
    it changes the directory's hash while nothing outside is read."""
    entries: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        links_to_dirs = [name for name in dirs if os.path.islink(os.path.join(root, name))]
        for name in files + links_to_dirs:
            full = Path(root) / name
            rel = full.relative_to(path).as_posix()
            if full.is_symlink():
                entries.append((rel, f"{LINK} {sha256_bytes(os.fsencode(os.readlink(full)))}"))
            elif full.is_file():
                entries.append((rel, sha256_file(full, progress)))
    entries.sort()
    return entries


def sha256_dir(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    """(manifest sha256, total size in bytes) of a directory; a link's size is the length
    of its target path."""
    manifest = dir_manifest(path, progress)
    text = "".join(f"{digest}  {rel}\n" for rel, digest in manifest)
    size = sum(os.lstat(path / rel).st_size for rel, _ in manifest)
    return sha256_bytes(text.encode()), size


def total_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
