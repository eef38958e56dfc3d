"""JSON or YAML nested 100,000 deep, as a record, a declaration or a gate's output, gives
a one-line error (a record or declaration) or a FAIL with the reason (an output), never
exit 70; the gate never stays RUNNING. Nothing deeper than jsonio.MAX_DEPTH is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ART, cli, git
from trust_helpers import one_line_error, started_gate, structured_workspace, write_json

from runner import Repo, jsonio
from runner.errors import RecordError

DEEP = 100_000
DEEP_JSON = "[" * DEEP + "]" * DEEP
DEEP_OBJECT = '{"a": ' * DEEP + "1" + "}" * DEEP
DEEP_YAML_FLOW = "[" * DEEP + "]" * DEEP + "\n"
DEEP_YAML_BLOCK = "".join("  " * i + "- \n" for i in range(5000)) + "  " * 5000 + "- x\n"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def with_deep_value(path: Path, put, text: str) -> None:
    """`path`'s JSON with `text` (deep JSON) where `put(document, marker)` puts a marker."""
    document = json.loads(path.read_text())
    put(document, "@@deep@@")
    path.write_text(json.dumps(document).replace('"@@deep@@"', text))


@pytest.mark.parametrize("text", [DEEP_JSON, DEEP_OBJECT, nested(jsonio.MAX_DEPTH + 1)], ids=["array", "object", "201"])
def test_a_deep_record_is_a_one_line_error(essay_ws_committed, text):
    root = essay_ws_committed
    run_id = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "s", "--artifact-path", ART,
                 "--json", check=0).json["run_id"]
    with_deep_value(root / "runs" / run_id / "record" / "RUN.json",
                    lambda run, marker: run["events"][0]["data"].update(x=marker), text)
    one_line_error(cli("run", "show", "--repo", root, "--run", run_id), 4, "nested")
    one_line_error(cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1"), 4, "nested")


@pytest.mark.parametrize("text", [DEEP_JSON, DEEP_OBJECT, nested(jsonio.MAX_DEPTH + 1)], ids=["array", "object", "201"])
def test_a_deep_contract_is_a_one_line_error(essay_ws_committed, text):
    root = essay_ws_committed
    run_id = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "s", "--artifact-path", ART,
                 "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    with_deep_value(root / "contracts" / "G1.contract.json",
                    lambda contract, marker: contract.update(audit_criteria=marker), text)
    one_line_error(cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1"), 4, "nested")
    lint = cli("contracts", "validate", "--repo", root)
    assert lint.code == 1 and "nested" in lint.out + lint.err, lint


def test_a_deep_json_workflow_is_a_one_line_error(essay_ws):
    with_deep_value(essay_ws / "orchestration" / "workflows" / "essay.json",
                    lambda workflow, marker: workflow["gates"][0].update(params={"x": marker}), DEEP_OBJECT)
    one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s"), 4, "nested")


@pytest.mark.parametrize("text", [DEEP_YAML_FLOW, DEEP_YAML_BLOCK], ids=["flow", "block"])
def test_a_deep_yaml_workflow_is_a_one_line_error(ws_root, text):
    (ws_root / "orchestration" / "workflows" / "y.yaml").write_text(text)
    one_line_error(cli("run", "start", "--repo", ws_root, "--workflow", "y", "--slug", "s"), 4, "nested")


@pytest.mark.parametrize("name, text", [
    ("data.json", DEEP_JSON), ("data.json", DEEP_OBJECT), ("data.json", nested(jsonio.MAX_DEPTH + 1)),
    ("data.yaml", DEEP_YAML_FLOW), ("data.yaml", DEEP_YAML_BLOCK),
])
def test_a_deep_output_fails_its_json_schema_check_with_the_reason(ws_root, name, text):
    root = structured_workspace(ws_root, name)
    run_id = started_gate(root)
    (root / "art" / name).write_text(text)
    result = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "D", "--json")
    assert result.code == 1, result
    [check] = result.json["validations"]
    assert check["status"] == "FAIL" and "nested" in check["message"], check
    assert Repo(root).run(run_id).gate("D").status == "FAIL"  # not RUNNING


def test_an_output_just_under_the_limit_is_validated(ws_root):
    root = structured_workspace(ws_root)
    run_id = started_gate(root)
    (root / "art" / "data.json").write_text(nested(jsonio.MAX_DEPTH))
    result = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "D", "--json")
    assert result.code == 0, result


def test_a_deep_schema_whose_validation_recurses_fails_not_crashes(ws_root):
    """A recursive schema walks a deep (but readable) instance: the check fails with the
    reason instead of overflowing the stack."""
    root = structured_workspace(ws_root)
    write_json(root / "schemas" / "data.schema.json", {"type": "array", "items": {"$ref": "#"}})
    git(root, "commit", "-qam", "user: a recursive schema")
    run_id = started_gate(root)
    (root / "art" / "data.json").write_text(nested(jsonio.MAX_DEPTH))
    result = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "D", "--json")
    assert result.code in (0, 1), result
    check = result.json["validations"][0]
    assert check["status"] == "PASS" or "nested" in check["message"], check


def test_a_deep_frontmatter_output_is_evaluated(essay_ws_committed):
    root = essay_ws_committed
    run_id = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "robot", "--artifact-path",
                 "essays/robot", "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    out = root / "essays" / "robot" / "G1-INTAKE.md"
    out.parent.mkdir(parents=True)
    out.write_text(f"---\nstatus: {DEEP_YAML_FLOW}slug: robot\n---\n# Intake\n")
    result = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", "--json")
    assert result.code in (0, 1) and result.json["status"] in ("PASS", "FAIL"), result


def test_the_reader_refuses_depth_beyond_the_limit(tmp_path):
    path = Path(tmp_path / "deep.json")
    path.write_text(nested(jsonio.MAX_DEPTH + 1))
    with pytest.raises(RecordError, match="nested"):
        jsonio.read_json(path)
    path.write_text(nested(jsonio.MAX_DEPTH))
    assert jsonio.read_json(path) is not None
