"""Known errors are one line and exit 4, naming the file (and the check's index and field);
nothing is silently skipped and nothing prints a traceback."""

from __future__ import annotations

import json

import pytest
from helpers import ART, SLUG, cli, commit_count, runner_proc, start_run, write_outputs

from runner import Repo, records, workspace

G1 = "contracts/G1.contract.json"


def _edit_contract(root, rel, mutate):
    path = root / rel
    data = json.loads(path.read_text())
    mutate(data)
    path.write_text(json.dumps(data, indent=2))


BROKEN_CONTRACTS = {
    "bad-json": (lambda root: (root / G1).write_text('{"gate": "G1", "required_outputs": {'),
                 ["not valid JSON", "line 1"]),
    "unknown-check-type": (lambda root: _edit_contract(root, G1, lambda d: d["validations"].append(
        {"type": "file_exist", "target": "any_of"})), ["validations[3]", "file_exist"]),
    "missing-parameter": (lambda root: _edit_contract(root, G1, lambda d: d["validations"][1].pop("pattern")),
                          ["validations[1]", "pattern"]),
    "unknown-path-variable": (lambda root: _edit_contract(root, G1, lambda d: d["validations"][2].update(
        target="{artefact_path}/G1-INTAKE.md")), ["validations[2].target", "{artefact_path}"]),
    "unknown-variable-in-output": (lambda root: _edit_contract(root, G1, lambda d: d["required_outputs"]["any_of"][0]
                                                               .update(path="{slugg}/x.md")),
                                   ["required_outputs.any_of[0].path", "{slugg}"]),
    "unknown-key": (lambda root: _edit_contract(root, G1, lambda d: d.update(blockng=False)), ["blockng"]),
    "bad-regex": (lambda root: _edit_contract(root, G1, lambda d: d["validations"].append(
        {"type": "regex_match", "target": "{artifact_path}/G1-INTAKE.md", "regex": "(unclosed"})),
                  ["validations[3]", "regex"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CONTRACTS))
def test_malformed_contract_at_run_start(essay_ws, case):
    breaks, fragments = BROKEN_CONTRACTS[case]
    breaks(essay_ws)
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART)
    assert result.code == 4, result
    assert G1 in result.err, result
    for fragment in fragments:
        assert fragment in result.err, (fragment, result)
    assert result.err.startswith("error: ") and result.out == ""
    assert cli("run", "list", "--repo", essay_ws, "--json", check=0).json == []


@pytest.mark.parametrize("case", sorted(BROKEN_CONTRACTS))
def test_malformed_contract_at_gate_finish(essay_ws, case):
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    write_outputs(essay_ws, "G1")
    breaks, fragments = BROKEN_CONTRACTS[case]
    breaks(essay_ws)
    commits = commit_count(essay_ws)
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1")
    assert result.code == 4, result
    assert G1 in result.err and all(f in result.err for f in fragments), result
    # nothing recorded: the attempt is still open, no attempt file, no commit
    ws = workspace.find(essay_ws)
    assert records.attempt_numbers(ws, run_id, "G1") == []
    assert records.load_run(ws, run_id).gate("G1").current is not None
    assert commit_count(essay_ws) == commits


def test_missing_contract_names_it(essay_ws):
    (essay_ws / G1).unlink()
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG)
    assert result.code == 4 and G1 in result.err, result


def test_malformed_workflow_names_the_file_and_field(essay_ws):
    path = essay_ws / "orchestration/workflows/essay.json"
    data = json.loads(path.read_text())
    data["gates"][1]["timeout_s"] = -1
    path.write_text(json.dumps(data))
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG)
    assert result.code == 4, result
    assert "orchestration/workflows/essay.json" in result.err and "gates[1].timeout_s" in result.err


def test_a_threshold_missing_for_the_depth_is_an_error_not_a_skip(essay_ws):
    _edit_contract(essay_ws, "contracts/G2.contract.json",
                   lambda d: d["validations"][2]["thresholds"].pop("deep"))
    run_id = start_run(essay_ws, "--depth", "deep")
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--force", check=0)
    write_outputs(essay_ws, "G2")
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2")
    assert result.code == 4, result
    assert "contracts/G2.contract.json" in result.err and "validations[2]" in result.err and "deep" in result.err


def test_a_threshold_of_zero_means_zero(essay_ws):
    _edit_contract(essay_ws, "contracts/G2.contract.json",
                   lambda d: [d["validations"][2]["thresholds"].update(standard=0),
                              d["validations"][3]["thresholds"].update(standard=0)])
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--force", check=0)
    research = essay_ws / ART / "research"
    research.mkdir(parents=True)
    (research / "CITATIONS.md").write_text("# Citations\nnone yet\n")
    data = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--json", check=0).json
    assert data["status"] == "PASS"


@pytest.mark.parametrize("damage", ["truncated", "not-json", "bad-field", "extra-key", "empty"])
def test_malformed_run_record_is_exit_4_and_left_unchanged(essay_ws, damage):
    run_id = start_run(essay_ws)
    path = essay_ws / "runs" / run_id / "record" / "RUN.json"
    text = path.read_text()
    data = json.loads(text)
    broken = {
        "truncated": text[: len(text) // 2],
        "not-json": "<html>",
        "bad-field": json.dumps({**data, "status": "DONE"}),
        "extra-key": json.dumps({**data, "colour": "red"}),
        "empty": "",
    }[damage]
    path.write_text(broken)
    commits = commit_count(essay_ws)
    for args in (["gate", "start", "--gate", "G1"], ["gate", "finish", "--gate", "G1"],
                 ["invocation", "record", "--gate", "G1", "--agent", "a"], ["run", "complete"], ["run", "show"]):
        result = cli(*args, "--repo", essay_ws, "--run", run_id)
        assert result.code == 4, (args, result)
        assert f"runs/{run_id}/record/RUN.json" in result.err, (args, result)
        assert path.read_text() == broken
    assert commit_count(essay_ws) == commits
    assert sorted(p.name for p in path.parent.iterdir()) == ["RUN.json"]  # no temp file left


def test_run_list_shows_a_broken_run_as_unreadable(essay_ws):
    run_id = start_run(essay_ws)
    (essay_ws / "runs" / run_id / "record" / "RUN.json").write_text("{")
    listed = cli("run", "list", "--repo", essay_ws, "--json", check=0).json
    assert [(r["run_id"], r["status"]) for r in listed] == [(run_id, "UNREADABLE")]


def test_malformed_attempt_file_is_named(essay_ws):
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--reason", "x", check=1)
    ws = workspace.find(essay_ws)
    path = records.attempt_file(ws, run_id, "G1", 1)
    path.write_text(path.read_text().replace('"status": "FAIL"', '"status": "MAYBE"'))
    from runner.errors import RecordError

    with pytest.raises(RecordError) as info:
        records.load_attempt(ws, run_id, "G1", 1)
    assert f"attempt record {ws.rel(path)}: $.status: Invalid enum value 'MAYBE'" in info.value.message


def test_malformed_config_is_exit_4_naming_runner_json(essay_ws):
    (essay_ws / "runner.json").write_text('{"runs_dir": 5}')
    result = cli("run", "list", "--repo", essay_ws)
    assert result.code == 4 and "runner.json" in result.err and "runs_dir" in result.err, result


def test_output_symlink_leading_out_of_the_workspace_is_refused(essay_ws, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nstatus: APPROVED\n---\n")
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    (essay_ws / ART).mkdir(parents=True)
    (essay_ws / ART / "G1-INTAKE.md").symlink_to(secret)
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1")
    assert result.code == 4 and "outside the workspace" in result.err, result


@pytest.mark.slow
def test_no_traceback_from_the_installed_command(essay_ws):
    """Error paths of a real process: one line (plus a hint), never a traceback."""
    (essay_ws / G1).write_text("{")
    cases = [
        (["run", "start", "--workflow", "essay", "--slug", SLUG], 4),  # bad contract
        (["gate", "start", "--run", "r", "--gate", "G1", "--bogus"], 2),  # usage
    ]
    for args, code in cases:
        result = runner_proc(*args, cwd=essay_ws)
        assert result.code == code, (args, result)
        assert "Traceback" not in result.err and "File \"" not in result.err
        assert len([line for line in result.err.splitlines() if line.startswith("error")]) <= 1


def test_a_busy_workspace_times_out_with_exit_4_naming_the_holder(essay_ws):
    import os

    from runner import locking

    run_id = start_run(essay_ws)
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, "lock_timeout_s": 0.2}))
    with locking.hold(essay_ws / ".git" / "runner.lock", 1, "a long gate finish"):
        result = cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1")
    assert result.code == 4, result
    assert "busy" in result.err and f"pid {os.getpid()}" in result.err and "a long gate finish" in result.err
    assert Repo(essay_ws).run(run_id).gate("G1").current is None
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)


def test_a_contract_needing_the_artifact_path_in_a_run_without_one(essay_ws):
    # `run start` refuses such a workflow without --artifact-path; a contract changed since
    # the run started still fails its finish with a one-line error.
    contracts = {p: p.read_text() for p in (essay_ws / "contracts").glob("G*.contract.json")}
    for path, text in contracts.items():
        path.write_text(text.replace("{artifact_path}", ART))
    run_id = start_run(essay_ws, art=None)
    (essay_ws / G1).write_text(contracts[essay_ws / G1])
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1")
    assert result.code == 4, result
    assert G1 in result.err and "required_outputs.any_of[0].path" in result.err
    assert "no artifact path" in result.err and "--artifact-path" in result.err
    assert "unknown path variable" not in result.err
