"""Patches written to hurt: a few bytes that would grow a file without bound (text
replaced by more of itself, a document copied into itself), and failures whose library
message quotes the whole document. Each is refused with a short one-line error and the
file is left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import EXIT_ERROR
from runner.patches import PatchError, plan

MAX_MESSAGE = 200  # what an error quotes of a library message (runner.patches.base)

OUTPUTS = ["notes.md", "data.json"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.md").write_text("# Notes\n\nhello\n")
    (ws / "data.json").write_text(json.dumps({"title": "Demo", "blob": "x" * 100_000}))
    return ws


def _refused(root: Path, patch, target: str) -> PatchError:
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with pytest.raises(PatchError) as info:
        plan(root, patch, OUTPUTS, target)
    assert info.value.exit_code == EXIT_ERROR and "\n" not in info.value.message
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before
    return info.value


def test_text_replaced_by_more_of_itself_is_refused_before_memory_fills(root):
    bomb = {"type": "text_replace", "replacements": [{"old": "l", "new": "l" * 1000}] * 6}
    error = _refused(root, bomb, "notes.md")
    assert "more than the 64 MiB a patch may add" in error.message


def test_a_document_copied_into_itself_again_and_again_is_refused(root):
    doubling = [{"op": "add", "path": "/d", "value": {}}] + [{"op": "copy", "from": "", "path": "/d/x"}] * 40
    error = _refused(root, doubling, "data.json")
    assert "more than the 64 MiB a patch may add" in error.message


def test_a_failed_operation_does_not_quote_the_whole_document(root):
    for op in ({"op": "replace", "path": "/nope/deeper", "value": 1}, {"op": "test", "path": "/blob", "value": 1}):
        error = _refused(root, [op], "data.json")
        assert error.message.startswith("JSON Patch operation 0") and len(error.message) < MAX_MESSAGE + 120


def test_a_large_patch_within_the_limit_still_applies(root):
    (planned,) = plan(root, [{"op": "copy", "from": "/blob", "path": "/copy"}], OUTPUTS, "data.json")
    assert json.loads(planned.content)["copy"] == "x" * 100_000
