"""A forged attempt (a failed one copied as a new attempt with PASS written in, its
events chained again, committed with the runner's subject and trailers) passes every
check of the records and the history; verify catches it by evaluating the contract
again on the outputs the attempt hashed."""

from __future__ import annotations

import json

from helpers import cli, git, start_run, write_outputs
from verify_helpers import findings, verify

from runner import git as rgit
from runner import jsonio
from runner.git import commit
from runner.hashing import sha256_file
from runner.models.base import to_data
from runner.models.run import AttemptRef
from runner.repo import Repo
from runner.run.transitions import append_event


def test_a_forged_pass_is_caught_by_replaying_the_contract(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    write_outputs(root, "G1")
    intake = root / "essays" / "robot" / "G1-INTAKE.md"
    intake.write_text(intake.read_text().replace("status:", "status: FAIL\nold_status:", 1))
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", check=1)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "user: outputs")
    assert verify(root).code == 0  # an honest failure verifies

    repo = Repo(root)
    run, failed = repo.run(run_id), repo.attempt(run_id, "G1", 1)
    forged = to_data(failed)
    forged.update(attempt=2, status="PASS", failure_reason=None)
    for v in forged["validations"]:
        v["status"] = "PASS"
    rel = f"runs/{run_id}/record/gates/G1/attempt-2.json"
    jsonio.write_atomic(root / rel, forged)
    state = run.gate("G1")
    state.attempts.append(AttemptRef(attempt=2, status="PASS", file=rel, sha256=sha256_file(root / rel),
                                     finished_at=failed.finished_at))
    state.status, run.status = "PASS", "RUNNING"
    append_event(run, "gate_started", failed.started_by, gate="G1", attempt=2)
    append_event(run, "gate_finished", failed.started_by, gate="G1", attempt=2, status="PASS")
    record = f"runs/{run_id}/record/RUN.json"
    jsonio.write_atomic(root / record, to_data(run))
    message = (f"runner: {run_id} gate G1 attempt 2 PASS\n\nRun-Id: {run_id}\nGate: G1\nAttempt: 2\nStatus: PASS\n"
               f"Op: gate-finish\nActor: Ada Tester <ada@example.org>\nRunner-Version: 0.1.0\n")
    commit.commit_files(root, root / ".git", [rel, record], message, rgit.Identity("Ada Tester", "ada@example.org"))

    result = verify(root, check=1)
    found = findings(result, "verdict")
    assert found and all(f["file"] == rel for f in found), findings(result)
    assert any("frontmatter_status was recorded PASS" in f["message"] for f in found)
    assert json.loads((root / rel).read_text())["status"] == "PASS"
