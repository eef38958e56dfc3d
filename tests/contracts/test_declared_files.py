"""Files a workflow or a contract names must be there: `contracts validate` reports a
missing prompt template, schema file or pre-script, and a run refuses a contract whose
schema file is missing before it opens anything (it used to die when the gate finished,
leaving an open attempt)."""

from __future__ import annotations

import json

import pytest
from helpers import cli, commit_count, git

SCHEMA = "schemas/intake.schema.json"


@pytest.fixture
def ws(essay_ws):
    path = essay_ws / "contracts" / "G1.contract.json"
    contract = json.loads(path.read_text())
    contract["validations"].append({"type": "json_schema", "target": "{artifact_path}/intake.json", "schema": SCHEMA})
    path.write_text(json.dumps(contract))
    git(essay_ws, "add", "-A")
    git(essay_ws, "commit", "-q", "-m", "user: the workspace")
    return essay_ws


def _findings(root) -> list[str]:
    result = cli("contracts", "validate", "--repo", root, "--json")
    return [f"{f['file']}: {f['message']}" for f in result.json["findings"]]


def test_validate_reports_a_missing_schema_file_in_the_contract_and_the_workflow(ws):
    assert _findings(ws) == [
        f"contracts/G1.contract.json: validations[3].schema: schema file {SCHEMA} not found",
        (f"orchestration/workflows/essay.json: gates[0] (G1): contract contracts/G1.contract.json: "
        f"validations[3].schema: schema file {SCHEMA} not found"),
    ]
    (ws / "schemas").mkdir()
    (ws / SCHEMA).write_text('{"type": "object"}')
    assert _findings(ws) == []


def test_a_run_refuses_a_missing_schema_file_before_anything_is_written(ws):
    before = commit_count(ws)
    result = cli("run", "essay", "--repo", ws, "--slug", "robot", "--artifact-path", "essays/robot")
    assert result.code == 4
    assert f"validations[3].schema: schema file {SCHEMA} not found" in result.err
    assert [p for p in (ws / "runs").iterdir() if p.is_dir()] == []  # no run folder
    assert commit_count(ws) == before
    (ws / "schemas").mkdir()
    (ws / SCHEMA).write_text('{"type": "object"}')
    assert cli("run", "essay", "--repo", ws, "--slug", "robot", "--artifact-path", "essays/robot").code == 3


def test_validate_reports_a_prompt_template_that_names_no_file(essay_ws):
    (essay_ws / "orchestration" / "prompts" / "G2.md").unlink()
    workflow = essay_ws / "orchestration" / "workflows" / "essay.json"
    data = json.loads(workflow.read_text())
    data["gates"][2]["prompt_template"] = "G3-missing"
    workflow.write_text(json.dumps(data))
    assert _findings(essay_ws) == [
        ("orchestration/workflows/essay.json: gates[1] (G2): prompt_template 'orchestration/prompts/G2.md': "
        "no file orchestration/prompts/G2.md"),
        ("orchestration/workflows/essay.json: gates[2] (G3): prompt_template 'G3-missing': "
        "no file orchestration/prompts/G3-missing(.md|.txt)"),
    ]


def test_validate_reports_a_missing_pre_script(essay_ws):
    path = essay_ws / "contracts" / "G3.contract.json"
    contract = json.loads(path.read_text())
    contract["pre_scripts"] = [{"path": "scripts/index.mjs", "args": ["{slug}"]},
                               {"path": "{artifact_path}/make.py"}]  # resolved per run: not checked here
    path.write_text(json.dumps(contract))
    assert _findings(essay_ws) == [("contracts/G3.contract.json: pre_scripts[0].path: pre-script scripts/index.mjs "
                                   "not found")]
