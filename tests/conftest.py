"""Shared fixtures: isolated git, a template workspace copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ESY = SHARED / "conformance" / "esy"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path_factory):
    template = tmp_path_factory.getbasetemp() / "git-template"
    template.mkdir(exist_ok=True)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(template))
    for key in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(key, raising=False)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Ada Tester")
    git(path, "config", "user.email", "ada@example.org")
    return path


@pytest.fixture(scope="session")
def _workspace_template(tmp_path_factory) -> Path:
    os.environ.setdefault("GIT_CONFIG_GLOBAL", "/dev/null")
    root = make_repo(tmp_path_factory.mktemp("template") / "ws")
    from runner import workspace

    workspace.init(root)
    return root


@pytest.fixture
def ws_root(tmp_path, _workspace_template) -> Path:
    """A fresh initialised workspace (a git repository with runner.json)."""
    root = tmp_path / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    return root


def requires_shared():
    return pytest.mark.skipif(not ESY.is_dir(), reason=f"the reference files are not here ({ESY})")
