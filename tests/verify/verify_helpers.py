"""Helpers of the verify tests: a finished run with a decision, and `runner verify --json`."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import cli, pass_gate, start_run


def approve_g1(root: Path) -> None:
    path = root / "orchestration" / "workflows" / "essay.json"
    workflow = json.loads(path.read_text())
    workflow["gates"][0]["approval"] = {"required": True}
    path.write_text(json.dumps(workflow, indent=2) + "\n")


def finish_run(root: Path, art: str = "essays/robot", slug: str = "robot", complete: bool = True) -> str:
    run_id = start_run(root, slug=slug, art=art)
    pass_gate(root, run_id, "G1", art, slug)
    if json.loads((root / "orchestration/workflows/essay.json").read_text())["gates"][0].get("approval"):
        cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "G1", "--note", "fine", check=0)
    pass_gate(root, run_id, "G2", art, slug)
    pass_gate(root, run_id, "G3", art, slug)
    if complete:
        cli("run", "complete", "--repo", root, "--run", run_id, check=0)
    return run_id


def verify(root: Path, *args: str, check: int | None = None):
    """`runner verify --json` in process; the Result has .json."""
    return cli("verify", "--repo", root, "--json", *args, check=check)


def findings(result, code: str | None = None) -> list[dict]:
    found = result.json["findings"]
    return [f for f in found if code is None or f["code"] == code]


def codes(result) -> set[tuple[str, str]]:
    """{(code, file name)} of every finding."""
    return {(f["code"], Path(f["file"]).name) for f in result.json["findings"]}


def record(root: Path, run_id: str, rel: str = "RUN.json") -> Path:
    return root / "runs" / run_id / "record" / rel
