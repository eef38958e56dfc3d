"""The package's layers, kept by walking its import graph: every import (at module
level or inside a function, except those only for type checkers) points to the same
layer or a lower one, and no module imports itself through others (no circles).
ARCHITECTURE.md describes the same layers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "runner"

# Lowest first. A module belongs to the layer of the longest prefix it starts with.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("the version", ("runner",)),
    ("leaf utilities", ("runner.errors", "runner.vocab", "runner.timeutil", "runner.hashing", "runner.paths",
                        "runner.proc", "runner.locking", "runner.outputs")),
    ("record types", ("runner.models.base",)),
    ("the one JSON reader and writer", ("runner.jsonio",)),
    ("check types", ("runner.checks",)),
    ("records and declarations", ("runner.models",)),
    ("workspace", ("runner.workspace", "runner.examples")),
    ("git", ("runner.git",)),
    ("record files and contracts", ("runner.records", "runner.provenance", "runner.contracts")),
    ("libraries", ("runner.patches", "runner.media")),
    ("step kinds", ("runner.steps",)),
    ("state transitions", ("runner.run.transitions",)),
    ("the run state machine", ("runner.run",)),
    ("the audit", ("runner.verify", "runner.schemas")),
    ("the run report", ("runner.report",)),
    ("the front door", ("runner.repo",)),
    ("batches", ("runner.batch",)),
    ("front ends", ("runner.cli", "runner.console", "runner.__main__")),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:`."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def imports_of(name: str) -> set[str]:
    """The runner modules `name` imports. `from pkg import sub` depends on the module
    `sub`; `from pkg import value` on `pkg` itself."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("runner"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("runner") and a.name in MODULES)
    out.discard(name)
    if name == "runner":
        out.discard("runner.repo")  # runner.Repo, imported on first use (see runner/__init__.py)
    return out


def layer_of(name: str) -> int:
    if name == "runner":  # runner/__init__.py: the version, and runner.Repo on first use
        return 0
    matches = [(len(p), index) for index, (_, prefixes) in enumerate(LAYERS) for p in prefixes
               if p != "runner" and (name == p or name.startswith(p + "."))]
    if matches:
        return max(matches)[1]  # the longest prefix: runner.models.base before runner.models
    raise AssertionError(f"{name} is in no layer: add it to LAYERS (and to ARCHITECTURE.md)")


def test_no_relative_imports():
    relative = [f"{name}:{node.lineno}" for name, path in MODULES.items()
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.level]
    assert relative == [], "import runner modules by their full name"


def test_every_import_points_down_or_across():
    upward = []
    for name in MODULES:
        for target in imports_of(name):
            if layer_of(target) > layer_of(name):
                upward.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert upward == []


def test_no_import_circles():
    graph = {name: imports_of(name) for name in MODULES}
    circles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_the_layers_catch_what_they_claim_to():
    """The walk sees function-level imports and tells a submodule from its package."""
    assert "runner.media.qc" in imports_of("runner.steps.qc")  # imported inside produce()
    assert layer_of("runner.run.driver") > layer_of("runner.steps.qc") > layer_of("runner.records")
