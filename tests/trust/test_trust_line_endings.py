"""`runner init` keeps git's line-ending conversion off the records, so a clone with
core.autocrlf=true checks them out byte for byte; an output that git converted on
checkout is told apart from a change."""

from __future__ import annotations

import subprocess

from helpers import cli, git, pass_gate, start_run


def test_a_clone_with_autocrlf_verifies_clean(essay_ws, tmp_path):
    root = essay_ws
    cli("init", root, check=0)  # the workspace of the fixture predates .gitattributes
    git(root, "add", "-A")
    git(root, "commit", "-qm", "user: set up")
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "user: the outputs")
    clone = tmp_path / "clone"
    subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "-q", str(root), str(clone)], check=True)
    git(clone, "config", "core.autocrlf", "true")
    record = clone / "runs" / run_id / "record" / "RUN.json"
    assert b"\r\n" not in record.read_bytes()
    intake = clone / "essays" / "robot" / "G1-INTAKE.md"
    assert b"\r\n" in intake.read_bytes()  # the outputs, user files, were converted on checkout
    result = cli("verify", "--repo", clone, "--json")
    assert result.code == 0, result.out
    statuses = {a["path"]: a["status"] for a in result.json["artifacts"]}
    assert statuses["essays/robot/G1-INTAKE.md"] == "converted"
    intake.write_bytes(intake.read_bytes() + b"one more line\r\n")  # a real change is still one
    assert cli("verify", "--repo", clone).code == 1
