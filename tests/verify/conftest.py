"""A finished run, built once per session with the real runner and copied per test:
the essay workflow with G1 needing approval, so that the run has attempt files, a
decision file and a completed RUN.json."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import git
from verify_helpers import approve_g1, finish_run


@pytest.fixture(scope="session")
def _done_template(tmp_path_factory, _essay_template) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("verify") / "ws"
    shutil.copytree(_essay_template, root, symlinks=True)
    approve_g1(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: set up the workspace")
    run_id = finish_run(root)
    git(root, "add", "-A")  # the essay's outputs are the user's files
    git(root, "commit", "-q", "-m", "user: the essay")
    return root, run_id


@pytest.fixture
def done(tmp_path, _done_template) -> tuple[Path, str]:
    """(workspace, run id): one PASSED run, everything committed."""
    template, run_id = _done_template
    root = tmp_path / "ws"
    shutil.copytree(template, root, symlinks=True)
    return root, run_id
