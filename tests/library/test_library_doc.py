"""docs/library.md's example runs as written, in a subprocess (a real git, a real
workspace), and what it records is what the CLI would have recorded."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def test_the_example_runs_and_its_records_verify(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    example = blocks[-1]
    assert "repo.gate_finish" in example
    # the example makes its own temporary workspace; keep it inspectable here
    example = example.replace("Path(tempfile.mkdtemp())", repr(str(tmp_path / "ws")).join(("Path(", ")")))
    result = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("notes/robots/draft.md ") and len(lines[0].split()[1]) == 64
    assert lines[1].startswith("4 run ") and "is completed" in lines[1]

    root = tmp_path / "ws"
    log = subprocess.run(["git", "-C", str(root), "log", "--format=%s%n%an <%ae>"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    subjects = log[0::2]
    assert [s.split(" ", 2)[2] for s in subjects] == [
        "complete PASSED", "gate DRAFT attempt 2 PASS", "gate DRAFT attempt 2 start",
        "gate DRAFT attempt 1 FAIL", "gate DRAFT attempt 1 start", "start (note)"]
    assert set(log[1::2]) == {"Ada Lovelace <ada@example.org>"}
    run_file = next((root / "runs").glob("*/record/RUN.json"))
    assert json.loads(run_file.read_text())["status"] == "PASSED"
    verified = subprocess.run([sys.executable, "-m", "runner", "verify", "--repo", str(root)], capture_output=True,
                              text=True)
    assert verified.returncode == 0, verified.stderr
