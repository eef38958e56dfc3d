"""The start of the original visual-essay pipeline (G1 to G3, from ../shared/conformance/esy),
in a workspace laid out like the original, driven end to end with outputs the test writes."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import ESY, make_repo, requires_shared
from run_helpers import attempt, check_history, commit_all, head, load, run_id_of, runner

pytestmark = [pytest.mark.slow, requires_shared()]

SLUG = "the-word-robot"
ART = f"src/app/essays/{SLUG}"
RUNS = "orchestration/runs"
SPEC = f"orchestration/skills/visual-essay-invocation/specs/{SLUG}.md"


@pytest.fixture
def esy_ws(tmp_path, _git_template):
    from runner import workspace
    from runner.models.workflow import Config

    root = make_repo(tmp_path / "esy")
    workspace.init(root, Config(contracts_dir="orchestration/gates/contracts", runs_dir=RUNS))
    contracts = sorted((ESY / "contracts").glob("*.contract.json"))
    assert len(contracts) == 18
    for contract in contracts:
        shutil.copyfile(contract, root / "orchestration" / "gates" / "contracts" / contract.name)
    shutil.copyfile(ESY / "workflows" / "visual-essay.json", root / "orchestration" / "workflows" / "visual-essay.json")
    commit_all(root)
    return root


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_visual_essay_g1_to_g3(esy_ws):
    root, base = esy_ws, head(esy_ws)
    config = json.loads((root / "runner.json").read_text())
    assert (config["contracts_dir"], config["runs_dir"]) == ("orchestration/gates/contracts", RUNS)

    first = runner(root, "run", "visual-essay", "--slug", SLUG, "--artifact-path", ART, check=3)
    rid = run_id_of(first)
    assert "gate G1 attempt 1 waits for its outputs" in first.out
    packet = (root / RUNS / rid / "logs" / "gates" / "G1" / "prompt-1.txt").read_text()
    assert "agent:          visual-essay-orchestrator" in packet and f"- {ART}/G1-INTAKE.md" in packet
    assert "Validates scope, depth, and creates intake approval artifact" in packet  # no template: the description
    workflow = json.loads((ESY / "workflows" / "visual-essay.json").read_text())
    assert [g.gate for g in load(root, rid).gates] == [g["gate"] for g in workflow["gates"]]

    _write(root, f"{ART}/G1-INTAKE.md", f"---\nstatus: APPROVED\nslug: {SLUG}\n---\n# Intake\nScope: the word robot.\n")
    assert "gate G2 attempt 1 waits for its outputs" in runner(root, "run", "resume", "--run", rid, check=3).out

    sources = "".join(f"### Source {i}\n- https://example.org/robot/{i}\n\n" for i in range(1, 9))  # standard: 8
    _write(root, f"{ART}/research/CITATIONS.md", f"# Citations\n\n{sources}")
    _write(root, f"{ART}/research/TIMELINE.md", "# Timeline\n- 1920: R.U.R.\n")
    _write(root, f"{ART}/research/FIGURES.md", "# Figures\n- Karel Capek\n")
    assert "gate G3 attempt 1 waits for its outputs" in runner(root, "run", "resume", "--run", rid, check=3).out

    layers = "".join(f"## Layer {i}\nLayer {i} of the essay.\n\n" for i in range(1, 7))
    _write(root, SPEC, f"# {SLUG}\n\n{layers}")
    assert "gate G4 attempt 1 waits for its outputs" in runner(root, "run", "resume", "--run", rid, check=3).out

    run = load(root, rid)
    assert [g.status for g in run.gates[:4]] == ["PASS", "PASS", "PASS", "RUNNING"]
    g2 = attempt(root, rid, "G2", 1)
    assert g2.status == "PASS" and {v.type: v.status for v in g2.validations} == {
        "file_exists": "PASS", "dir_exists": "PASS", "min_file_count": "PASS", "min_sources_any_of": "PASS"}
    assert attempt(root, rid, "G3", 1).artifacts[0].path == SPEC
    assert {e.path for e in run.artifacts_index} >= {f"{ART}/G1-INTAKE.md", f"{ART}/research/CITATIONS.md", SPEC}

    runner(root, "run", "cancel", "--run", rid, "--reason", "stop after G3", check=0)
    assert load(root, rid).status == "CANCELED" and attempt(root, rid, "G4", 1).status == "FAIL"
    check_history(root, rid, base, runs_dir=RUNS)
    assert (root / ".gitignore").read_text().splitlines() == [f"{RUNS}/*/logs/"]
