"""Evaluate a contract against a gate's outputs: resolve the required outputs, hash
them, run every check, and decide PASS or FAIL."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import msgspec

from runner import outputs as rules
from runner.checks import CHECKS, run_check
from runner.checks.base import CheckContext, Output
from runner.contracts.bounded import run_bounded
from runner.contracts.prescripts import run_pre_scripts
from runner.errors import ContractError
from runner.hashing import sha256_dir, sha256_file
from runner.models.contract import Contract, RequiredOutputs
from runner.models.run import Artifact, ValidationResult
from runner.paths import Variables, inside, substitute

# Called with (path, total bytes) before hashing a large output; returns a per-chunk callback.
ProgressFactory = Callable[[str, int], Callable[[int], None]]
LARGE = 64 << 20
PRE_SCRIPT_TIMEOUT_S = 300.0


class Evaluation(msgspec.Struct):
    status: str
    artifacts: list[Artifact] = msgspec.field(default_factory=list)
    validations: list[ValidationResult] = msgspec.field(default_factory=list)
    warnings: list[str] = msgspec.field(default_factory=list)
    failure_reason: str | None = None
    required_outputs: list[str] = msgspec.field(default_factory=list)


def resolve_outputs(root: Path, required_outputs: RequiredOutputs, values: Variables, depth: str, where: str) -> list[Output]:
    outputs = []
    for rule, items in required_outputs.groups():
        for i, item in enumerate(items):
            field = f"{where}required_outputs.{rule}[{i}].path: "
            try:
                rel = substitute(item.path, values, where=field)
            except ContractError as exc:
                if not exc.message.startswith(where):
                    exc.message = field + exc.message
                raise
            inside(root, rel, what="required output")
            required = rules.is_required(item.required, item.required_for_depth, item.optional_for_depth,
                                         depth)
            outputs.append(Output(rel, required, item.description, rule))
    return outputs


def hash_output(root: Path, output: Output, progress: ProgressFactory | None) -> Artifact:
    path = inside(root, output.path, what="output")
    if path.is_dir():
        digest, size = sha256_dir(path)
        return Artifact(path=output.path, exists=True, sha256=digest, size=size, kind="dir",
                         required=output.required)
    if not path.is_file():
        return Artifact(path=output.path, exists=False, required=output.required)
    size = path.stat().st_size
    callback = progress(output.path, size) if progress and size >= LARGE else None
    return Artifact(path=output.path, exists=True, sha256=sha256_file(path, callback), size=size,
                     kind="file", required=output.required)


def evaluate(root: Path, contract: Contract, contract_rel: str, values: Variables, depth: str,
             offline: bool, progress: ProgressFactory | None = None,
             bounds: tuple[float, int] | None = None) -> Evaluation:
    """`bounds`: (seconds per check, MiB for the checks), or None to run them in this
    process without bounds (trusted contracts only)."""
    where = f"contract {contract_rel}: "
    required_outputs = contract.required_outputs
    outputs = resolve_outputs(root, required_outputs, values, depth, where)
    # before the outputs are hashed: a pre-script may write them (G9 registers the essay)
    results: list[ValidationResult] = run_pre_scripts(root, contract.pre_scripts, values, offline=offline,
                                                      timeout_s=PRE_SCRIPT_TIMEOUT_S, where=where)
    artifacts = [hash_output(root, o, progress) for o in outputs]
    ctx = CheckContext(root=root, variables=values, depth=depth, offline=offline,
                       rule=required_outputs.rule, outputs=outputs)
    specs = contract.validations
    wheres = [f"{where}validations[{index}]: " for index in range(len(specs))]
    try:
        if all(CHECKS[spec.type].stat_only for spec in specs):
            bounds = None  # a fork per evaluation is most of a simple contract's cost
        outcomes = run_bounded(specs, ctx, run_check, wheres, bounds)
    except ContractError as exc:
        if not exc.message.startswith(where):
            exc.message = where + exc.message
        raise
    for index, (spec, outcome) in enumerate(zip(specs, outcomes)):
        status = outcome.status
        if status == "FAIL" and spec.severity == "warning":
            status = "WARN"
        results.append(ValidationResult(index=index, type=spec.type, status=status, severity=spec.severity,
            description=spec.description, target=outcome.target, message=outcome.message,
            details=outcome.details,
        ))
    failures = [r for r in results if r.status == "FAIL"]
    warnings = [_label(r) for r in results if r.status == "WARN"]
    missing = _missing_outputs([o.rule for o in outputs], artifacts)
    reasons = ([missing] if missing else []) + [_label(r) for r in failures]
    return Evaluation(
        status="FAIL" if reasons else "PASS",
        artifacts=artifacts, validations=results, warnings=warnings,
        failure_reason="; ".join(reasons) or None,
        required_outputs=[o.path for o in outputs],
    )


def _label(result: ValidationResult) -> str:
    """`validations[2] not_contains: ...`, or `pre_scripts[0]: ...` (recorded at index -1)."""
    if result.index < 0:
        return f"pre_scripts[{-result.index - 1}]: {result.message}"
    return f"validations[{result.index}] {result.type}: {result.message}"


def _missing_outputs(lists: list[str], artifacts: list[Artifact]) -> str | None:
    reasons = []
    any_of = [a for rule, a in zip(lists, artifacts) if rule == "any_of"]
    if any_of and not any(a.exists for a in any_of):
        reasons.append("none of the any_of outputs exists: " + ", ".join(a.path for a in any_of))
    missing = [a.path for rule, a in zip(lists, artifacts)
               if rule == "all_of" and a.required and not a.exists]
    if missing:
        reasons.append("missing required outputs: " + ", ".join(missing))
    return "; ".join(reasons) or None
