"""`runner batch verify`: every manifest item has exactly one run, every run verifies
(`runner verify`), no attempt was recorded twice (git history, commit by commit and
operation by operation), and every result a worker returned names the bytes the
attempt recorded. Every finding is listed."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import msgspec

from runner.batch import manifest
from runner.batch.coordinator import find_runs
from runner.batch.drive import attempt_id
from runner.batch.messages import StepResult
from runner.batch.store import open_store
from runner.models.batch import BatchConfig
from runner.repo import Repo


@dataclass
class Finding:
    code: str  # runs | verify | twice | hash
    item: str | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def verify(repo: Repo, batch_id: str) -> tuple[int, list[Finding]]:
    """(items checked, findings)."""
    batch = manifest.load(repo.root, batch_id)
    found = find_runs(repo, batch.items)
    findings: list[Finding] = []
    of_run: dict[str, str] = {}
    for item in batch.items:
        runs = found[item.meta.id]
        if len(runs) != 1:
            findings.append(Finding("runs", item.meta.id, f"item {item.meta.id} (line {item.meta.line}) has "
                                                          f"{len(runs)} runs{': ' + ', '.join(runs) if runs else ''}"))
        of_run.update({run_id: item.meta.id for run_id in runs})
    report = repo.verify()
    for f in report.findings:
        run_id = f.run_id or next((r for r in of_run if r in f.file), None)
        if run_id in of_run:
            findings.append(Finding("verify", of_run[run_id], f"{f.file}: {f.code}: {f.message}"))
    findings += _recorded_twice(repo, of_run)
    findings += _results(repo, of_run)
    return len(batch.items), findings


def _recorded_twice(repo: Repo, of_run: dict[str, str]) -> list[Finding]:
    from runner.git import history

    ended = Counter()
    for commit in history.log(repo.root, [repo.ws.config.runs_dir]):
        for change in commit.changes:
            parts = change.path.split("/")
            name = parts[-1]
            if change.old is None and len(parts) >= 5 and parts[-3] == "gates" and name.startswith("attempt-") \
                    and parts[-5] in of_run:
                ended[(parts[-5], parts[-2], name)] += 1
    return [Finding("twice", of_run[run_id], f"{run_id} gate {gate} {name} was added by {n} commits")
            for (run_id, gate, name), n in sorted(ended.items()) if n > 1]


def _results(repo: Repo, of_run: dict[str, str]) -> list[Finding]:
    store = open_store((repo.ws.config.batch or BatchConfig()).store, repo.root)
    findings = []
    for run_id, item in sorted(of_run.items()):
        for state in repo.run(run_id).gates:
            for ref in state.attempts:
                data = store.result(attempt_id(run_id, state.gate, ref.attempt))
                if data is None:
                    continue
                result = msgspec.json.decode(data, type=StepResult)
                attempt = repo.attempt(run_id, state.gate, ref.attempt)
                recorded = {a.path: a.sha256 for a in attempt.artifacts if a.kind == "file"}
                for path, sha in sorted(result.outputs.items()):
                    if path in recorded and recorded[path] != sha and "outputs refused" not in \
                            (attempt.failure_reason or ""):
                        findings.append(Finding("hash", item, f"{run_id} gate {state.gate} attempt {ref.attempt}: "
                                                              f"{path} was recorded as {recorded[path][:12]}, "
                                                              f"the worker returned {sha[:12]}"))
    return findings
