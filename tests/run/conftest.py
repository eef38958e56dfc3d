"""Fixtures of the human-in-the-loop tests (helpers in run_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import install_essay
from run_helpers import C1_CONTRACT, G1_TEMPLATE, MIX, Pty, add_workflow, commit_all, write_json


@pytest.fixture
def mix_ws(ws_root) -> Path:
    """A committed workspace with the essay contracts, the `mix` workflow (agent G1, human
    H1, command C1), G1's prompt template and C1's contract."""
    install_essay(ws_root)
    add_workflow(ws_root, MIX)
    write_json(ws_root / "contracts" / "C1.contract.json", C1_CONTRACT)
    prompts = ws_root / "orchestration" / "prompts"
    prompts.mkdir(parents=True, exist_ok=True)
    (prompts / "G1.md").write_text(G1_TEMPLATE)
    commit_all(ws_root)
    return ws_root


@pytest.fixture
def pty_runner():
    opened: list[Pty] = []

    def spawn(root: Path, *args: str) -> Pty:
        opened.append(Pty(root, *args))
        return opened[-1]

    yield spawn
    for p in opened:
        p.close()
