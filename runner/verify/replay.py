"""`runner verify`, the verdicts: an attempt whose outputs are still the bytes it hashed
is evaluated again against its contract as it was (the version with the recorded
SHA-256), offline, and every check verdict that comes out otherwise is a finding. So
a forged record (an attempt copied, its status turned into PASS, its events chained
again, committed with the runner's trailers) is caught by what its files say.

Not replayed: network checks (url_reachable: SKIPPED offline), checks that read a file
the attempt did not hash, and attempts whose outputs changed or were recorded again
since (`re-recorded`), which the artifact checks report or explain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner import jsonio
from runner.contracts.evaluate import evaluate
from runner.errors import ContractError, RunnerError
from runner.git import history, objects
from runner.hashing import sha256_bytes
from runner.models.contract import Contract
from runner.models.run import Attempt
from runner.paths import run_variables
from runner.verify.outputs import ArtifactCheck

NOT_REPLAYED = ("url_reachable",)
SAME = ("unchanged", "absent", "converted")


class Replay:
    def __init__(self, audit: Any) -> None:
        self.audit = audit
        self.root = audit.ws.root
        self._contracts: dict[tuple[str, str], Contract | None] = {}

    def check(self, attempts: list[tuple[str, Attempt]], artifacts: list[ArtifactCheck]) -> int:
        """The number of attempts replayed."""
        status = {(a.run_id, a.gate, a.attempt, a.path): a.status for a in artifacts}
        replayed = 0
        for path, attempt in attempts:
            outputs = {art.path for art in attempt.artifacts}
            key = (attempt.run_id, attempt.gate, attempt.attempt)
            if attempt.contract is None or attempt.status == "ABANDONED" or attempt.skipped_by_start_from:
                continue
            if any(status.get((*key, p)) not in SAME for p in outputs):
                continue
            contract = self._contract(attempt.contract.path, attempt.contract.sha256)
            run = self._run(attempt.run_id)
            if contract is None or run is None:
                continue
            values = run_variables(self.root, run["workflow"]["slug"], run["workflow"].get("artifact_path"),
                                   attempt.run_id)
            try:
                config = self.audit.ws.config
                again = evaluate(self.root, contract, attempt.contract.path, values, attempt.depth, offline=True,
                                 bounds=(config.check_timeout_s, config.check_memory_mb))
            except RunnerError:
                continue  # the contract cannot be evaluated here (e.g. a schema file gone): not replayed
            replayed += 1
            self._compare(path, attempt, again.validations, outputs)
        return replayed

    def _compare(self, path: str, attempt: Attempt, again: list, outputs: set[str]) -> None:
        now = {v.index: v for v in again}
        for i, recorded in enumerate(attempt.validations):
            replayed = now.get(recorded.index)
            if replayed is None or recorded.type in NOT_REPLAYED or "SKIPPED" in (recorded.status, replayed.status):
                continue
            if replayed.target is not None and replayed.target not in outputs:
                continue  # it read a file the attempt did not hash: that file may have changed since
            if replayed.status != recorded.status:
                self.audit.add("verdict", path, f"validations[{recorded.index}] {recorded.type} was recorded "
                               f"{recorded.status}, but the outputs it hashed give {replayed.status} against the "
                               f"contract it names: {replayed.message}", f"validations[{i}].status")
        if attempt.status == "PASS" and any(v.status == "FAIL" and v.type not in NOT_REPLAYED for v in again
                                            if v.target is None or v.target in outputs):
            self.audit.add("verdict", path, "the attempt was recorded PASS, but its outputs fail their contract "
                           "when evaluated again", "status")

    def _run(self, run_id: str) -> dict | None:
        rel = self.audit.summaries.get(run_id) or self.audit.history.summary(run_id)
        oid = self.audit.work.get(rel)
        blob = self.audit.blobs.get(oid) if oid else None
        doc = blob.doc if blob is not None else None
        return doc if isinstance(doc, dict) and isinstance(doc.get("workflow"), dict) else None

    def _contract(self, rel: str, sha256: str) -> Contract | None:
        """The version of a contract whose bytes have `sha256`: the file now, or one in history."""
        key = (rel, sha256)
        if key not in self._contracts:
            self._contracts[key] = self._find(rel, sha256)
        return self._contracts[key]

    def _find(self, rel: str, sha256: str) -> Contract | None:
        try:
            full = self.audit.ws.path(rel, "contract")
            if full.is_file() and sha256_bytes(full.read_bytes()) == sha256:
                return self._decode(full.read_bytes(), rel)
        except (RunnerError, OSError):
            return None
        if history.resolve(self.root, "HEAD") is None:
            return None
        blobs = {c.new for commit in history.log(self.root, [rel]) for c in commit.changes if c.new}
        for data in objects.read_blobs(self.root, blobs).values():
            if data is not None and sha256_bytes(data) == sha256:
                return self._decode(data, rel)
        return None

    @staticmethod
    def _decode(data: bytes, rel: str) -> Contract | None:
        try:
            return jsonio.decode_typed(data, Path(rel), Contract, what="contract", error=ContractError)
        except RunnerError:
            return None
