"""Git history: records added by runner commits only, attempt and decision files never
changed or deleted once committed, RUN.json in agreement at every commit, contracts."""

from __future__ import annotations

import json

from helpers import ART, cli, git
from verify_helpers import codes, findings, finish_run, record, verify


def test_a_hand_edited_attempt_committed_with_plain_git_is_found(done):
    root, run_id = done
    path = record(root, run_id, "gates/G2/attempt-1.json")
    data = json.loads(path.read_text())
    data["status"] = "PASS"
    data["agent"] = "someone else"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git(root, "commit", "-q", "-am", "fix a typo")
    sha = git(root, "rev-parse", "HEAD").strip()
    result = verify(root, check=1)
    assert codes(result) == {("modified", "attempt-1.json"), ("not-runner-commit", "attempt-1.json"),
                             ("ref-mismatch", "RUN.json")}
    [modified] = findings(result, "modified")
    assert modified["file"] == f"runs/{run_id}/record/gates/G2/attempt-1.json"
    assert modified["commit"] == sha
    assert modified["message"].startswith(f"changed by commit {sha[:12]} after commit ")
    [unsigned] = findings(result, "not-runner-commit")
    assert "its subject 'fix a typo' is not a runner subject" in unsigned["message"]
    [ref] = findings(result, "ref-mismatch")
    assert ref["field"] == "gates[1].attempts[0].sha256" and ref["commit"] == sha


def test_a_deleted_decision_committed_with_plain_git_is_found(done):
    root, run_id = done
    git(root, "rm", "-q", f"runs/{run_id}/record/gates/G1/decision-1.json")
    git(root, "commit", "-q", "-m", "tidy up")
    sha = git(root, "rev-parse", "HEAD").strip()
    result = verify(root, check=1)
    assert codes(result) == {("deleted", "decision-1.json"), ("not-runner-commit", "decision-1.json"),
                             ("ref-missing", "RUN.json")}
    [deleted] = findings(result, "deleted")
    assert deleted["message"] == f"deleted by commit {sha[:12]}" and deleted["commit"] == sha
    [missing] = findings(result, "ref-missing")
    assert missing["field"] == "gates[0].decisions[0]"
    assert missing["message"] == (f"lists runs/{run_id}/record/gates/G1/decision-1.json, "
                                  "which does not exist there")


def test_a_deleted_attempt_not_committed_is_found(done):
    root, run_id = done
    record(root, run_id, "gates/G3/attempt-1.json").unlink()
    result = verify(root, check=1)
    assert ("deleted", "attempt-1.json") in codes(result)
    assert ("ref-missing", "RUN.json") in codes(result)  # the work tree's RUN.json lists it


def test_a_record_added_without_runner_trailers_is_found(done):
    root, run_id = done
    source = record(root, run_id, "gates/G2/attempt-1.json")
    data = json.loads(source.read_text())
    data["attempt"] = 2
    forged = record(root, run_id, "gates/G2/attempt-2.json")
    forged.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git(root, "add", str(forged))
    git(root, "commit", "-q", "-m", f"runner: {run_id} gate G2 attempt 2 PASS")  # the subject, no trailers
    result = verify(root, check=1)
    assert codes(result) == {("not-runner-commit", "attempt-2.json"), ("unlisted", "attempt-2.json")}
    [unsigned] = findings(result, "not-runner-commit")
    assert unsigned["message"].endswith("not a runner commit: it has no Run-Id trailer")
    [unlisted] = findings(result, "unlisted")
    assert unlisted["message"].startswith("RUN.json at commit ") and "does not list this attempt" in unlisted["message"]


def test_a_trailer_naming_another_run_is_found(done):
    root, run_id = done
    path = record(root, run_id, "gates/G2/attempt-9.json")
    path.write_text(record(root, run_id, "gates/G2/attempt-1.json").read_text())
    git(root, "add", str(path))
    git(root, "commit", "-q", "-m", f"runner: {run_id} gate G2\n\nRun-Id: run_other\nOp: gate-finish")
    result = verify(root, check=1)
    [unsigned] = findings(result, "not-runner-commit")
    assert unsigned["message"].endswith("its Run-Id trailer is 'run_other'")
    [identity] = findings(result, "identity")
    assert identity["field"] == "attempt" and identity["message"] == "is 1 but the path says 9"


def test_an_evil_merge_is_found(done):
    root, run_id = done
    git(root, "checkout", "-q", "-b", "side")
    (root / "notes.md").write_text("side work\n")
    git(root, "add", "notes.md")
    git(root, "commit", "-q", "-m", "side")
    git(root, "checkout", "-q", "main")
    (root / "other.md").write_text("main work\n")
    git(root, "add", "other.md")
    git(root, "commit", "-q", "-m", "main")
    git(root, "merge", "-q", "--no-ff", "--no-commit", "side")
    path = record(root, run_id, "gates/G1/attempt-1.json")
    path.write_text(path.read_text().replace('"agent": "writer"', '"agent": "nobody"'))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Merge branch 'side'")
    result = verify(root, check=1)
    assert ("merge-change", "attempt-1.json") in codes(result)
    assert ("modified", "attempt-1.json") in codes(result)


def test_a_contract_changed_after_the_attempt_is_fine(done):
    root, run_id = done
    contract = root / "contracts/G3.contract.json"
    data = json.loads(contract.read_text())
    data["description"] = "stricter now"
    contract.write_text(json.dumps(data, indent=2) + "\n")
    git(root, "commit", "-q", "-am", "user: a better contract")
    verify(root, check=0)


def test_a_contract_committed_only_after_the_attempt_is_fine(essay_ws_committed):
    root = essay_ws_committed
    contract = root / "contracts/G1.contract.json"
    contract.write_text(contract.read_text().replace("An intake document", "An intake note"))
    finish_run(root)  # runs with the uncommitted contract
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: the contract and the essay")
    verify(root, check=0)


def test_a_contract_hash_that_never_matched_is_found(essay_ws_committed):
    root = essay_ws_committed
    contract = root / "contracts/G1.contract.json"
    original = contract.read_text()
    contract.write_text(original.replace("An intake document", "A one-off contract"))
    run_id = finish_run(root)  # G1 runs against a contract that is never committed
    contract.write_text(original)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: the essay")
    result = verify(root, check=1)
    [finding] = findings(result)
    assert finding["code"] == "contract"
    assert finding["file"] == f"runs/{run_id}/record/gates/G1/attempt-1.json"
    assert finding["field"] == "contract.sha256" and finding["commit"]
    assert finding["message"].startswith("contracts/G1.contract.json at commit ")
    assert "no version of contracts/G1.contract.json in history or the work tree has the recorded sha256" \
        in finding["message"]


def test_run_json_hand_edited_in_a_later_commit_is_found(done):
    """RUN.json is mutable, but only by the runner: a summary that lies about an attempt's status."""
    root, run_id = done
    path = record(root, run_id)
    data = json.loads(path.read_text())
    data["gates"][2]["attempts"][0]["status"] = "FAIL"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git(root, "commit", "-q", "-am", f"runner: {run_id} fix\n\nRun-Id: {run_id}")
    result = verify(root, check=1)
    [lie] = findings(result)
    assert lie["code"] == "ref-mismatch" and lie["field"] == "gates[2].attempts[0].status"
    assert lie["message"] == f"status is 'FAIL' but runs/{run_id}/record/gates/G3/attempt-1.json says 'PASS'"


def test_no_commit_records_are_uncommitted(essay_ws_committed):
    root = essay_ws_committed
    run_id = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "robot", "--no-commit",
                 "--artifact-path", ART, "--json", check=0).json["run_id"]
    [finding] = findings(verify(root, check=1))
    assert finding == {"code": "uncommitted", "file": f"runs/{run_id}/record/RUN.json", "field": None,
                       "commit": None, "run_id": run_id, "message": "not committed"}


def test_a_workspace_that_commits_nothing_has_no_uncommitted_findings(essay_ws_committed):
    root = essay_ws_committed
    config = json.loads((root / "runner.json").read_text())
    config["commit"] = False
    (root / "runner.json").write_text(json.dumps(config))
    finish_run(root)
    verify(root, check=0)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: records, committed by hand")
    verify(root, check=0)  # nor not-runner-commit findings: the user commits
