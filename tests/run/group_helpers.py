"""A workspace with a one-gate workflow whose contract is trivial (one small output that
must exist): what grouped commits, the run layout and their benchmarks record many of."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import PYTHON, REPO
from run_helpers import add_workflow, commit_all, write_json

from runner import Repo

TRIVIAL = "trivial"
WORKFLOW = {"workflow": TRIVIAL, "version": "1", "gates": [
    {"gate": "G1", "name": "Make", "kind": "agent", "agent": "maker", "contract": "contracts/T1.contract.json"}]}
CONTRACT = {"gate": "G1", "name": "Make", "blocking": True,
            "required_outputs": {"all_of": [{"path": "{artifact_path}/out.txt", "description": "the output"}]},
            "validations": [{"type": "file_exists", "target": "all_required"}]}


def install_trivial(root: Path) -> Path:
    add_workflow(root, WORKFLOW)
    write_json(root / "contracts" / "T1.contract.json", CONTRACT)
    with open(root / ".gitignore", "a") as fh:
        fh.write("out/\n")  # the outputs; only records are committed here
    commit_all(root)
    return root


def finish_many(repo: Repo, runs: list[str]) -> None:
    """Start and finish G1 of each run (its output written first): PASS."""
    for run_id in runs:
        run = repo.run(run_id)
        out = repo.root / run.workflow.artifact_path / "out.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"{run_id}\n")
        repo.gate_start(run_id, "G1", agent="maker")
        repo.gate_finish(run_id, "G1")


KILL = """
import os, signal, sys
from runner import Repo
sys.path.insert(0, {tests!r}); sys.path.insert(0, {run_tests!r})
from group_helpers import finish_many
repo = Repo({root!r})
with repo.commit_group():
    finish_many(repo, [{run_id!r}])
    os.kill(os.getpid(), signal.SIGKILL)
"""


def kill_inside_a_group(root: Path, run_id: str) -> None:
    """A real process that finishes G1 of `run_id` inside a group and is killed before
    the group commits."""
    tests = REPO / "tests"
    code = KILL.format(tests=str(tests), run_tests=str(tests / "run"), root=str(root), run_id=run_id)
    result = subprocess.run([str(PYTHON), "-c", code], capture_output=True, timeout=60, check=False)
    assert result.returncode == -9, result.stderr.decode()
