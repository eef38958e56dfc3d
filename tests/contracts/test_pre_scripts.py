"""A contract's pre_scripts run as the original runner ran them (argv, in the workspace,
before the outputs are hashed and checked), their result recorded in the attempt;
offline they are SKIPPED. G9 of the originals registers the essay with a Node script."""

from __future__ import annotations

import hashlib
import json
import shutil

import msgspec
import pytest
from helpers import ART, SLUG, cli, git, start_run, write_outputs

from runner import Repo
from runner.contracts import evaluate
from runner.contracts.prescripts import argv_of
from runner.models.contract import Contract, PreScript
from runner.paths import run_variables

REGISTER = """import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
const slug = args[args.indexOf('--slug') + 1];
appendFileSync('src/data/visualEssays.ts', `'${slug}',\\n`);
console.log(`registered ${slug}`);
"""


def _contract(script: str = "scripts/register-essay.mjs") -> Contract:
    return msgspec.convert({
        "gate": "G9",
        "required_outputs": {"all_of": [{"path": "src/data/visualEssays.ts"}]},
        "validations": [{"type": "contains_text", "target": "src/data/visualEssays.ts", "patterns": ["{slug}"]}],
        "pre_scripts": [{"path": script, "args": ["--slug", "{slug}", "--artifact-path", "{artifact_path}"]}],
    }, Contract)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "ws"
    (root / "scripts").mkdir(parents=True)
    (root / "src" / "data").mkdir(parents=True)
    (root / "src" / "data" / "visualEssays.ts").write_text("export const ESSAYS = [\n")
    (root / "scripts" / "register-essay.mjs").write_text(REGISTER)
    return root


def _evaluate(root, contract, offline=False):
    values = run_variables(root, "robot", "essays/robot", "run_x")
    return evaluate.evaluate(root, contract, "contracts/G9.contract.json", values, "standard", offline=offline)


def test_argv_is_the_interpreter_of_the_script_and_its_substituted_args():
    values = {"slug": "robot", "artifact_path": "essays/robot"}
    assert argv_of(PreScript(path="scripts/register-essay.mjs", args=["--slug", "{slug}"]), values) == \
        ["node", "scripts/register-essay.mjs", "--slug", "robot"]
    assert argv_of(PreScript(path="tools/index.py"), values) == ["python3", "tools/index.py"]
    assert argv_of(PreScript(path="bin/register", args=["{artifact_path}"]), values) == ["bin/register", "essays/robot"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_node_script_runs_in_the_workspace_before_the_checks(root):
    ev = _evaluate(root, _contract())
    assert ev.status == "PASS", ev.failure_reason
    assert "'robot'" in (root / "src/data/visualEssays.ts").read_text()
    pre = ev.validations[0]
    assert (pre.index, pre.type, pre.status, pre.target) == (-1, "pre_script", "PASS", "scripts/register-essay.mjs")
    assert pre.details["argv"] == ["node", "scripts/register-essay.mjs", "--slug", "robot", "--artifact-path",
                                   "essays/robot"]
    assert pre.details["exit_code"] == 0 and pre.details["stdout"] == "registered robot\n"
    # the output the script wrote is hashed as it is after the script
    assert ev.artifacts[0].sha256 == hashlib.sha256((root / "src/data/visualEssays.ts").read_bytes()).hexdigest()


def test_a_script_that_fails_fails_the_gate_with_its_last_line(root):
    (root / "scripts" / "register.py").write_text("import sys\nprint('cannot register', file=sys.stderr)\nsys.exit(3)\n")
    ev = _evaluate(root, _contract("scripts/register.py"))
    assert ev.status == "FAIL"
    assert "pre_scripts[0]: pre-script scripts/register.py exited 3: cannot register" in ev.failure_reason
    assert ev.validations[0].details["exit_code"] == 3


def test_a_missing_script_fails(root):
    ev = _evaluate(root, _contract("scripts/nowhere.mjs"))
    assert ev.status == "FAIL" and "pre-script scripts/nowhere.mjs does not exist" in ev.failure_reason


def test_offline_nothing_runs_and_the_script_is_recorded_skipped(root):
    ev = _evaluate(root, _contract(), offline=True)
    pre = ev.validations[0]
    assert (pre.status, pre.message) == ("SKIPPED", "not run (--offline)")
    assert "robot" not in (root / "src/data/visualEssays.ts").read_text()
    assert ev.status == "FAIL"  # its check then sees the index without the essay


def test_gate_finish_records_the_script_in_the_attempt_and_verify_passes(essay_ws):
    contract = json.loads((essay_ws / "contracts/G1.contract.json").read_text())
    contract["pre_scripts"] = [{"path": "scripts/stamp.py", "args": ["{artifact_path}/stamp.txt", "{slug}"]}]
    (essay_ws / "contracts/G1.contract.json").write_text(json.dumps(contract))
    (essay_ws / "scripts").mkdir()
    (essay_ws / "scripts/stamp.py").write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[1])\np.parent.mkdir(parents=True, exist_ok=True)\n"
        "p.write_text(sys.argv[2])\n")
    git(essay_ws, "add", "-A")
    git(essay_ws, "commit", "-q", "-m", "user: a pre-script")
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    write_outputs(essay_ws, "G1")
    cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    assert (essay_ws / ART / "stamp.txt").read_text() == SLUG
    attempt = Repo(essay_ws).attempt(run_id, "G1", 1)
    first = attempt.validations[0]
    assert (first.index, first.type, first.status) == (-1, "pre_script", "PASS")
    assert cli("verify", "--repo", essay_ws, "--json", check=0).json["findings"] == []
