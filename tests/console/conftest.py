"""Fixtures of the console tests: a workspace whose runs wait for a decision, access
tokens in a file of the test's own, and `runner serve` as a real server process on a
free local port, stopped after the test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from console_helpers import ALAN, GRACE, VIC, Tokens, review_workspace, start_server

from runner.console import tokens


@pytest.fixture(scope="session")
def _review_template(tmp_path_factory, _workspace_template) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("review") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    return root, review_workspace(root)


@pytest.fixture
def review_ws(tmp_path, _review_template) -> tuple[Path, list[str]]:
    """A workspace whose two runs of the review workflow wait for B1's decision (a copy
    of one built once: the records are committed, the outputs beside them)."""
    template, ids = _review_template
    root = tmp_path / "ws"
    shutil.copytree(template, root, symlinks=True)
    return root, list(ids)


@pytest.fixture
def access(tmp_path) -> Tokens:
    found = Tokens(tmp_path / "config" / "tokens.json")
    for who, name, role in (("decider", GRACE, "decider"), ("alan", ALAN, "decider"), ("viewer", VIC, "viewer")):
        found.secrets[who] = tokens.add(name, role, found.file)[1]
    return found


@pytest.fixture
def server(review_ws, access):
    root, _ = review_ws
    started = start_server(root, access)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory) -> Path:
    """Where the page tests save their screenshots: $RUNNER_TEST_ARTIFACTS, else pytest's temp folder."""
    chosen = os.environ.get("RUNNER_TEST_ARTIFACTS")
    path = Path(chosen) / "console" if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
