"""Import fixtures: the two original runs of the conformance folder, and a workspace
with one commit to import them into."""

from __future__ import annotations

import pytest
from helpers import git


@pytest.fixture
def ws(ws_root):
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "user: set up the workspace")
    return ws_root
