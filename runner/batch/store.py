"""The content-addressed artifact store that workers and the coordinator share: file
bytes under their SHA-256 (`objects/ab/cdef...`), and one result per attempt
(`results/<attempt-id>.json`, written once: the first result of an attempt wins, a
redelivered task finds it and is dropped).

A plain directory by default (on a shared disk for workers on other machines); any
fsspec URL (`s3://bucket/prefix`, `memory://x`) where a user has object storage."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from runner import jsonio
from runner.errors import RunnerError, ToolMissing
from runner.hashing import sha256_file

RESULTS, OBJECTS = "results", "objects"


class StoreError(RunnerError):
    """The artifact store is unreachable, or holds something other than it should."""


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.remote = "://" in url and not url.startswith("file://")
        if self.remote:
            try:
                import fsspec
            except ImportError:
                raise ToolMissing(f"the artifact store {url} needs fsspec", "pip install fsspec") from None
            self.fs, self.base = fsspec.core.url_to_fs(url)
        else:
            self.base = url.removeprefix("file://")
            Path(self.base).mkdir(parents=True, exist_ok=True)
            ignore = Path(self.base) / ".gitignore"
            if not ignore.exists():  # a store inside a workspace is never a record
                jsonio.write_atomic(ignore, "*\n")

    def _object(self, sha: str) -> str:
        return f"{self.base}/{OBJECTS}/{sha[:2]}/{sha[2:]}"

    def _result(self, attempt_id: str) -> str:
        return f"{self.base}/{RESULTS}/{attempt_id}.json"

    def put(self, path: Path) -> str:
        """Store a file's bytes; their SHA-256."""
        sha = sha256_file(path)
        target = self._object(sha)
        if self.remote:
            if not self.fs.exists(target):
                self.fs.put_file(str(path), target)
        elif not os.path.exists(target):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            tmp = jsonio.temp_path(Path(target))
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        return sha

    def fetch(self, sha: str, dest: Path) -> None:
        """Copy the object `sha` to `dest` as it is (the caller hashes what arrived)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = jsonio.temp_path(dest)
        try:
            if self.remote:
                self.fs.get_file(self._object(sha), str(tmp))
            else:
                shutil.copyfile(self._object(sha), tmp)
        except FileNotFoundError:
            raise StoreError(f"the artifact store {self.url} has no object {sha}",
                             "the worker's upload was lost: dispatch the batch again") from None
        os.replace(tmp, dest)

    def put_result(self, attempt_id: str, data: bytes) -> bool:
        """Record an attempt's result once; False when one was already there."""
        target = self._result(attempt_id)
        if self.remote:
            if self.fs.exists(target):
                return False
            self.fs.pipe_file(target, data)
            return True
        try:
            jsonio.write_atomic(Path(target), data, exclusive=True)
        except FileExistsError:
            return False
        return True

    def result(self, attempt_id: str) -> bytes | None:
        target = self._result(attempt_id)
        try:
            if self.remote:
                return self.fs.cat_file(target)
            return Path(target).read_bytes()
        except FileNotFoundError:
            return None

    def has_result(self, attempt_id: str) -> bool:
        target = self._result(attempt_id)
        return self.fs.exists(target) if self.remote else os.path.exists(target)


def open_store(url: str, root: Path) -> Store:
    """The store named in runner.json: a relative directory is under the workspace."""
    if "://" not in url and not os.path.isabs(url):
        url = str(root / url)
    return Store(url)
