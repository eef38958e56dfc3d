"""frontmatter_status: fields of a markdown file's front matter satisfy the checks.

Their parser, not YAML: the block between a leading `---` line and the next `---`
line; each `key: value` line is a field split at the first colon and trimmed; a value
made only of digits (with an optional decimal part) is a number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Union

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import missing, read_repointed

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import FrontmatterStatus

NUMBER = re.compile(r"^\d+(\.\d+)?$")
Value = Union[str, float]


def _scalar(raw: str) -> Value:
    raw = raw.strip()
    # One pair of matching quotes is removed, so `status: "FAIL"` is still FAIL.
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    return float(raw) if NUMBER.match(raw) else raw


def parse_frontmatter(text: str) -> dict[str, Value] | None:
    """The fields, or None when the file has no front matter."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    fields: dict[str, Value] = {}
    for line in lines[1:]:
        if line.strip() == "---":
            return fields
        key, colon, value = line.partition(":")
        if colon and key.strip():
            fields[key.strip()] = _scalar(value)
    return None  # never closed


def _expected(value) -> Value:
    """A plain expected value, normalised the way front-matter values are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return float(value) if isinstance(value, (int, float)) else _scalar(str(value))


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _problem(name: str, actual: Value | None, check: str | float | bool | dict) -> str | None:
    """Why the field fails its check (a value, or the dump of a NotValue {"not": v} or
    of a MinValue {"min": n}), or None when it passes."""
    if isinstance(check, dict) and "not" in check:
        if actual is not None and actual == _expected(check["not"]):
            return f"{name} is {_show(actual)}"
        return None
    if isinstance(check, dict):
        least = check["min"]
        if not isinstance(actual, float):
            shown = "missing" if actual is None else f"{_show(actual)}, not a number"
            return f"{name} is {shown} (need a number >= {_show(least)})"
        return None if actual >= least else f"{name} is {_show(actual)}, below {_show(least)}"
    wanted = _expected(check)
    if actual != wanted:
        shown = "missing" if actual is None else _show(actual)
        return f"{name} is {shown}, expected {_show(wanted)}"
    return None


def check_frontmatter_status(spec: FrontmatterStatus, ctx: CheckContext) -> Outcome:
    rel, _, text, details = read_repointed(ctx, spec.target)
    if text is None:
        return missing(rel)
    fields = parse_frontmatter(text)
    if fields is None:
        return Outcome("FAIL", f"{rel} has no front matter (a block between --- lines at the top)", rel, details)
    problems = [p for name, check in spec.checks.items() if (p := _problem(name, fields.get(name), check))]
    details["fields"] = {k: fields.get(k) for k in spec.checks}
    if problems:
        return Outcome("FAIL", f"front matter of {rel}: {'; '.join(problems)}", rel, details)
    return Outcome("PASS", f"front matter of {rel} satisfies {len(spec.checks)} check(s)", rel, details)
