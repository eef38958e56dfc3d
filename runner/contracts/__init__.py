"""Load and check gate contracts and workflows. Every error names the file, and for a
check its index in `validations[]` and the field."""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path
from typing import Any, Iterator, TypeVar

import msgspec

from runner import jsonio
from runner.errors import ContractError, NotFoundError
from runner.models.contract import Contract
from runner.models.workflow import Workflow, WorkflowGate
from runner.paths import VARIABLE, is_safe_name, unknown_variables
from runner.workspace import Workspace

PATH_VARIABLES = {"slug", "artifact_path", "client_component", "run_id"}
RULE_TARGETS = {"any_of", "all_required", "all_of"}
PATH_FIELDS = ("target", "targets", "metadata_source", "implementation_target", "schema_path")


T = TypeVar("T")


class Loaded(msgspec.Struct):
    model: Any  # the Contract or Workflow
    path: str  # workspace-relative
    sha256: str  # of the file's bytes


def read_document(path: Path, what: str) -> Any:
    """JSON, or YAML for .yaml/.yml files."""
    return jsonio.read_document(path, what=what, error=ContractError)


def _decode(path: Path, kind: type[T], rel: str, what: str) -> tuple[T, str]:
    """The document decoded into `kind`, and the SHA-256 of its bytes (read once)."""
    raw = jsonio.read_bytes(path, what=what, error=ContractError)
    return (jsonio.decode_typed(raw, Path(rel), kind, what=what, error=ContractError,
                                hint=f"see schemas/{what}.schema.json"), hashlib.sha256(raw).hexdigest())


def declared_paths(contract: Contract) -> Iterator[tuple[str, str]]:
    """(field, path template) of every path a contract declares: its outputs, and each
    check's path fields (the rule targets `all_required`, `any_of`, `all_of` aside)."""
    for rule, items in contract.required_outputs.groups():
        for i, item in enumerate(items):
            yield f"required_outputs.{rule}[{i}].path", item.path
    for i, check in enumerate(contract.validations):
        for field in PATH_FIELDS:
            value = getattr(check, field, None)
            if value is None or (field == "target" and value in RULE_TARGETS):
                continue
            for template in value if isinstance(value, list) else [value]:
                yield f"validations[{i}].{field}", template


def check_variables(contract: Contract, rel: str) -> None:
    for where, template in declared_paths(contract):
        for name in unknown_variables(template, PATH_VARIABLES):
            raise ContractError(
                f"contract {rel}: {where}: unknown path variable {{{name}}}",
                "known: " + ", ".join("{%s}" % v for v in sorted(PATH_VARIABLES)),
            )


def path_problem(template: str) -> str | None:
    """Why a run would refuse a declared path template whatever its variables hold (each
    taken as one plain folder name), or None: absolute, or leading out of the workspace."""
    if "\0" in template:
        return "contains a NUL byte"
    plain = VARIABLE.sub("x", template)
    if posixpath.isabs(plain):
        return "is absolute"
    normal = posixpath.normpath(plain)
    if normal == ".." or normal.startswith("../"):
        return "leads out of the workspace"
    return None


def check_gate_id(gate_id: str, where: str) -> None:
    """A gate id becomes a path part (records, logs): refuse it in the file that declares it."""
    if not is_safe_name(gate_id):
        raise ContractError(f"{where} {gate_id!r} is not a valid gate id",
                            "use letters, digits, '.', '_' and '-' (at most 128, not starting with a symbol)")


def check_command(gate: WorkflowGate, where: str = "") -> None:
    """A gate's argv list: required by kind command, its program never empty (the model
    already refuses an empty list)."""
    if gate.command is not None and not gate.command[0]:
        raise ContractError(f"{where}command: the program (its first item) is empty")
    if gate.kind == "command" and gate.command is None:
        raise ContractError(f"{where}kind command needs a `command`",
                            'give the argv list to run, e.g. ["make", "site"]')


def load_contract(ws: Workspace, rel: str) -> Loaded:
    contract, sha256 = _decode(_contract_file(ws, rel), Contract, rel, "contract")
    check_variables(contract, rel)
    return Loaded(contract, rel, sha256)


def load_gate_contract(ws: Workspace, gate: WorkflowGate) -> Loaded:
    """The contract a workflow gate uses, refused when it declares another gate or names
    a schema file that is not there (so a run refuses it at its start, and a gate before
    it opens an attempt, instead of failing when the attempt finishes)."""
    loaded = load_contract(ws, contract_path(ws, gate.gate, gate.contract))
    if loaded.model.gate != gate.gate:
        raise ContractError(f"contract {loaded.path} is the contract of gate {loaded.model.gate!r}, "
                            f"but gate {gate.gate!r} uses it",
                            "point the gate at its own contract, or fix the contract's `gate`")
    for where, rel, what in missing_files(ws, loaded.model):
        if what == "schema file":
            raise ContractError(f"contract {loaded.path}: {where}: {what} {rel} not found",
                                "create it, or fix the path in the contract")
    return loaded


def missing_files(ws: Workspace, contract: Contract) -> list[tuple[str, str, str]]:
    """(field, path, what) of each file the contract names by a fixed path (one without a
    variable) that is not in the workspace: the schema of a json_schema check, a pre-script."""
    named = [(f"validations[{i}].schema", check.schema_path, "schema file")
             for i, check in enumerate(contract.validations) if check.type == "json_schema"]
    named += [(f"pre_scripts[{i}].path", script.path, "pre-script") for i, script in enumerate(contract.pre_scripts)]
    out = []
    for where, rel, what in named:
        if VARIABLE.search(rel) or path_problem(rel):
            continue  # resolved per run, or refused as a path already
        if not (ws.root / rel).is_file():
            out.append((where, rel, what))
    return out


def _contract_file(ws: Workspace, rel: str) -> Path:
    path = ws.path(rel, "contract path")
    if not path.is_file():
        raise NotFoundError(f"contract not found: {rel}", "create it, or fix the workflow's contract path")
    return path


def contract_path(ws: Workspace, gate_id: str, contract: str | None) -> str:
    """A workflow gate's contract: its `contract` path, or <contracts_dir>/<gate>.contract.json."""
    if contract:
        return contract
    return f"{ws.config.contracts_dir.rstrip('/')}/{gate_id}.contract.json"


def workflow_path(ws: Workspace, name: str) -> str:
    """A workflow name (looked up in workflows_dir) or a workspace-relative path."""
    if "/" in name or name.endswith((".json", ".yaml", ".yml")):
        return name
    for suffix in (".json", ".yaml", ".yml"):
        candidate = ws.workflows_dir / f"{name}{suffix}"
        if candidate.is_file():
            return ws.rel(candidate)
    known = sorted(p.stem for p in ws.workflows_dir.glob("*") if p.suffix in (".json", ".yaml", ".yml")) \
        if ws.workflows_dir.is_dir() else []
    raise NotFoundError(
        f"no workflow {name!r} in {ws.config.workflows_dir}/",
        f"known workflows: {', '.join(known)}" if known else "create one (see docs/workflows.md)",
    )


def load_workflow(ws: Workspace, name: str) -> Loaded:
    rel = workflow_path(ws, name)
    workflow, sha256 = _decode(_workflow_file(ws, rel), Workflow, rel, "workflow")
    return Loaded(_checked_workflow(workflow, rel), rel, sha256)


def run_workflow(ws: Workspace, ref: Any) -> Workflow:
    """The workflow a run was started with (its RUN.json `workflow`)."""
    return load_workflow(ws, ref.path or ref.name).model


def _workflow_file(ws: Workspace, rel: str) -> Path:
    path = ws.path(rel, "workflow path")
    if not path.is_file():
        raise NotFoundError(f"workflow not found: {rel}")
    return path


def _checked_workflow(workflow: Workflow, rel: str) -> Workflow:
    seen: set[str] = set()
    for i, gate in enumerate(workflow.gates):
        check_gate_id(gate.gate, f"workflow {rel}: gates[{i}].gate")
        check_command(gate, f"workflow {rel}: gates[{i}] ({gate.gate}): ")
        if gate.gate in seen:
            raise ContractError(f"workflow {rel}: gate {gate.gate} is listed twice")
        seen.add(gate.gate)
    return workflow
