"""Helpers of the check tests: a CheckContext on a workspace made of real files. (A module
of its own name: `conftest` is not unique across the test folders.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.checks.base import CheckContext, Output
from runner.paths import substitute

SLUG = "demo"
ARTIFACT_PATH = "essay"


def client_component_of(root: Path, artifact_path: str):
    """Like the gate evaluator: the first *Client.tsx/jsx of the artifact directory,
    or a path that does not exist."""

    def resolve() -> str:
        directory = root / artifact_path
        found = sorted(p.name for p in directory.glob("*Client.*") if p.suffix in (".tsx", ".jsx")) if directory.is_dir() else []
        return f"{artifact_path}/{found[0]}" if found else f"{artifact_path}/<no *Client.tsx or *Client.jsx>"

    return resolve


def make_context(root: Path, **options: Any) -> CheckContext:
    """options: depth, offline, rule, outputs ([{path, required, rule}]), variables."""
    variables: dict = {"slug": SLUG, "artifact_path": ARTIFACT_PATH, "run_id": "run_test"}
    variables.update(options.get("variables", {}))
    variables.setdefault("client_component", client_component_of(root, variables["artifact_path"]))
    outputs = [
        Output(substitute(o["path"], variables), o.get("required", True), o.get("description"), o.get("rule"))
        for o in options.get("outputs", [])
    ]
    return CheckContext(
        root=root.resolve(),
        variables=variables,
        depth=options.get("depth", "standard"),
        offline=options.get("offline", False),
        rule=options.get("rule", "all_of"),
        outputs=outputs,
        where="test: ",
    )


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
