"""Every gate of the essay example and of the original visual-essay workflow has a prompt
template in orchestration/prompts/, so no prompt packet says "template not found": the
packet's instructions are the template, with the run's variables filled in."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import ESY, REPO, git, make_repo, requires_shared

from runner import Repo
from runner.models.workflow import Config
from runner.run import packets

PROMPTS = REPO / "orchestration" / "prompts"


def _packets(root, workflow: str, slug: str, art: str) -> dict[str, str]:
    """The prompt packet of attempt 1 of every gate of a new run, as the driver writes it."""
    repo = Repo(root)
    run = repo.start_run(workflow, slug, art)
    wf = packets.contracts.run_workflow(repo.ws, run.workflow)
    return {g.gate: packets.build(repo.session, run, g, run.gate(g.gate), 1, []) for g in wf.gates}


def _check(texts: dict[str, str], slug: str) -> None:
    for gate, text in texts.items():
        assert "not found" not in text and "no prompt_template" not in text, gate
        instructions = text.split("## Instructions\n", 1)[1].split("\n## ", 1)[0]
        assert instructions.startswith(f"# {gate} "), (gate, instructions[:80])
        assert "{slug}" not in instructions and "{agent}" not in instructions, gate


def test_the_essay_example_has_a_template_for_each_gate(essay_ws):
    shutil.copytree(PROMPTS, essay_ws / "orchestration" / "prompts", dirs_exist_ok=True)
    git(essay_ws, "add", "-A")
    git(essay_ws, "commit", "-q", "-m", "user: the example")
    texts = _packets(essay_ws, "essay", "robot", "essays/robot")
    assert list(texts) == ["G1", "G2", "G3"]
    _check(texts, "robot")
    assert 'You are essay-orchestrator, opening the work on "robot"' in texts["G1"]


@requires_shared()
def test_the_visual_essay_workflow_has_a_template_for_each_of_its_18_gates(tmp_path, _git_template):
    from runner import workspace

    ws_root = make_repo(tmp_path / "esy")
    workspace.init(ws_root, Config(contracts_dir="orchestration/gates/contracts", runs_dir="orchestration/runs"))
    contracts = ws_root / "orchestration" / "gates" / "contracts"
    for contract in (ESY / "contracts").glob("*.contract.json"):
        shutil.copyfile(contract, contracts / contract.name)
    shutil.copyfile(ESY / "workflows" / "visual-essay.json", ws_root / "orchestration/workflows/visual-essay.json")
    shutil.copytree(PROMPTS, ws_root / "orchestration" / "prompts", dirs_exist_ok=True)
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "user: their pipeline")
    texts = _packets(ws_root, "visual-essay", "lucy", "src/app/essays/science/lucy")
    assert len(texts) == 18
    _check(texts, "lucy")
    assert "src/app/essays/science/lucy/research/G5.2-DESIGN-FIDELITY-AUDIT.md" in texts["G5.2"]


@pytest.mark.parametrize("workflow", ["essay"])
def test_every_template_a_shipped_workflow_names_exists(workflow):
    gates = json.loads((REPO / "orchestration" / "workflows" / f"{workflow}.json").read_text())["gates"]
    for gate in gates:
        if gate.get("prompt_template"):
            assert (REPO / gate["prompt_template"]).is_file(), gate["prompt_template"]
