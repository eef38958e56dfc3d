"""Existence checks: file_exists, dir_exists, min_file_count."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome, Output
from runner.checks.common import depth_note, missing, plural
from runner.errors import ContractError

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import DirExists, FileExists, MinFileCount

RULE_TARGETS = {"any_of": "any_of", "all_required": "all_of", "all_of": "all_of"}


def _exists(ctx: CheckContext, output: Output) -> bool:
    return ctx.path(output.path)[1].exists()  # a directory output counts


def _outputs(spec: FileExists, ctx: CheckContext, rule: str) -> list[Output]:
    outputs = ctx.outputs_of(rule)
    if not outputs:
        raise ContractError(
            f"{ctx.where}file_exists target {spec.target!r} but required_outputs has no {rule} list",
            f"add required_outputs.{rule} or give file_exists a path",
        )
    return outputs


def check_file_exists(spec: FileExists, ctx: CheckContext) -> Outcome:
    rule = RULE_TARGETS.get(spec.target)
    if rule is None:
        rel, absolute = ctx.path(spec.target)
        if absolute.exists():
            return Outcome("PASS", f"{rel} exists", target=rel)
        return missing(rel)
    outputs = _outputs(spec, ctx, rule)
    present = [o.path for o in outputs if _exists(ctx, o)]
    if rule == "any_of":
        if present:
            return Outcome("PASS", f"{present[0]} exists", target=present[0], details={"present": present})
        paths = [o.path for o in outputs]
        return Outcome("FAIL", f"missing file: none of {', '.join(paths)} exists", details={"missing": paths})
    required = [o.path for o in outputs if o.required]
    absent = [p for p in required if p not in present]
    if absent:
        return Outcome(
            "FAIL", f"missing file {', '.join(absent)}", target=absent[0], details={"missing": absent}
        )
    if not required:
        return Outcome("PASS", f"no output is required {depth_note(ctx)}")
    message = f"every required output exists: {', '.join(required)}"
    return Outcome("PASS", message, details={"present": present})


def check_dir_exists(spec: DirExists, ctx: CheckContext) -> Outcome:
    rel, absolute = ctx.path(spec.target)
    if absolute.is_dir():
        return Outcome("PASS", f"{rel} is a directory", target=rel)
    if absolute.exists():
        return Outcome("FAIL", f"{rel} is a file, not a directory", target=rel)
    return missing(rel, "directory")


def check_min_file_count(spec: MinFileCount, ctx: CheckContext) -> Outcome:
    rel, absolute = ctx.path(spec.target)
    need = ctx.threshold(spec.thresholds)
    if not absolute.is_dir():
        return missing(rel, "directory")
    pattern = ctx.text(spec.pattern)
    # Directly in the directory, as their runner counted; subdirectories are not searched.
    names = sorted(p.name for p in absolute.iterdir() if p.is_file() and fnmatchcase(p.name, pattern))
    details = {"count": len(names), "need": need, "files": names}
    found = f"found {plural(len(names), pattern + ' file')} in {rel}"
    if len(names) < need:
        return Outcome("FAIL", f"{found}, need {need} {depth_note(ctx)}", target=rel, details=details)
    return Outcome("PASS", f"{found} (need {need})", target=rel, details=details)
