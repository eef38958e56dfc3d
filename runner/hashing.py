"""Streamed SHA-256 of raw bytes (never normalised), files and directories.

A directory hashes as the SHA-256 of its sorted manifest: one line per file,
`<sha256>  <relative posix path>\n`, the same form `sha256sum` prints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

CHUNK = 1 << 20  # 1 MiB: large enough to reach hashlib's throughput, small enough to stay flat

Progress = Callable[[int], None]  # called with the number of bytes just hashed


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
    """Sorted (relative path, sha256) of every regular file under `path`.
    Symbolic links are not followed."""
    entries: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        for name in files:
            full = Path(root) / name
            if full.is_symlink() or not full.is_file():
                continue
            entries.append((full.relative_to(path).as_posix(), sha256_file(full, progress)))
    entries.sort()
    return entries


def sha256_dir(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    """(manifest sha256, total size in bytes) of a directory."""
    manifest = dir_manifest(path, progress)
    text = "".join(f"{digest}  {rel}\n" for rel, digest in manifest)
    size = sum((path / rel).stat().st_size for rel, _ in manifest)
    return sha256_bytes(text.encode()), size


def total_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
