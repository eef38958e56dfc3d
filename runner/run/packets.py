"""Prompt packets: what an agent or person needs to do a gate, written to
logs/gates/<G>/prompt-<attempt>.txt (never overwritten). The packet holds no
timestamp, so the same inputs give the same SHA-256."""

from __future__ import annotations

from pathlib import Path

from runner import contracts, jsonio, records, steps
from runner.errors import RunnerError
from runner.hashing import sha256_bytes
from runner.models.contract import Contract
from runner.models.run import GateState, PacketRef, Run
from runner.models.workflow import WorkflowGate
from runner.paths import run_variables, substitute
from runner.run.session import Session
from runner.workspace import Workspace


def write(s: Session, run: Run, gate: WorkflowGate, state: GateState, attempt: int,
          extra: list[str] | None = None) -> PacketRef:
    text = build(s, run, gate, state, attempt, extra or [])
    path = records.logs_dir(s.ws, run.run_id) / "gates" / gate.gate / f"prompt-{attempt}.txt"
    try:
        jsonio.write_atomic(path, text, exclusive=True)
    except FileExistsError:
        if path.read_text(encoding="utf-8") != text:
            raise RunnerError(f"prompt packet {s.ws.rel(path)} exists with other content",
                              "packets are never overwritten; move it away to start this attempt") from None
    return PacketRef(path=s.ws.rel(path), sha256=sha256_bytes(text.encode()))


def build(s: Session, run: Run, gate: WorkflowGate, state: GateState, attempt: int, extra: list[str]) -> str:
    values = dict(run_variables(s.ws.root, run.workflow.slug, run.workflow.artifact_path, run.run_id))
    values.update(gate=gate.gate, attempt=str(attempt), depth=run.depth, agent=gate.agent or "")
    w = run.workflow
    out = [
        f"# Prompt packet: {gate.gate} {gate.name or state.name or ''}".rstrip(),
        "",
        f"run:            {run.run_id}",
        f"workflow:       {w.name} ({w.version or 'unversioned'})",
        f"gate:           {gate.gate} (kind {gate.kind})",
        f"attempt:        {attempt}",
        f"slug:           {w.slug}",
        f"artifact path:  {w.artifact_path or '(none)'}",
        f"depth:          {run.depth}",
        f"agent:          {gate.agent or '(any)'}",
        "",
        "## Original prompt",
        run.prompt.strip() if run.prompt else "(none given)",
        "",
        "## Instructions",
        _instructions(s, gate, values),
    ]
    contract = _contract(s, gate)
    if contract is not None:
        out += _contract_sections(s, contract, values)
    out += [*extra, "## How to continue", *_continue(run, gate, state)]
    return "\n".join(out).rstrip() + "\n"


def _instructions(s: Session, gate: WorkflowGate, values: dict) -> str:
    if not gate.prompt_template:
        return gate.description or "(no prompt_template for this gate)"
    path = template_path(s.ws, gate.prompt_template)
    if path is None:
        return (f"(prompt template {gate.prompt_template!r} not found in {s.ws.config.prompts_dir}/)\n"
                + (gate.description or ""))
    return substitute(path.read_text(encoding="utf-8"), values, strict=False).strip()


def template_path(ws: Workspace, name: str) -> Path | None:
    """A gate's prompt_template: a workspace path, or a name in prompts_dir (with .md or
    .txt); None when there is no such file."""
    candidates = [name] if "/" in name else []
    candidates += [f"{ws.config.prompts_dir}/{name}{ext}" for ext in ("", ".md", ".txt")]
    for rel in candidates:
        path = ws.path(rel, "prompt template")
        if path.is_file():
            return path
    return None


def _contract(s: Session, gate: WorkflowGate) -> Contract | None:
    if not steps.has_contract(s.ws, gate):
        return None
    return contracts.load_gate_contract(s.ws, gate).model


def _contract_sections(s: Session, contract: Contract, values: dict) -> list[str]:
    out = ["", "## Skills"]
    for skill in contract.required_skills:
        out += [f"### {skill.name or skill.path}", skill.reason or ""]
        for name in skill.inject:
            rel = f"{skill.path.rstrip('/')}/{name}"
            path = s.ws.path(rel, "skill file")
            body = path.read_text(encoding="utf-8").strip() if path.is_file() else f"(missing: {rel})"
            out += [f"--- {rel} ---", body, f"--- end of {rel} ---"]
    if not contract.required_skills:
        out.append("(none)")
    for rule in ("all_of", "any_of"):
        items = dict(contract.required_outputs.groups()).get(rule) or []
        if not items:
            continue
        out += ["", f"## Required outputs ({'all of' if rule == 'all_of' else 'at least one of'})"]
        for item in items:
            path = substitute(item.path, values, strict=False)
            flag = "" if item.is_required(run_depth(values)) else " (optional)"
            out.append(f"- {path}{flag}" + (f": {item.description}" if item.description else ""))
    out += ["", "## What validation will check"]
    for i, check in enumerate(contract.validations):
        target = getattr(check, "target", None) or getattr(check, "targets", None) or ""
        target = ", ".join(target) if isinstance(target, list) else target
        target = substitute(target, values, strict=False) if target else ""
        severity = " (warning only)" if check.severity == "warning" else ""
        out.append(f"{i + 1}. {check.type} {target}{_need(check, run_depth(values))}{severity}"
                   + (f": {check.description}" if check.description else ""))
    out.append("")
    return out


def _need(check, depth: str) -> str:
    """The count a depth-dependent check asks for, so the packet says what passes."""
    thresholds = getattr(check, "thresholds", None) or {}
    if depth not in thresholds:
        return ""
    pattern = getattr(check, "pattern", None)
    return f" (at least {thresholds[depth]}{f' {pattern}' if pattern else ''} at depth {depth})"


def run_depth(values: dict) -> str:
    return values.get("depth", "standard")


def _continue(run: Run, gate: WorkflowGate, state: GateState) -> list[str]:
    rid, g = run.run_id, gate.gate
    lines = []
    if gate.kind == "agent":
        lines.append(f"Write the outputs above, then press Enter at the runner prompt, or run `runner run resume --run {rid}`.")
    if state.approval is not None:
        lines.append(f"A person decides: `runner gate approve --run {rid} --gate {g}` or "
                     f"`runner gate reject --run {rid} --gate {g}` (either with [--note TEXT] [--patch FILE]).")
    lines.append(f"To give up on this attempt: `runner gate fail --run {rid} --gate {g} --reason TEXT`.")
    return lines
