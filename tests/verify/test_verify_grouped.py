"""`runner verify` on grouped commits (Repo.commit_group): each record change must belong
to an operation the commit names, and a forged or altered record is caught inside a
group as it is in a commit of its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "run"))

from group_helpers import TRIVIAL, finish_many, install_trivial
from helpers import git

from runner import Repo, records


@pytest.fixture
def grouped(ws_root):
    """Three runs, G1 of each finished in one grouped commit."""
    root = install_trivial(ws_root)
    repo = Repo(root)
    runs = [repo.start_run(TRIVIAL, slug=f"item-{i}", artifact_path=f"out/{i}").run_id for i in range(3)]
    with repo.commit_group():
        finish_many(repo, runs)
    return repo, runs


def _forged_group(root: Path, names: list[str], paths: list[str]) -> str:
    """Commit `paths` as they are, under a message shaped like a runner group naming `names`."""
    body = "\n\n".join(f"Run-Id: {r}\nOp: gate-finish\nActor: Ada Tester <ada@example.org>" for r in names)
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", "-m", f"runner: group of {len(names)} operations on {len(names)} runs", "-m", body)
    return git(root, "rev-parse", "HEAD").strip()


def test_a_grouped_commit_verifies_operation_by_operation(grouped):
    repo, _ = grouped
    report = repo.verify()
    assert report.ok, report.findings
    assert report.commits >= 1


def test_a_record_of_a_run_the_group_does_not_name_is_caught(grouped):
    repo, runs = grouped
    root = repo.root
    summary = records.run_file(repo.ws, runs[2])
    doc = json.loads(summary.read_text())
    doc["status"] = "PASSED"
    summary.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    sha = _forged_group(root, runs[:2], [repo.ws.rel(summary)])
    findings = [f for f in repo.verify().findings if f.code == "not-runner-commit"]
    assert findings and findings[0].run_id == runs[2] and findings[0].commit == sha
    assert "none of its 2 operations has Run-Id" in findings[0].message


def test_an_attempt_altered_inside_a_group_that_names_its_run_is_caught(grouped):
    repo, runs = grouped
    attempt = records.attempt_file(repo.ws, runs[0], "G1", 1)
    doc = json.loads(attempt.read_text())
    doc["status"] = "FAIL"
    attempt.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    sha = _forged_group(repo.root, runs, [repo.ws.rel(attempt)])
    codes = {(f.code, f.commit) for f in repo.verify().findings}
    assert ("modified", sha) in codes
