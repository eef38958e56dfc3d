"""What the audit reads: the blobs of records (parsed once, hashed once) and what a path
under the runs folder is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from runner.hashing import sha256_bytes


@dataclass
class Where:
    """What a path under the runs dir is: a record of a run, or None."""

    run_id: str
    kind: str  # run | attempt | decision | unknown
    gate: str | None = None
    number: int | None = None


@dataclass
class Blob:
    data: bytes
    _doc: Any = field(default=None, repr=False)
    _parsed: bool = False
    _sha: str | None = None

    @property
    def sha256(self) -> str:
        if self._sha is None:
            self._sha = sha256_bytes(self.data)
        return self._sha

    @property
    def doc(self) -> Any:
        """The parsed JSON, or None when the bytes are not UTF-8 JSON."""
        if not self._parsed:
            self._parsed = True
            try:
                self._doc = msgspec.json.decode(self.data)
            except msgspec.DecodeError:
                self._doc = None
        return self._doc


class Source(Protocol):
    """The audit as the record checks see it."""

    work: dict[str, str]  # path -> blob id of the records in the work tree
    blobs: dict[str, Blob]

    def where(self, path: str) -> Where | None: ...

    def add(self, code: str, file: str, message: str, field: str | None = None,
            commit: str | None = None) -> None: ...
