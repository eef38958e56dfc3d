"""runner.workspace (find, config, init) and runner.locking."""

from __future__ import annotations

import json
import os

import msgspec
import pytest
from helpers import git, make_repo

from runner import locking, workspace
from runner.errors import LockTimeout, WorkspaceError
from runner.models.workflow import Config


def test_find_walks_up_from_a_subdirectory(ws_root):
    deep = ws_root / "a" / "b" / "c"
    deep.mkdir(parents=True)
    ws = workspace.find(deep)
    assert ws.root == ws_root.resolve()
    assert ws.runs_dir == ws_root.resolve() / "runs"
    assert ws.git_dir == ws.root / ".git"


def test_find_outside_a_git_repository(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(WorkspaceError) as info:
        workspace.find(tmp_path / "plain")
    assert "not inside a git repository" in info.value.message and info.value.exit_code == 4


def test_find_a_missing_directory(tmp_path):
    with pytest.raises(WorkspaceError, match="no such directory"):
        workspace.find(tmp_path / "nope")


def test_defaults_apply_without_a_config(tmp_path):
    root = make_repo(tmp_path / "bare")
    ws = workspace.find(root)
    assert ws.config == Config()
    assert ws.contracts_dir == root.resolve() / "contracts"


def test_configured_paths(tmp_path):
    root = make_repo(tmp_path / "orig")
    (root / "runner.json").write_text(json.dumps(
        {"contracts_dir": "orchestration/gates/contracts", "runs_dir": "orchestration/runs"}))
    ws = workspace.find(root)
    assert ws.contracts_dir == root.resolve() / "orchestration/gates/contracts"
    assert ws.runs_dir == root.resolve() / "orchestration/runs"
    assert ws.workflows_dir == root.resolve() / "orchestration/workflows"


@pytest.mark.parametrize("text,fragment", [
    ("{not json", "not valid JSON"),
    ('{"runs_dir": "runs", "colour": "red"}', "colour"),
    ('{"lock_timeout_s": 0}', "lock_timeout_s"),
    ('{"runs_dir": "../elsewhere"}', "outside the workspace"),
    ('{"contracts_dir": "/abs/contracts"}', "absolute"),
])
def test_bad_config_is_a_workspace_error_naming_the_file(tmp_path, text, fragment):
    root = make_repo(tmp_path / "bad")
    (root / "runner.json").write_text(text)
    with pytest.raises(WorkspaceError) as info:
        workspace.find(root)
    assert "runner.json" in info.value.message and fragment in info.value.message


def test_git_dir_of_a_worktree(ws_root, tmp_path):
    (ws_root / "f").write_text("x")
    git(ws_root, "add", "f")
    git(ws_root, "commit", "-q", "-m", "first")
    git(ws_root, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "side")
    ws = workspace.find(tmp_path / "wt")
    assert ws.root == (tmp_path / "wt").resolve()
    assert ws.git_dir == (ws_root / ".git" / "worktrees" / "wt").resolve()


def test_init_creates_config_folders_and_ignore_line(tmp_path):
    root = make_repo(tmp_path / "new")
    created = workspace.init(root)
    assert "runner.json" in created and ".gitignore" in created
    assert _convert(Config, json.loads((root / "runner.json").read_text())) == Config()
    for directory in ("contracts", "orchestration/workflows", "runs"):
        assert (root / directory).is_dir()
    assert "runs/*/logs/" in (root / ".gitignore").read_text().splitlines()


def test_init_is_idempotent_and_keeps_user_files(tmp_path):
    root = make_repo(tmp_path / "mine")
    config = '{"runs_dir": "orchestration/runs", "commit": false}\n'
    (root / "runner.json").write_text(config)
    (root / ".gitignore").write_text("node_modules/\n*.log")  # no trailing newline
    created = workspace.init(root)
    assert "runner.json" not in created
    assert (root / "runner.json").read_text() == config
    assert (root / ".gitignore").read_text() == "node_modules/\n*.log\norchestration/runs/*/logs/\n"
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert workspace.init(root) == []
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts} == snapshot


def test_init_refuses_a_directory_that_is_not_a_repository_top(tmp_path, ws_root):
    (tmp_path / "plain").mkdir()
    with pytest.raises(WorkspaceError):
        workspace.init(tmp_path / "plain")
    (ws_root / "sub").mkdir()
    with pytest.raises(WorkspaceError):
        workspace.init(ws_root / "sub")


def test_lock_is_exclusive_and_names_its_holder(tmp_path):
    lock = tmp_path / "runner.lock"
    with locking.hold(lock, 1, "gate finish G2"):
        with pytest.raises(LockTimeout) as info:
            with locking.hold(lock, 0.05, "other"):
                pass  # pragma: no cover
        message = info.value.message
        assert f"pid {os.getpid()}" in message and "gate finish G2" in message
    with locking.hold(lock, 0.05, "after"):  # released
        pass


def test_lock_held_by_a_dead_process_is_taken_over(tmp_path):
    import subprocess
    import sys

    lock = tmp_path / "runner.lock"
    code = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(lock)], check=True)
    with locking.hold(lock, 0.5, "after a crash"):
        pass


def _convert(kind, data):
    return msgspec.convert(data, kind)
