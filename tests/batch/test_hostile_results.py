"""A worker's result is never trusted: forged paths (out of the workspace, into .git, a
run's record folder or the manifests, through a link or a `./`), forged hashes and
results that are not results fail the attempt with the reason, and nothing already in
the workspace is overwritten by bytes that were not the ones named."""

from __future__ import annotations

import json

import msgspec
from helpers import cli, git

from runner import Repo
from runner.batch.messages import StepResult
from runner.batch.store import Store
from runner.batch.transfer import checked_route, fetch
from runner.models.run import Route
from runner.steps.base import Produced


def _fetch(root, store, outputs=None, data=None):
    data = data if data is not None else msgspec.json.encode(StepResult(attempt_id="a", outputs=outputs))
    return fetch(Repo(root).ws, store, data)[1]


def test_forged_output_paths_are_refused_however_they_are_spelled(batch_ws, tmp_path):
    store = Store(str(tmp_path / "store"))
    source = tmp_path / "x"
    source.write_bytes(b"forged")
    sha = store.put(source)
    (batch_ws / "gitlink").symlink_to(batch_ws / ".git")
    (batch_ws / "runslink").symlink_to(batch_ws / "runs")
    config = (batch_ws / ".git/config").read_bytes()
    spelled = ["../outside.txt", "/tmp/absolute_output.txt", "./runs/run_x/record/RUN.json",
               "out/../runs/run_x/record/RUN.json", "gitlink/config", "runslink/run_x/record/RUN.json",
               "batches/cmd_01/manifest.jsonl", "out/a\x00b", "", "orchestration"]
    produced = _fetch(batch_ws, store, {rel: sha for rel in spelled})
    assert produced.failure.startswith("outputs refused: ")
    for rel in spelled:
        assert f"{rel}: " in produced.failure
    assert (batch_ws / ".git/config").read_bytes() == config
    assert not (batch_ws / "runs/run_x").exists() and not (batch_ws / "batches").exists()
    assert not (batch_ws.parent / "outside.txt").exists() and (batch_ws / "orchestration").is_dir()


def test_a_hash_that_is_not_a_hash_never_reaches_outside_the_store(batch_ws, tmp_path):
    store = Store(str(tmp_path / "store"))
    (tmp_path / "store" / "objects" / "ab").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("not for workers")
    produced = _fetch(batch_ws, store, {"out/stolen.txt": "ab../../../secret.txt", "out/short.txt": "zz"})
    assert "'ab../../../secret.txt' is not a SHA-256" in produced.failure and "'zz' is not a SHA-256" in produced.failure
    assert not (batch_ws / "out/stolen.txt").exists()


def test_forged_bytes_never_replace_a_file_already_there(batch_ws, tmp_path):
    store = Store(str(tmp_path / "store"))
    (batch_ws / "kept.txt").write_text("recorded bytes\n")
    claimed = tmp_path / "claimed.txt"
    claimed.write_text("what the worker hashed\n")
    sha = store.put(claimed)
    (tmp_path / "store" / "objects" / sha[:2] / sha[2:]).write_bytes(b"swapped\n")
    produced = _fetch(batch_ws, store, {"kept.txt": sha})
    assert "kept.txt: its bytes hash to" in produced.failure
    assert (batch_ws / "kept.txt").read_text() == "recorded bytes\n"
    assert [p.name for p in batch_ws.iterdir() if p.name.startswith(".kept")] == []  # no temp file left


def test_a_result_that_is_not_a_result_fails_the_attempt(batch_ws, tmp_path):
    store = Store(str(tmp_path / "store"))
    for data in (b"{nope", b'{"attempt_id": 5}', b'{"schema_version": 1, "attempt_id": "a", "ran": {"zz": 1}}'):
        produced = _fetch(batch_ws, store, data=data)
        assert produced.ready and produced.failure.startswith("the worker's result is not a valid StepResult: ")


def test_forged_log_paths_are_not_recorded_and_a_huge_failure_is_cut(batch_ws, tmp_path):
    store = Store(str(tmp_path / "store"))
    ran = {"agent": "command", "status": "FAIL", "stdout_log": "/etc/passwd", "stderr_log": "../../x.log"}
    result = StepResult(attempt_id="a", failure="x" * 1_000_000, ran=ran)
    produced = _fetch(batch_ws, store, data=msgspec.json.encode(result))
    assert produced.ran.stdout_log is None and produced.ran.stderr_log is None
    assert "stdout_log '/etc/passwd': not a workspace-relative path" in produced.failure
    assert "stderr_log '../../x.log'" in produced.failure and len(produced.failure) < 3000


def test_a_route_to_a_gate_the_run_does_not_have_fails_the_attempt_instead_of_stopping_the_batch(batch_ws):
    workflow = {"workflow": "wait", "gates": [{"gate": "G1", "kind": "agent"}]}
    (batch_ws / "orchestration/workflows/wait.json").write_text(json.dumps(workflow))
    (batch_ws / "contracts/G1.contract.json").write_text(json.dumps({"gate": "G1", "required_outputs": {"all_of": []}}))
    git(batch_ws, "add", "-A")
    git(batch_ws, "commit", "-q", "-m", "user: a gate an agent works on")
    repo = Repo(batch_ws, actor="Ada <ada@example.org>")
    run_id = repo.drive("wait", slug="w1", artifact_path="out/w1").run_id
    run = repo.run(run_id)
    for route, why in ((Route(action="retry", target="ZZ", reason="forged", attempt=1), "names gate 'ZZ'"),
                       (Route(action="escalate", reason="forged", attempt=1, packet="/etc/passwd"), "packet '/etc/passwd'")):
        produced = checked_route(run, Produced(ready=True, route=route))
        assert produced.route is None and why in produced.failure
    attempt = repo.finish_step(run_id, "G1", produced)
    assert attempt.status == "FAIL" and "packet '/etc/passwd'" in attempt.failure_reason
    assert cli("verify", "--repo", batch_ws, "--json", check=0).json["findings"] == []
