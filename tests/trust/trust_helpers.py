"""A committed workspace with one agent gate D whose contract names one output
(`{artifact_path}/<name>`) checked by json_schema, and a workflow `t` that uses it."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import cli, git

SCHEMA = {"type": ["object", "array"]}


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def structured_workspace(root: Path, output: str = "data.json") -> Path:
    write_json(root / "schemas" / "data.schema.json", SCHEMA)
    write_json(root / "contracts" / "D.contract.json", {
        "gate": "D", "name": "Data",
        "required_outputs": {"all_of": [{"path": "{artifact_path}/" + output}]},
        "validations": [{"type": "json_schema", "target": "{artifact_path}/" + output,
                         "schema": "schemas/data.schema.json"}],
    })
    write_json(root / "orchestration" / "workflows" / "t.json", {
        "workflow": "t", "gates": [{"gate": "D", "kind": "agent", "contract": "contracts/D.contract.json"}]})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: set up the workspace")
    return root


def started_gate(root: Path) -> str:
    """A run of `t` (artifact path `art`) with gate D started; returns the run id."""
    (root / "art").mkdir(exist_ok=True)
    run_id = cli("run", "start", "--repo", root, "--workflow", "t", "--slug", "s", "--artifact-path", "art",
                 "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "D", check=0)
    return run_id


def one_line_error(result, code: int = 4, *words: str) -> str:
    """A refusal of one line `error: ...` (and its hint), no traceback, never exit 70."""
    assert result.code == code, result
    lines = result.err.strip().splitlines()
    assert lines and lines[0].startswith("error: ") and len(lines) <= 2, result
    for word in words:
        assert word in result.err, result
    return lines[0]
