"""Import fixtures: the two original runs of the conformance folder, and a workspace
with one commit to import them into."""

from __future__ import annotations

import pytest
from helpers import git

LUCY = "run_20260224T194855014Z_lucy_w55i7k"
PARTIAL = "run_20260121T024259697Z_test-partial_qhl9a6"


@pytest.fixture
def ws(ws_root):
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "user: set up the workspace")
    return ws_root
