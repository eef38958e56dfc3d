"""JavaScript-regex checks: regex_match, min_regex_count (see jsregex.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import line_of, missing, plural, read_repointed, short
from runner.checks.jsregex import compile_js

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import MinRegexCount, RegexMatch

MAX_EXAMPLES = 3


def pattern_of(ctx: CheckContext, source: str) -> re.Pattern:
    """The compiled regex, with {slug} and {artifact_path} substituted first."""
    return compile_js(ctx.text(source))


def _examples(text: str, matches: list[re.Match]) -> list[dict]:
    return [{"line": line_of(text, m.start()), "match": m.group(0)} for m in matches[:MAX_EXAMPLES]]


def check_regex_match(spec: RegexMatch, ctx: CheckContext) -> Outcome:
    rel, _, text, repointed = read_repointed(ctx, spec.target)
    if text is None:
        return missing(rel)
    regex = pattern_of(ctx, spec.regex)
    shown = f"/{spec.regex}/"
    if spec.must_not_match:
        found = list(regex.finditer(text))
        if found:
            first = found[0]
            message = (
                f"{rel} matches forbidden {shown} {plural(len(found), 'time')}, first "
                f"{short(first.group(0))} on line {line_of(text, first.start())}"
            )
            details = {**repointed, "count": len(found), "examples": _examples(text, found)}
            return Outcome("FAIL", message, rel, details)
        return Outcome("PASS", f"{rel} has no match for forbidden {shown}", rel, repointed)
    first = regex.search(text)
    if first is None:
        return Outcome("FAIL", f"{rel} has no match for {shown}", rel, repointed)
    return Outcome("PASS", f"{rel} matches {shown} on line {line_of(text, first.start())}", rel, repointed)


def check_min_regex_count(spec: MinRegexCount, ctx: CheckContext) -> Outcome:
    rel, _, text, repointed = read_repointed(ctx, spec.target)
    if text is None:
        return missing(rel)
    found = list(pattern_of(ctx, spec.regex).finditer(text))
    need = spec.min_count
    details = {**repointed, "count": len(found), "need": need, "examples": _examples(text, found)}
    summary = f"found {plural(len(found), 'match', 'es')} of /{spec.regex}/ in {rel}"
    if len(found) < need:
        return Outcome("FAIL", f"{summary}, need {need}", rel, details)
    return Outcome("PASS", f"{summary} (need {need})", rel, details)
