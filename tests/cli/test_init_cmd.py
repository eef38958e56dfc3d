"""`runner init`: makes a git repository a workspace; idempotent; never overwrites."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from helpers import REPO, RUNNER_BIN, cli, make_repo, runner_proc

from runner import workspace
from runner.models.workflow import Config


def test_init_json_and_state_on_disk(tmp_path):
    root = make_repo(tmp_path / "repo")
    result = cli("init", root, "--json", check=0)
    data = result.json
    assert data["root"] == str(root.resolve())
    assert set(data["created"]) == {"runner.json", ".gitignore", ".gitattributes", "contracts/.gitkeep",
                                    "orchestration/workflows/.gitkeep", "runs/.gitkeep"}
    ws = workspace.find(root)
    assert ws.config == Config()
    assert "runs/*/logs/" in (root / ".gitignore").read_text().splitlines()
    assert "runs/** -text" in (root / ".gitattributes").read_text().splitlines()


def test_init_twice_changes_nothing(tmp_path):
    root = make_repo(tmp_path / "repo")
    first = cli("init", root, check=0)
    assert "next: commit these files" in first.err and "git add .gitattributes .gitignore contracts" in first.err
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    second = cli("init", root, "--json", check=0)
    assert second.json["created"] == []
    again = cli("init", root, check=0)
    assert "nothing changed" in again.out and "git add" not in again.err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts} == snapshot


def test_init_keeps_an_existing_config_and_gitignore(tmp_path):
    root = make_repo(tmp_path / "repo")
    config = {"contracts_dir": "orchestration/gates/contracts", "runs_dir": "orchestration/runs", "commit": False}
    (root / "runner.json").write_text(json.dumps(config, indent=4))  # the user's own formatting
    (root / ".gitignore").write_text("# mine\nnode_modules/\ndist\n")
    created = cli("init", root, "--json", check=0).json["created"]
    assert "runner.json" not in created
    assert json.loads((root / "runner.json").read_text()) == config
    assert (root / "runner.json").read_text() == json.dumps(config, indent=4)
    lines = (root / ".gitignore").read_text().splitlines()
    assert lines == ["# mine", "node_modules/", "dist", "orchestration/runs/*/logs/"]
    assert (root / "orchestration" / "gates" / "contracts").is_dir()
    assert (root / "orchestration" / "runs").is_dir()
    cli("init", root, check=0)
    assert (root / ".gitignore").read_text().splitlines() == lines


def test_init_keeps_user_files_in_the_folders(tmp_path):
    root = make_repo(tmp_path / "repo")
    (root / "contracts").mkdir()
    (root / "contracts" / "G1.contract.json").write_text("{}")
    created = cli("init", root, "--json", check=0).json["created"]
    assert "contracts/.gitkeep" not in created
    assert (root / "contracts" / "G1.contract.json").read_text() == "{}"


def test_init_in_the_current_directory(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    cli("init", check=0)
    assert (root / "runner.json").is_file()


def test_init_outside_a_git_repository_is_exit_4(tmp_path):
    (tmp_path / "plain").mkdir()
    result = cli("init", tmp_path / "plain")
    assert result.code == 4, result
    assert "git" in result.err and "hint" in result.err
    assert not (tmp_path / "plain" / "runner.json").exists()


@pytest.mark.slow
def test_init_as_a_subprocess(tmp_path):
    root = make_repo(tmp_path / "repo")
    runner_proc("init", cwd=root, check=0)
    cli("init", root, check=0)
    assert (root / ".gitignore").read_text().count("runs/*/logs/") == 1


def _readme_block(after: str) -> list[str]:
    """The commands of the README's code block that follows the line `after`, comments cut."""
    text = (REPO / "README.md").read_text().split(after, 1)[1]
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_commands_for_your_own_repository_work_as_written(tmp_path):
    lines = _readme_block("To use `runner` in your own repository:")
    install, path, *commands = lines
    assert "pip install -e ." in install  # this checkout is installed so already (the venv the tests use)
    assert path == 'export PATH="$PWD/.venv/bin:$PATH"'  # the test puts that venv's bin on PATH itself
    assert commands[0].startswith("cd my-repo && runner init --example essay")
    make_repo(tmp_path / "my-repo")
    script = "".join(f'{command}\necho "rc=$?"\n' for command in commands)
    env = {**os.environ, "PATH": f"{RUNNER_BIN.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    codes = [line for line in done.stdout.splitlines() if line.startswith("rc=")]
    # init, the commit of what it wrote, validate, and the run that waits for the agent of G1
    assert codes == ["rc=0", "rc=0", "rc=0", "rc=3"], (done.stdout, done.stderr)
    assert "gate G1 attempt 1 waits for its outputs" in done.stdout
    root = tmp_path / "my-repo"
    assert (root / "orchestration" / "workflows" / "essay.json").is_file()
    assert sorted(p.name for p in (root / "contracts").glob("*.contract.json")) == [
        "G1.contract.json", "G2.contract.json", "G3.contract.json"]
    assert "not found" not in next((root / "runs").glob("*/logs/gates/G1/prompt-1.txt")).read_text()
    assert (root / "orchestration" / "skills" / "spec-writing" / "SKILL.md").is_file()  # G3's packet injects it
    committed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "contracts/G1.contract.json" in committed and "runner.json" in committed


def test_init_example_video_copies_what_its_gates_name_and_validates(tmp_path):
    root = make_repo(tmp_path / "studio")
    created = cli("init", root, "--example", "video", "--json", check=0).json["created"]
    for rel in ("orchestration/workflows/video.json", "contracts/QC.contract.json", "orchestration/qc_policy.json",
                "examples/plan_video.py", "examples/publish_video.py", "schemas/qc_report.schema.json"):
        assert rel in created and (root / rel).read_bytes() == (REPO / rel).read_bytes(), rel
    checked = cli("contracts", "validate", "--repo", root, "--json", check=0).json
    assert checked["findings"] == [] and checked["checked"] == 6


def test_init_example_never_overwrites_and_refuses_an_unknown_example(tmp_path):
    root = make_repo(tmp_path / "repo")
    mine = root / "contracts" / "G1.contract.json"
    mine.parent.mkdir(parents=True)
    mine.write_text('{"gate": "G1", "required_outputs": {"all_of": [{"path": "mine.md"}]}}\n')
    created = cli("init", root, "--example", "essay", "--json", check=0).json["created"]
    assert "contracts/G1.contract.json" not in created and "contracts/G2.contract.json" in created
    assert "mine.md" in mine.read_text()
    assert cli("init", root, "--example", "essay", "--json", check=0).json["created"] == []
    other = make_repo(tmp_path / "other")
    refused = cli("init", other, "--example", "podcast", check=2)
    assert "podcast" in refused.err and not (other / "runner.json").exists()
