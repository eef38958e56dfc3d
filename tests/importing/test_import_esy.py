"""`runner import esy RUNS_DIR`: the original Esy runner's run records (../shared/conformance/esy/runs)
become runner records that `run list`, `run show` and `verify` read; one commit per run; the
original hashes kept and checked against the files present; what is not carried named per field."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

from helpers import ESY, cli, commit_count, git, requires_shared, trailers
from import_helpers import LUCY, PARTIAL

from runner import Repo

pytestmark = requires_shared()
RUNS = ESY / "runs"


def _codes(root: Path) -> Counter:
    report = cli("verify", "--repo", root, "--json").json
    return Counter(f["code"] for f in report["findings"])


def test_the_original_runs_are_unreadable_before_and_listed_after(ws):
    copy = ws / "orchestration" / "runs"  # their folder, beside runner's runs/
    shutil.copytree(RUNS, copy)
    before = commit_count(ws)
    results = {r.run_id: r for r in Repo(ws).import_esy(copy)}
    assert {k: r.outcome for k, r in results.items()} == {LUCY: "imported", PARTIAL: "imported"}
    assert (results[LUCY].attempts, results[PARTIAL].attempts) == (25, 2)
    assert commit_count(ws) == before + 2  # one commit per run
    assert trailers(ws)["Op"] == "import-esy" and trailers(ws)["Run-Id"] == LUCY

    listed = {r["run_id"]: r for r in cli("run", "list", "--repo", ws, "--json").json}
    assert (listed[LUCY]["status"], listed[LUCY]["gates_passed"], listed[LUCY]["gates_total"]) == ("RUNNING", 18, 18)
    assert (listed[PARTIAL]["gates_passed"], listed[PARTIAL]["gates_total"]) == (1, 3)

    repo = Repo(ws)
    run = repo.run(LUCY)
    assert run.depth == "deep" and run.workflow.artifact_path == "src/app/essays/science/lucy"
    assert [a.status for a in run.gate("G4.5").attempts] == ["FAIL", "FAIL", "PASS"]
    # G8 attempt 1 has no file in the original and never finished: carried from RUN.json
    g8 = repo.attempt(LUCY, "G8", 1)
    assert g8.status == "ABANDONED" and g8.finished_at == repo.attempt(LUCY, "G8", 2).started_at
    first = repo.attempt(LUCY, "G1", 1)
    original = json.loads((RUNS / LUCY / "record/gates/G1/attempt-1.json").read_text())
    assert (first.started_at, first.finished_at) == (original["started_at"], original["finished_at"])
    assert first.artifacts[0].path == "src/app/essays/science/lucy/G1-INTAKE.md"
    assert first.artifacts[0].sha256 == original["artifacts"][0]["sha256"]  # the original hash, kept
    assert "/Users/" not in (ws / "runs" / LUCY / "record" / "RUN.json").read_text()
    g53 = repo.attempt(LUCY, "G5.3", 1)  # {client_component}, resolved on their machine
    assert "src/app/essays/science/lucy/LucyClient.tsx" in [a.path for a in g53.artifacts]

    # what was not carried: in the result and in the run's `imported` event
    notes = results[LUCY].not_carried
    assert "attempts[].absolute_path" in notes and "record/gates/G8/attempt-1.json" in notes
    assert "ABANDONED" in notes["gates.G8.attempts[1].status"]
    imported = run.events[-1]
    assert imported.type == "imported" and imported.data["not_carried"] == notes
    for rel, sha in imported.data["files"].items():
        assert hashlib.sha256((RUNS / LUCY / rel).read_bytes()).hexdigest() == sha
    assert len(imported.data["files"]) == 25  # RUN.json and 24 attempt files

    # verify reads them: the records, their chain, their history and summary all hold;
    # what it reports is only that the outputs the original hashed are not in this workspace
    missing = sum(r.outputs.get("missing", 0) for r in results.values())
    assert _codes(ws) == Counter({"artifact-missing": missing}) and missing == 38


def test_a_second_import_skips_what_is_there(ws):
    Repo(ws).import_esy(RUNS)
    before = commit_count(ws)
    again = cli("import", "esy", RUNS, "--repo", ws, "--json", check=0).json
    assert [r["outcome"] for r in again] == ["skipped", "skipped"]
    assert commit_count(ws) == before


def _partial_with_outputs(root: Path, folder: Path) -> dict[str, bytes]:
    """test-partial as the original wrote it, with its outputs present: each output is
    written into the workspace and the original's hashes are set to those bytes."""
    shutil.copytree(RUNS / PARTIAL, folder / PARTIAL)
    art = "src/app/essays/etymology/the-word-robot"
    written = {}
    for path in sorted((folder / PARTIAL).rglob("*.json")):
        data = json.loads(path.read_text())
        for attempt in ([data] if "artifacts" in data else [a for g in data["gates"] for a in g["attempts"]]):
            for artifact in attempt["artifacts"]:
                if artifact.get("exists"):
                    rel = artifact["path"].replace("{artifact_path}", art)
                    content = written.setdefault(rel, f"# {rel}\n".encode())
                    artifact["sha256"] = hashlib.sha256(content).hexdigest()
        path.write_text(json.dumps(data, indent=2))
    for rel, content in written.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    git(root, "add", "src")
    git(root, "commit", "-q", "-m", "user: the essay")
    return written


def test_verify_passes_when_the_outputs_are_the_ones_the_original_hashed(ws, tmp_path):
    written = _partial_with_outputs(ws, tmp_path / "esy")
    [result] = Repo(ws).import_esy(tmp_path / "esy")
    assert result.outcome == "imported" and result.outputs == {"unchanged": 7}
    report = cli("verify", "--repo", ws, "--json", check=0).json
    assert report["findings"] == [] and report["ok"] is True

    changed = min(written)
    (ws / changed).write_text("edited after the run\n")
    assert _codes(ws)["artifact-changed"] >= 1


def test_invocations_are_carried_with_their_events(ws, tmp_path):
    _partial_with_outputs(ws, tmp_path / "esy")
    path = tmp_path / "esy" / PARTIAL / "record" / "RUN.json"
    data = json.loads(path.read_text())
    second = data["gates"][1]["attempts"][1]
    data["invocations"] = [{"id": "inv_1768963400000_ab12", "gate": "G2", "agent": "research-orchestrator",
                            "status": "SUCCESS", "timestamp": second["started_at"], "tokens": 1200}]
    path.write_text(json.dumps(data, indent=2))
    [result] = Repo(ws).import_esy(tmp_path / "esy")
    run = Repo(ws).run(PARTIAL)
    [inv] = run.invocations
    assert (inv.id, inv.gate, inv.attempt, inv.agent, inv.at) == (
        "inv_1768963400000_ab12", "G2", 2, "research-orchestrator", second["started_at"])
    assert "invocations[].tokens" in result.not_carried
    assert cli("verify", "--repo", ws, "--json", check=0).json["findings"] == []


def test_an_output_changed_before_the_import_is_said_in_the_result_and_the_attempt(ws, tmp_path):
    written = _partial_with_outputs(ws, tmp_path / "esy")
    citations = next(p for p in written if p.endswith("CITATIONS.md"))
    (ws / citations).write_text("not what the original hashed\n")
    [result] = Repo(ws).import_esy(tmp_path / "esy")
    assert result.outputs["changed"] >= 1
    last = Repo(ws).attempt(PARTIAL, "G2", 2)
    assert any(w.startswith(f"{citations}: changed since the Esy runner hashed it") for w in last.warnings)


def test_in_place_the_records_become_runner_records_and_the_originals_stay_in_logs(ws):
    config = json.loads((ws / "runner.json").read_text())
    config["runs_dir"] = "orchestration/runs"
    (ws / "runner.json").write_text(json.dumps(config))
    (ws / ".gitignore").write_text("orchestration/runs/*/logs/\n")
    git(ws, "commit", "-q", "-am", "user: their runs folder")
    shutil.copytree(RUNS, ws / "orchestration" / "runs")
    assert {r["status"] for r in cli("run", "list", "--repo", ws, "--json").json} == {"UNREADABLE"}

    cli("import", "esy", ws / "orchestration" / "runs", "--repo", ws, check=0)
    listed = cli("run", "list", "--repo", ws, "--json").json
    assert {r["status"] for r in listed} == {"RUNNING"} and len(listed) == 2
    kept = ws / "orchestration" / "runs" / LUCY / "logs" / "esy-original"
    assert (kept / "RUN.json").read_bytes() == (RUNS / LUCY / "record" / "RUN.json").read_bytes()
    assert (kept / "gates/G4.5/attempt-3.json").read_bytes() == (RUNS / LUCY / "record/gates/G4.5/attempt-3.json").read_bytes()
    assert set(_codes(ws)) == {"artifact-missing"}


def test_bad_records_are_refused_one_by_one_with_a_line_each(ws, tmp_path):
    folder = tmp_path / "esy"
    shutil.copytree(RUNS, folder)
    (folder / PARTIAL / "record" / "RUN.json").write_text("{not json")
    result = cli("import", "esy", folder, "--repo", ws, "--json")
    assert result.code == 4
    outcomes = {r["run_id"]: r for r in result.json}
    assert outcomes[LUCY]["outcome"] == "imported"
    assert outcomes[PARTIAL]["outcome"] == "refused" and "not JSON" in outcomes[PARTIAL]["message"]

    hostile = tmp_path / "hostile" / PARTIAL
    shutil.copytree(RUNS / PARTIAL, hostile)
    data = json.loads((hostile / "record" / "RUN.json").read_text())
    data["gates"][0]["gate"] = "../../outside"
    (hostile / "record" / "RUN.json").write_text(json.dumps(data))
    [refused] = Repo(ws).import_esy(hostile.parent)
    assert refused.outcome == "refused" and "'../../outside' is not a gate id" in refused.message
    assert not (ws / "runs" / PARTIAL).exists()

    renamed = tmp_path / "other" / "run_elsewhere"
    shutil.copytree(RUNS / PARTIAL, renamed)
    [refused] = Repo(ws).import_esy(renamed.parent)
    assert refused.outcome == "refused" and "says run_id" in refused.message


def test_a_folder_without_runs_is_an_error_with_a_hint(ws, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("import", "esy", tmp_path / "empty", "--repo", ws)
    assert result.code == 4 and result.err.startswith("error: no Esy run records") and "hint: give the folder" in result.err
