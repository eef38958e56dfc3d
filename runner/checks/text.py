"""Substring checks: contains_headings, contains_text, not_contains.

Plain substrings, case-sensitive, as their runner compared them. {slug} and
{artifact_path} are substituted in the strings. The file is scanned in chunks
(runner/checks/scan.py), never read whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import locate_repointed, missing
from runner.checks.scan import first_lines

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import ContainsHeadings, ContainsText, NotContains


def _scan(ctx: CheckContext, template: str, wanted: list[str], repoint: bool = True
          ) -> tuple[str, list[str], dict[str, int | None] | None, dict]:
    """(relative path, substituted strings, the first line of each or None when the
    file does not exist, details). Only a contract's re-pointing rule differs."""
    if repoint:
        rel, absolute, details = locate_repointed(ctx, template)
    else:
        (rel, absolute), details = ctx.path(template), {}
    strings = [ctx.text(s) for s in wanted]
    if not absolute.is_file():
        return rel, strings, None, details
    return rel, strings, first_lines(absolute, strings), details


def check_contains_headings(spec: ContainsHeadings, ctx: CheckContext) -> Outcome:
    rel, headings, lines, _ = _scan(ctx, spec.target, spec.required_headings, repoint=False)
    if lines is None:
        return missing(rel)
    absent = [h for h in headings if lines[h] is None]
    if absent:
        listed = ", ".join(repr(h) for h in absent)
        message = f"{rel} lacks {len(absent)} of {len(headings)} headings: {listed}"
        return Outcome("FAIL", message, rel, {"missing": absent})
    return Outcome("PASS", f"{rel} has all {len(headings)} headings", rel)


def check_contains_text(spec: ContainsText, ctx: CheckContext) -> Outcome:
    wanted = spec.patterns if spec.patterns is not None else [spec.pattern]
    rel, patterns, lines, details = _scan(ctx, spec.target, wanted)
    if lines is None:
        return missing(rel)
    absent = [p for p in patterns if lines[p] is None]
    if absent:
        listed = ", ".join(repr(p) for p in absent)
        return Outcome("FAIL", f"{rel} does not contain {listed}", rel, {**details, "missing": absent})
    listed = ", ".join(repr(p) for p in patterns)
    return Outcome("PASS", f"{rel} contains {'all ' if len(patterns) > 1 else ''}{listed}", rel, details)


def check_not_contains(spec: NotContains, ctx: CheckContext) -> Outcome:
    rel, (pattern,), lines, details = _scan(ctx, spec.target, [spec.pattern])
    if lines is None:
        if spec.missing_ok:
            return Outcome("PASS", f"{rel} does not exist (missing_ok)", rel)
        return missing(rel)
    line = lines[pattern]
    if line is not None:
        details.update(pattern=pattern, line=line)
        return Outcome("FAIL", f"{rel} contains {pattern!r} (line {line})", rel, details)
    return Outcome("PASS", f"{rel} does not contain {pattern!r}", rel, details)
