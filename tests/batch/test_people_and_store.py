"""A batch whose workflow needs a person: the executor runs the steps that need none
(an agent gate that names a command, a command), the gate that needs a person pauses and
shows in `runner inbox`, and dispatching again after the decisions finishes the runs.
The artifact store on an fsspec URL."""

from __future__ import annotations

import json

from batch_helpers import items_csv
from helpers import cli, git

from runner import Repo
from runner.batch.store import Store


def test_a_person_gate_pauses_in_the_inbox_and_dispatch_goes_on_after_the_decision(batch_ws):
    wf = {"workflow": "review", "gates": [
        {"gate": "W1", "kind": "agent", "agent": "writer", "command": ["sh", "-c", "echo draft > {artifact_path}/d.md"]},
        {"gate": "R1", "kind": "human", "approval": {"required": True}},
        {"gate": "P1", "kind": "command", "command": ["sh", "-c", "cat {artifact_path}/d.md > {artifact_path}/p.md"]},
    ]}
    (batch_ws / "orchestration/workflows/review.json").write_text(json.dumps(wf))
    contract = {"gate": "W1", "required_outputs": {"all_of": [{"path": "{artifact_path}/d.md"}]},
                "validations": [{"type": "contains_text", "target": "{artifact_path}/d.md", "pattern": "draft"}]}
    (batch_ws / "contracts/W1.contract.json").write_text(json.dumps(contract))
    git(batch_ws, "add", "-A")
    git(batch_ws, "commit", "-q", "-m", "user: a workflow with a review")
    items_csv(batch_ws, 2)
    cli("batch", "plan", "--repo", batch_ws, "--workflow", "review", "--params", batch_ws / "items.csv", check=0)
    out = cli("batch", "dispatch", "review_01", "--repo", batch_ws, "--json", check=3).json
    assert out["items"] == {"paused": 2} and out["results"] == 2
    inbox = cli("inbox", "--repo", batch_ws, "--json", check=0).json
    assert sorted(w["gate"] for w in inbox) == ["R1", "R1"]
    status = cli("batch", "status", "review_01", "--repo", batch_ws, "--json", check=0).json
    assert status["states"] == {"waiting for a person": 2}
    still = cli("batch", "dispatch", "review_01", "--repo", batch_ws, check=3)  # nothing decided yet: no change
    assert "next: decide what waits in `runner inbox`, then `runner batch dispatch review_01` again" in still.err
    repo = Repo(batch_ws)
    for waiting in inbox:
        run = repo.run(waiting["run_id"])
        assert run.gate("W1").status == "PASS" and run.gate("P1").status == "PENDING"
        cli("gate", "approve", "--repo", batch_ws, "--run", waiting["run_id"], "--gate", "R1", check=0)
    again = cli("batch", "dispatch", "review_01", "--repo", batch_ws, "--json", check=0).json
    assert again["items"] == {"done": 2} and again["results"] == 2 and again["runs_created"] == 0
    for waiting in inbox:
        run = repo.run(waiting["run_id"])
        assert run.status == "PASSED" and [len(g.attempts) for g in run.gates] == [1, 1, 1]
        assert (batch_ws / run.workflow.artifact_path / "p.md").read_text() == "draft\n"
    assert cli("batch", "verify", "review_01", "--repo", batch_ws, "--json", check=0).json["findings"] == []
    assert cli("batch", "status", "review_01", "--repo", batch_ws, "--watch", "--json", check=0).json["states"] \
        == {"PASSED": 2}  # --watch ends at once when nothing is left to run


def test_an_fsspec_store_keeps_bytes_by_hash_and_one_result_per_attempt(tmp_path):
    store = Store("memory://runner-test-store")
    source = tmp_path / "out.bin"
    source.write_bytes(b"\x00bytes\xff")
    sha = store.put(source)
    assert store.put(source) == sha  # content-addressed: the same bytes, the same object
    store.fetch(sha, tmp_path / "back" / "out.bin")
    assert (tmp_path / "back" / "out.bin").read_bytes() == b"\x00bytes\xff"
    assert store.put_result("run_x.G1.1", b"first") and not store.put_result("run_x.G1.1", b"second")
    assert store.result("run_x.G1.1") == b"first" and store.has_result("run_x.G1.1")
    assert store.result("run_x.G1.2") is None


def test_a_worker_cannot_write_into_records_or_git(batch_ws, tmp_path):
    import msgspec

    from runner.batch.messages import StepResult
    from runner.batch.transfer import fetch

    store = Store(str(tmp_path / "store"))
    source = tmp_path / "x"
    source.write_bytes(b"{}")
    sha = store.put(source)
    outputs = {"runs/run_x/record/RUN.json": sha, "runs/2026-11/a/b/run_x/record/gates/G1/attempt-1.json": sha,
               ".git/config": sha, "runs/run_x/logs/step.log": sha, "out/ok.json": sha}
    config_before = (batch_ws / ".git/config").read_bytes()
    _, produced = fetch(Repo(batch_ws).ws, store, msgspec.json.encode(StepResult(attempt_id="a", outputs=outputs)))
    assert produced.failure.startswith("outputs refused: ")
    for refused in ("runs/run_x/record/RUN.json", "attempt-1.json", ".git/config"):
        assert refused in produced.failure
    assert not (batch_ws / "runs/run_x/record").exists() and (batch_ws / ".git/config").read_bytes() == config_before
    assert (batch_ws / "out/ok.json").read_bytes() == b"{}" and (batch_ws / "runs/run_x/logs/step.log").is_file()
