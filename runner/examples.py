"""The example workflows `runner init --example NAME` copies into a workspace: the
workflow and every file it names (contracts, prompt templates, the files its gates'
commands and params name, the schemas its contracts check against), taken from the
runner checkout that holds them, so the examples have one copy only.

    files = example_files("essay")               # {workspace-relative path: source path}
    created = install(root, "essay")             # copies what is missing; never overwrites"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runner import jsonio
from runner.errors import NotFoundError, UsageError
from runner.models.base import load
from runner.models.workflow import Workflow
from runner.paths import VARIABLE

EXAMPLES = ("essay", "video")
WORKFLOWS = "orchestration/workflows"
PROMPTS = "orchestration/prompts"


def source() -> Path:
    """The runner checkout the examples come from (an editable install's source tree)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / WORKFLOWS).is_dir() or not (root / "contracts").is_dir():
        raise NotFoundError(f"the example workflows are not installed beside the runner package ({root})",
                            "install runner from its source checkout: `pip install -e PATH/TO/runner`")
    return root


def example_files(name: str) -> dict[str, Path]:
    """What the example `name` is made of: workspace-relative path -> file in the checkout."""
    if name not in EXAMPLES:
        raise UsageError(f"no example {name!r}", f"choose one of: {', '.join(EXAMPLES)}")
    root = source()
    workflow_rel = f"{WORKFLOWS}/{name}.json"
    data = jsonio.read_json(root / workflow_rel)
    workflow = load(Workflow, data, UsageError, workflow_rel)
    found = {workflow_rel: root / workflow_rel}
    for rel in _named(workflow):
        path = root / rel
        if ".." not in Path(rel).parts and path.is_file():
            found[rel] = path
    for rel in [r for r in found if r.endswith(".contract.json")]:
        contract = jsonio.read_json(found[rel])
        for named in [*_schemas(contract), *_skills(contract)]:
            if ".." not in Path(named).parts and (root / named).is_file():
                found[named] = root / named
    return found


def _named(workflow: Workflow) -> Iterator[str]:
    """Every workspace-relative file a workflow's gates name (templated ones aside)."""
    for gate in workflow.gates:
        yield gate.contract or f"contracts/{gate.gate}.contract.json"
        if gate.prompt_template:
            template = gate.prompt_template
            yield from ([template] if "/" in template else [f"{PROMPTS}/{template}{ext}" for ext in ("", ".md")])
        for value in [*(gate.command or []), *_strings(gate.params)]:
            if not VARIABLE.search(value) and not value.startswith("-"):
                yield value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _schemas(contract: Any) -> Iterator[str]:
    for check in contract.get("validations", []) if isinstance(contract, dict) else []:
        if isinstance(check, dict) and isinstance(check.get("schema"), str) and not VARIABLE.search(check["schema"]):
            yield check["schema"]


def _skills(contract: Any) -> Iterator[str]:
    """The skill files a contract injects into its prompt packets."""
    for skill in contract.get("required_skills", []) if isinstance(contract, dict) else []:
        if isinstance(skill, dict) and isinstance(skill.get("path"), str):
            yield from (f"{skill['path'].rstrip('/')}/{name}" for name in skill.get("inject", []) if isinstance(name, str))


def install(root: Path, name: str, workflows_dir: str = WORKFLOWS) -> list[str]:
    """Copy the example's files into the workspace at `root` (the workflow into its
    `workflows_dir`, the rest where the workflow names them); a file already there is left
    as it is. Returns the paths created."""
    created = []
    for rel, path in example_files(name).items():
        if rel.startswith(WORKFLOWS + "/"):
            rel = f"{workflows_dir.rstrip('/')}/{rel[len(WORKFLOWS) + 1:]}"
        target = root / rel
        if target.exists():
            continue
        jsonio.write_atomic(target, path.read_bytes())
        created.append(rel)
    return created
