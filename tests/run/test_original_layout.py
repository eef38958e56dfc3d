"""A repository laid out like the original (orchestration/gates/contracts,
orchestration/runs) works without moving files: the 18 reference contracts validate, and
a run of G1-G3 passes with outputs this test writes."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import ESY, REPO, changed_files, cli, git, porcelain, requires_shared, subject

from runner import records, workspace

pytestmark = requires_shared()

SLUG = "the-word-robot"
ART = f"src/app/essays/{SLUG}"


@pytest.fixture
def original(ws_root):
    root = ws_root
    (root / "runner.json").write_text(json.dumps(
        {"contracts_dir": "orchestration/gates/contracts", "runs_dir": "orchestration/runs"}))
    shutil.copytree(ESY / "contracts", root / "orchestration" / "gates" / "contracts")
    workflows = root / "orchestration" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    shutil.copy(ESY / "workflows" / "visual-essay.json", workflows / "visual-essay.json")
    # beside the contracts, their repository has the gates' prompt templates and G9's pre-script
    shutil.copytree(REPO / "orchestration" / "prompts", root / "orchestration" / "prompts", dirs_exist_ok=True)
    _write(root, "scripts/register-essay.mjs", "// registers the essay in src/data/visualEssays.ts\n")
    cli("init", root, check=0)  # adds the ignore line for the configured runs_dir
    return root


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _outputs(root, gate):
    if gate == "G1":
        _write(root, f"{ART}/G1-INTAKE.md", "---\nstatus: APPROVED\n---\n# Intake\nScope: the word robot.\n")
    elif gate == "G2":
        sources = "".join(f"### Source {i}: archive {i}\n- https://example.org/archive/{i}\n\n" for i in range(1, 10))
        _write(root, f"{ART}/research/CITATIONS.md", f"# Citations\n\n{sources}")
        _write(root, f"{ART}/research/TIMELINE.md", "# Timeline\n- 1920: R.U.R.\n")
        _write(root, f"{ART}/research/FIGURES.md", "# Figures\n- Karel Capek\n")
    else:
        layers = "".join(f"## Layer {i}\nText {i}.\n\n" for i in range(1, 7))
        _write(root, f"orchestration/skills/visual-essay-invocation/specs/{SLUG}.md", f"# {SLUG}\n\n{layers}")


def test_contracts_validate_passes(original):
    result = cli("contracts", "validate", "--repo", original, "--json")
    assert result.code == 0, result
    assert result.json == {"checked": 19, "findings": []}


def test_a_run_of_g1_to_g3(original):
    root = original
    ws = workspace.find(root)
    data = cli("run", "start", "--repo", root, "--workflow", "visual-essay", "--slug", SLUG,
               "--artifact-path", ART, "--json", check=0).json
    run_id = data["run_id"]
    assert len(data["gates"]) == 18
    assert (root / "orchestration" / "runs" / run_id / "record" / "RUN.json").is_file()
    assert not (root / "runs" / run_id).exists()

    # a failure first: G1 rejected
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", "--agent", "visual-essay-orchestrator",
        check=0)
    _write(root, f"{ART}/G1-INTAKE.md", "---\nstatus: FAIL\n---\n[REJECTED]\n")
    failed = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", "--json", check=1).json
    assert [v["index"] for v in failed["validations"] if v["status"] == "FAIL"] == [1, 2]

    for gate in ("G1", "G2", "G3"):
        cli("gate", "start", "--repo", root, "--run", run_id, "--gate", gate, check=0)
        _outputs(root, gate)
        attempt = cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", gate, "--json").json
        assert attempt["status"] == "PASS", attempt
        assert attempt["contract"]["path"] == f"orchestration/gates/contracts/{gate}.contract.json"
        assert subject(root) == f"runner: {run_id} gate {gate} attempt {attempt['attempt']} PASS"
        assert f"orchestration/runs/{run_id}/record/gates/{gate}/attempt-{attempt['attempt']}.json" in changed_files(root)

    run = records.load_run(ws, run_id)
    assert [(g.gate, g.status, len(g.attempts)) for g in run.gates[:3]] == [("G1", "PASS", 2), ("G2", "PASS", 1),
                                                                             ("G3", "PASS", 1)]
    assert run.status == "RUNNING"
    spec = f"orchestration/skills/visual-essay-invocation/specs/{SLUG}.md"
    assert spec in [e.path for e in run.artifacts_index]
    assert not [line for line in porcelain(root) if "orchestration/runs/run_" in line]
    logs = root / "orchestration" / "runs" / run_id / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "x.log").write_text("x")
    assert git(root, "check-ignore", f"orchestration/runs/{run_id}/logs/x.log").strip()
