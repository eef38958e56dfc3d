"""`runner init`: makes a git repository a workspace; idempotent; never overwrites."""

from __future__ import annotations

import json

import pytest
from helpers import cli, make_repo, runner_proc

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
    cli("init", root, check=0)
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    second = cli("init", root, "--json", check=0)
    assert second.json["created"] == []
    assert "nothing changed" in cli("init", root, check=0).out
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
