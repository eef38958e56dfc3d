"""YAML anchors and aliases are refused in every YAML the runner reads (a workflow,
operator.yaml, a patch file, a YAML output under a check), so an alias bomb cannot hang
a command: a declaration is refused with one line, an output fails its check."""

from __future__ import annotations

import pytest
from helpers import cli, runner_proc
from trust_helpers import one_line_error, started_gate, structured_workspace

from runner import Repo

LAUGHS = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9))
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS  # 9**10 nodes
SMALL_ALIAS = "defaults: &d {kind: agent}\n"


def _workflow_yaml(prefix: str) -> str:
    return prefix + "workflow: y\ngates:\n  - gate: A\n    kind: human\n"


@pytest.mark.parametrize("prefix", [BOMB, SMALL_ALIAS], ids=["bomb", "one-anchor"])
def test_a_workflow_with_aliases_is_refused_quickly(ws_root, prefix):
    (ws_root / "orchestration" / "workflows" / "y.yaml").write_text(_workflow_yaml(prefix))
    result = runner_proc("run", "start", "--workflow", "y", "--slug", "s", cwd=ws_root, timeout=30)
    one_line_error(result, 4, "aliases")
    lint = runner_proc("contracts", "validate", cwd=ws_root, timeout=30)
    assert lint.code == 1 and "aliases" in lint.out + lint.err, lint


def test_an_alias_inside_a_gate_is_refused(ws_root):
    (ws_root / "orchestration" / "workflows" / "y.yaml").write_text(
        "workflow: y\ngates:\n  - &g {gate: A, kind: human}\n  - *g\n")
    one_line_error(cli("run", "start", "--repo", ws_root, "--workflow", "y", "--slug", "s"), 4, "aliases")


def test_an_operator_file_with_an_alias_bomb_is_refused(ws_root):
    (ws_root / "orchestration" / "workflows" / "y.yaml").write_text(_workflow_yaml(""))
    (ws_root / "orchestration" / "operator.yaml").write_text(BOMB + "gates: {}\n")
    result = runner_proc("run", "start", "--workflow", "y", "--slug", "s", cwd=ws_root, timeout=30)
    one_line_error(result, 4, "operator", "aliases")


def test_a_yaml_output_with_aliases_fails_its_check_with_the_reason(ws_root):
    root = structured_workspace(ws_root, "data.yaml")
    run_id = started_gate(root)
    (root / "art" / "data.yaml").write_text(BOMB)
    result = runner_proc("gate", "finish", "--run", run_id, "--gate", "D", "--json", cwd=root, timeout=30)
    assert result.code == 1, result
    [check] = result.json["validations"]
    assert check["status"] == "FAIL" and "aliases" in check["message"], check
    assert Repo(root).run(run_id).gate("D").status == "FAIL"


def test_a_yaml_patch_file_with_aliases_is_refused():
    from runner.patches import PatchError
    from runner.patches.base import load_structured

    with pytest.raises(PatchError, match="aliases"):
        load_structured(BOMB.encode(), "out/data.yaml")


def test_yaml_without_aliases_still_loads(ws_root):
    (ws_root / "orchestration" / "workflows" / "y.yaml").write_text(_workflow_yaml("# no anchors here: & * are text\n"))
    cli("run", "start", "--repo", ws_root, "--workflow", "y", "--slug", "s", check=0)
