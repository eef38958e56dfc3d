"""The runner's marks of its own RUN.json bytes (provenance.py): appended at each write,
rewritten to the last four every 32, and only the last four trusted."""

from __future__ import annotations

import hashlib

import pytest

from runner import provenance, workspace
from runner.errors import RecordError


def test_marks_are_appended_then_rewritten_and_only_the_last_four_are_trusted(ws_root):
    ws = workspace.find(ws_root)
    run_id = "run_20261129T160102Z_robot_2a3iw6"
    path = ws_root / "runs" / run_id / "record" / "RUN.json"
    payloads = [f'{{"n": {n}}}\n'.encode() for n in range(40)]
    for payload in payloads:
        provenance.mark(ws, run_id, payload)
    lines = (ws.git_dir / provenance.MARKS / run_id).read_text().split()
    assert 4 <= len(lines) < provenance.REWRITE  # rewritten once it held 32, then appended again
    assert lines[-1] == hashlib.sha256(payloads[-1]).hexdigest()
    for payload in payloads[-provenance.KEEP:]:
        provenance.check(ws, run_id, path, payload)  # trusted: no error
    with pytest.raises(RecordError, match="changed outside the runner"):
        provenance.check(ws, run_id, path, payloads[-provenance.KEEP - 1])


def test_a_torn_last_line_is_trusted_for_nothing_and_the_next_mark_starts_a_line(ws_root):
    ws = workspace.find(ws_root)
    run_id = "run_20261129T160102Z_robot_2a3iw6"
    provenance.mark(ws, run_id, b"one\n")
    marks = ws.git_dir / provenance.MARKS / run_id
    with open(marks, "a") as fh:
        fh.write(hashlib.sha256(b"two\n").hexdigest()[:20])  # a write cut short by a kill
    provenance.check(ws, run_id, ws_root / "runs" / run_id / "record" / "RUN.json", b"one\n")
    with pytest.raises(RecordError):
        provenance.check(ws, run_id, ws_root / "runs" / run_id / "record" / "RUN.json", b"two\n")
    provenance.mark(ws, run_id, b"three\n")
    provenance.check(ws, run_id, ws_root / "runs" / run_id / "record" / "RUN.json", b"three\n")
