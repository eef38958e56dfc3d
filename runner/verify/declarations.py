"""`runner contracts validate`: every finding in every contract and workflow, for CI."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from runner import contracts, schemas, steps
from runner.errors import ContractError, RunnerError
from runner.models.base import load
from runner.models.contract import Contract
from runner.models.workflow import Workflow
from runner.verify import contract_problems
from runner.workspace import Workspace


@dataclass
class Finding:
    file: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def _kind(ws: Workspace, path: Path) -> str:
    rel = ws.rel(path)
    if path.name.endswith(".contract.json") or path.name.endswith(".contract.yaml"):
        return "contract"
    if rel.startswith(ws.config.workflows_dir.rstrip("/") + "/"):
        return "workflow"
    data_head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    return "workflow" if '"workflow"' in data_head or "workflow:" in data_head else "contract"


def discover(ws: Workspace) -> list[Path]:
    found: list[Path] = []
    if ws.contracts_dir.is_dir():
        found += sorted(p for p in ws.contracts_dir.rglob("*.contract.json"))
    if ws.workflows_dir.is_dir():
        found += sorted(p for p in ws.workflows_dir.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
    return found


def validate(ws: Workspace, paths: list[Path] | None = None) -> tuple[int, list[Finding]]:
    """(number of files checked, findings). An empty list of findings means all valid."""
    targets = [p.resolve() for p in paths] if paths else discover(ws)
    findings: list[Finding] = []
    for path in targets:
        rel = ws.rel(path) if _within(ws, path) else str(path)
        if not path.is_file():
            findings.append(Finding(rel, "no such file"))
            continue
        try:
            kind = _kind(ws, path)
            data = contracts.read_document(path, kind)
            model = Contract if kind == "contract" else Workflow
            problems = schemas.problems(model, data)
            if problems:
                findings += [Finding(rel, f"{loc}: {message}") for loc, message in problems]
                if kind == "contract":  # and every problem its schema cannot name
                    named = {loc for loc, _ in problems}
                    findings += [Finding(rel, message) for message in contract_problems.problems(data, named)]
                continue
            loaded = load(model, data, ContractError, rel)
            if kind == "contract":
                findings += [Finding(rel, message) for message in contract_problems.problems(data, set())]
                findings += [Finding(rel, f"{where}: {what} {path} not found") for where, path, what
                             in contracts.missing_files(ws, loaded)]
            else:
                findings += _workflow_findings(ws, loaded, rel) + _stage_findings(ws, loaded, rel)
        except RunnerError as exc:
            findings.append(Finding(rel, exc.message))
    return len(targets), findings


def _workflow_findings(ws: Workspace, workflow: Workflow, rel: str) -> list[Finding]:
    from runner.steps import STEP_KINDS

    out = []
    for i, gate in enumerate(workflow.gates):
        if gate.kind not in STEP_KINDS:
            out.append(Finding(rel, f"gates[{i}] ({gate.gate}): unknown kind {gate.kind!r} "
                                    f"(known: {', '.join(sorted(STEP_KINDS))})"))
            continue
        try:
            contracts.check_gate_id(gate.gate, "id")
            contracts.check_command(gate)
            if steps.has_contract(ws, gate):  # kinds other than agent may go without one
                contracts.load_gate_contract(ws, gate)
        except RunnerError as exc:
            out.append(Finding(rel, f"gates[{i}] ({gate.gate}): {exc.message}"))
        if gate.prompt_template:
            out += _template_findings(ws, gate.prompt_template, f"gates[{i}] ({gate.gate})", rel)
    return out


def _template_findings(ws: Workspace, name: str, where: str, rel: str) -> list[Finding]:
    """A prompt_template that names no file: its packets would say so instead of instructing."""
    from runner.run.packets import template_path

    try:
        if "/" in name:  # a path, not a name in prompts_dir
            ws.path(name, "prompt_template")
        if template_path(ws, name) is not None:
            return []
    except RunnerError as exc:  # a path that leaves the workspace
        return [Finding(rel, f"{where}: {exc.message} (a run refuses it)")]
    shown = name if "/" in name else f"{ws.config.prompts_dir}/{name}(.md|.txt)"
    return [Finding(rel, f"{where}: prompt_template {name!r}: no file {shown}")]


def _stage_findings(ws: Workspace, workflow: Workflow, rel: str) -> list[Finding]:
    """Every stage name that maps to no gate: a `stages` entry naming no gate, and a
    stage a QC gate retries (its policy's retry_stage, params.retry/fallback) that is
    neither a gate nor a key of `stages` (a run would escalate instead of retrying)."""
    from runner.steps.qc import retried_stages

    gates = {g.gate for g in workflow.gates}
    out = [Finding(rel, f"stages.{stage}: {gate!r} is not a gate of this workflow")
           for stage, gate in workflow.stages.items() if gate not in gates]
    for i, gate in enumerate(workflow.gates):
        if gate.kind != "qc":
            continue
        try:
            stages = retried_stages(ws, gate)
        except RunnerError as exc:
            out.append(Finding(rel, f"gates[{i}] ({gate.gate}): {exc.message}"))
            continue
        out += [Finding(rel, f"gates[{i}] ({gate.gate}): {where} retries stage {stage!r}, which maps to no gate "
                             f'(add "stages": {{"{stage}": "<GATE>"}} to the workflow)')
                for where, stage in stages if stage not in gates and stage not in workflow.stages]
    return out


def _within(ws: Workspace, path: Path) -> bool:
    try:
        ws.rel(path)
        return True
    except RunnerError:
        return False
