"""Substring checks: contains_headings, contains_text, not_contains.

Plain substrings, case-sensitive, as their runner compared them. {slug} and
{artifact_path} are substituted in the strings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import line_of, missing, read, read_repointed

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import ContainsHeadings, ContainsText, NotContains


def _absent(ctx: CheckContext, text: str, wanted: list[str]) -> tuple[list[str], list[str]]:
    """(substituted strings, those that do not occur in text)."""
    strings = [ctx.text(s) for s in wanted]
    return strings, [s for s in strings if s not in text]


def check_contains_headings(spec: ContainsHeadings, ctx: CheckContext) -> Outcome:
    rel, _, text = read(ctx, spec.target)
    if text is None:
        return missing(rel)
    headings, absent = _absent(ctx, text, spec.required_headings)
    if absent:
        listed = ", ".join(repr(h) for h in absent)
        message = f"{rel} lacks {len(absent)} of {len(headings)} headings: {listed}"
        return Outcome("FAIL", message, rel, {"missing": absent})
    return Outcome("PASS", f"{rel} has all {len(headings)} headings", rel)


def check_contains_text(spec: ContainsText, ctx: CheckContext) -> Outcome:
    rel, _, text, details = read_repointed(ctx, spec.target)
    if text is None:
        return missing(rel)
    wanted = spec.patterns if spec.patterns is not None else [spec.pattern]
    patterns, absent = _absent(ctx, text, wanted)
    if absent:
        listed = ", ".join(repr(p) for p in absent)
        return Outcome("FAIL", f"{rel} does not contain {listed}", rel, {**details, "missing": absent})
    listed = ", ".join(repr(p) for p in patterns)
    return Outcome("PASS", f"{rel} contains {'all ' if len(patterns) > 1 else ''}{listed}", rel, details)


def check_not_contains(spec: NotContains, ctx: CheckContext) -> Outcome:
    rel, _, text, details = read_repointed(ctx, spec.target)
    if text is None:
        if spec.missing_ok:
            return Outcome("PASS", f"{rel} does not exist (missing_ok)", rel)
        return missing(rel)
    pattern = ctx.text(spec.pattern)
    at = text.find(pattern)
    if at >= 0:
        line = line_of(text, at)
        details.update(pattern=pattern, line=line)
        return Outcome("FAIL", f"{rel} contains {pattern!r} (line {line})", rel, details)
    return Outcome("PASS", f"{rel} does not contain {pattern!r}", rel, details)
