"""What `runner verify` returns: its findings, each with one of the CODES, and the counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from runner.verify.outputs import ArtifactCheck

CODES = {
    "unreadable": "the record is not UTF-8 JSON",
    "schema": "the record does not validate against its schema",
    "identity": "the record's run id, gate or number disagrees with its path",
    "unknown-file": "a file under record/ that is not a record",
    "chain": "the events do not form a hash chain (one was edited, deleted or reordered)",
    "event-missing": "an attempt, decision or final status has no event",
    "artifact-missing": "an output the attempt hashed no longer exists",
    "artifact-changed": "an output differs from what the attempt hashed, and no later attempt recorded it",
    "artifact-outside": "an artifact path leaves the workspace (not read)",
    "contract": "the contract hash recorded matches no version of the contract",
    "not-runner-commit": "a record was added or changed by a commit that is not a runner commit of its run",
    "merge-change": "a merge commit changed a record beyond what its parents had",
    "modified": "an attempt or decision file was changed after it was committed",
    "deleted": "a record file was deleted after it was committed",
    "events-rewritten": "RUN.json changed or dropped events an earlier commit had",
    "ref-missing": "RUN.json lists an attempt or decision file that does not exist at that commit",
    "ref-mismatch": "RUN.json's entry disagrees with the file it lists (sha256, status, ...)",
    "unlisted": "an attempt or decision file that RUN.json does not list",
    "uncommitted": "a record in the work tree that HEAD does not hold, or holds otherwise",
    "verdict": "a check's verdict, evaluated again on the outputs the attempt hashed, differs from the recorded one",
    "signature": "with --require-signed: a commit that changed a record is not signed, or not with a good signature",
    "shallow": "the history is incomplete (a shallow clone): what came before its oldest commit cannot be checked",
}


@dataclass
class Finding:
    code: str
    file: str  # workspace-relative
    message: str
    field: str | None = None  # e.g. events[3].prev, artifacts[1].sha256
    commit: str | None = None  # None: the work tree
    run_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    runs: list[str]
    records: int
    commits: int
    artifacts: list[ArtifactCheck]
    findings: list[Finding]
    run: str | None = None
    since: str | None = None
    shallow_from: list[str] | None = None  # a shallow clone checked with --allow-shallow: its oldest commits

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict:
        return {
            "ok": self.ok, "scope": {"run": self.run, "since": self.since, "shallow_from": self.shallow_from},
            "runs": self.runs,
            "counts": {"runs": len(self.runs), "records": self.records, "commits": self.commits,
                       "artifacts": len(self.artifacts), "findings": len(self.findings)},
            "findings": [f.to_dict() for f in self.findings],
            "artifacts": [a.to_dict() for a in self.artifacts],
        }
