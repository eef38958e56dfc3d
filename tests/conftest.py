"""Shared fixtures: isolated git, a template workspace copied per test."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# tests/helpers.py is importable as `helpers` from every tier.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import ESY, REPO, SHARED, git, make_repo, requires_shared  # noqa: E402,F401  (kept importable from here)

_GIT_ENV_DROP = ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                 "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes seconds (subprocesses, concurrency); deselect with -m 'not slow'")


def _isolate_environ(template: Path) -> None:
    """Session-wide part of the isolation (session fixtures run before function ones)."""
    os.environ["GIT_CONFIG_GLOBAL"] = "/dev/null"
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["GIT_TEMPLATE_DIR"] = str(template)
    for key in _GIT_ENV_DROP:
        os.environ.pop(key, None)


@pytest.fixture(scope="session")
def _git_template(tmp_path_factory) -> Path:
    template = tmp_path_factory.getbasetemp() / "git-template"
    template.mkdir(exist_ok=True)
    _isolate_environ(template)
    return template


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, _git_template):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(_git_template))
    for key in _GIT_ENV_DROP:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def _workspace_template(tmp_path_factory, _git_template) -> Path:
    root = make_repo(tmp_path_factory.mktemp("template") / "ws")
    from runner import workspace

    workspace.init(root)
    return root


@pytest.fixture
def ws_root(tmp_path, _workspace_template) -> Path:
    """A fresh initialised workspace (a git repository with runner.json, no commit yet)."""
    root = tmp_path / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    return root


@pytest.fixture(scope="session")
def _essay_template(tmp_path_factory, _workspace_template) -> Path:
    from helpers import install_essay

    root = tmp_path_factory.mktemp("essay") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    return install_essay(root)


@pytest.fixture
def essay_ws(tmp_path, _essay_template) -> Path:
    """ws_root plus the project's example contracts G1-G3 and the `essay` workflow
    (not committed: the repository has no commit yet)."""
    root = tmp_path / "ws"
    shutil.copytree(_essay_template, root, symlinks=True)
    return root


@pytest.fixture
def essay_ws_committed(essay_ws) -> Path:
    """essay_ws with its files in a first commit by the user."""
    git(essay_ws, "add", "-A")
    git(essay_ws, "commit", "-q", "-m", "user: set up the workspace")
    return essay_ws

