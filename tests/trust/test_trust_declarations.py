"""`contracts validate` reports every declared path a run would refuse (an output or a
check target that is absolute or leaves the workspace, an absolute or escaping
prompt_template, a contract outside the workspace), each as its own finding; a workflow
without gates, a command gate without a command, and a contract declaring another gate
than the one using it are refused with the reason; --patch reads only a regular file."""

from __future__ import annotations

import json
import os

import pytest
from helpers import cli, runner_proc, start_run
from trust_helpers import one_line_error, write_json

CONTRACT = {"gate": "G9", "name": "Paths", "required_outputs": {"all_of": [{"path": "{artifact_path}/ok.md"}]}}


def _lint(root, *paths):
    result = cli("contracts", "validate", "--repo", root, "--json", *paths)
    assert result.code in (0, 1), result
    return result.code, [f"{f['file']}: {f['message']}" for f in result.json["findings"]]


@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/passwd", "{artifact_path}/../../../etc/passwd",
                                  "a/../../x", "{slug}/../../x"])
def test_an_output_path_a_run_would_refuse_is_a_finding(essay_ws, path):
    contract = {**CONTRACT, "required_outputs": {"all_of": [{"path": path}, {"path": "{artifact_path}/ok.md"}]},
                "validations": [{"type": "file_exists", "target": path}]}
    write_json(essay_ws / "contracts" / "G9.contract.json", contract)
    code, findings = _lint(essay_ws)
    mine = [f for f in findings if f.startswith("contracts/G9.contract.json")]
    assert code == 1 and len(mine) == 2, findings  # the output, and the check's target
    assert any("required_outputs.all_of[0].path" in f for f in mine), mine
    assert any("validations[0].target" in f for f in mine), mine


def test_paths_that_stay_inside_are_no_finding(essay_ws):
    contract = {**CONTRACT, "required_outputs": {"all_of": [{"path": "{artifact_path}/sub/../ok.md"},
                                                            {"path": "{artifact_path}/../{slug}.md"}]}}
    write_json(essay_ws / "contracts" / "G9.contract.json", contract)
    assert _lint(essay_ws) == (0, [])


@pytest.mark.parametrize("field, path", [
    ("prompt_template", "/etc/passwd"), ("prompt_template", "../outside.md"),
    ("prompt_template", "prompts/../../outside.md"),
    ("contract", "/etc/passwd"), ("contract", "../G1.contract.json"), ("contract", "contracts/../../x.contract.json"),
])
def test_a_gate_path_a_run_would_refuse_is_a_finding(essay_ws, field, path):
    workflow = essay_ws / "orchestration" / "workflows" / "essay.json"
    data = json.loads(workflow.read_text())
    data["gates"][0][field] = path
    workflow.write_text(json.dumps(data))
    code, findings = _lint(essay_ws)
    assert code == 1 and any(field in f and "gates[0]" in f for f in findings), findings


def test_a_workflow_without_gates_is_refused(ws_root):
    write_json(ws_root / "orchestration" / "workflows" / "w.json", {"workflow": "w", "gates": []})
    one_line_error(cli("run", "start", "--repo", ws_root, "--workflow", "w", "--slug", "s"), 4, "gates")
    code, findings = _lint(ws_root)
    assert code == 1 and any("gates" in f for f in findings), findings


@pytest.mark.parametrize("gate", [{"gate": "C", "kind": "command", "command": []},
                                  {"gate": "C", "kind": "command", "command": ["", "x"]},
                                  {"gate": "C", "kind": "command"}], ids=["empty", "empty-program", "none"])
def test_a_command_gate_without_a_command_is_refused(ws_root, gate):
    write_json(ws_root / "orchestration" / "workflows" / "w.json", {"workflow": "w", "gates": [gate]})
    one_line_error(cli("run", "start", "--repo", ws_root, "--workflow", "w", "--slug", "s"), 4, "command")
    code, findings = _lint(ws_root)
    assert code == 1 and any("command" in f for f in findings), findings
    assert not list((ws_root / "runs").glob("run_*"))


def test_a_contract_for_another_gate_is_refused(essay_ws):
    contract = essay_ws / "contracts" / "G2.contract.json"
    contract.write_text(json.dumps({**json.loads(contract.read_text()), "gate": "G7"}))
    one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s"), 4, "G7", "G2")
    code, findings = _lint(essay_ws)
    assert code == 1 and any("G7" in f and "gates[1]" in f for f in findings), findings


def _waiting_run(root):
    """A run whose human gate H waits for a decision."""
    write_json(root / "orchestration" / "workflows" / "h.json",
               {"workflow": "h", "gates": [{"gate": "H", "kind": "human"}]})
    run_id = start_run(root, workflow="h", art=None)
    result = cli("run", "resume", "--repo", root, "--run", run_id)
    assert result.code == 3, result
    return run_id


def test_a_patch_that_is_a_fifo_is_refused(essay_ws):
    run_id = _waiting_run(essay_ws)
    os.mkfifo(essay_ws / "patch.json")
    result = runner_proc("gate", "reject", "--run", run_id, "--gate", "H", "--patch", "patch.json", cwd=essay_ws,
                         timeout=30)  # a FIFO read would wait for a writer for ever
    one_line_error(result, 4, "not a regular file")


def test_a_patch_that_is_a_directory_is_refused(tmp_path):
    from runner import patches

    with pytest.raises(patches.PatchError, match="not a regular file"):
        patches.load_patch(tmp_path)
