"""The contract check types: CHECKS maps each `type` tag to its function.

Each function has the signature `check(spec, ctx) -> Outcome` (see base.py); the
spec models are in runner/models/checks.py (CHECK_SPECS has the same keys)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable, Mapping

from ..registry import LazyRegistry
from .base import CheckContext, Outcome

CheckFunction = Callable[..., Outcome]

# type tag -> (module in this package, function). The modules are imported when a check
# of theirs is first looked up, so a command evaluating a contract imports only the
# check modules it uses (url_reachable brings urllib/http, json_schema brings yaml).
_WHERE: dict[str, tuple[str, str]] = {
    "file_exists": ("files", "check_file_exists"),
    "dir_exists": ("files", "check_dir_exists"),
    "min_file_count": ("files", "check_min_file_count"),
    "min_sources": ("sources", "check_min_sources"),
    "min_sources_any_of": ("sources", "check_min_sources_any_of"),
    "contains_headings": ("text", "check_contains_headings"),
    "contains_text": ("text", "check_contains_text"),
    "not_contains": ("text", "check_not_contains"),
    "frontmatter_status": ("frontmatter", "check_frontmatter_status"),
    "regex_match": ("regex", "check_regex_match"),
    "min_regex_count": ("regex", "check_min_regex_count"),
    "url_reachable": ("urls", "check_url_reachable"),
    "viz_tech_match": ("viz", "check_viz_tech_match"),
    "json_schema": ("structured", "check_json_schema"),
    "sha256": ("structured", "check_sha256"),
}


CHECKS: Mapping[str, CheckFunction] = LazyRegistry(
    {tag: (f"{__name__}.{module}", function) for tag, (module, function) in _WHERE.items()}, "CHECKS")


def __getattr__(name: str) -> CheckFunction:
    """`from runner.checks import check_file_exists` still works."""
    for key, (_, function) in _WHERE.items():
        if function == name:
            return CHECKS[key]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_check(spec, ctx: CheckContext) -> Outcome:
    """Evaluate one validation (severity is the caller's business). `spec`: a check's
    model or its dump; the check reads the dump's fields as attributes (nested values
    stay plain: a frontmatter check's {"not_": v} or {"min": n})."""
    data = spec if isinstance(spec, dict) else spec.model_dump()
    return CHECKS[data["type"]](SimpleNamespace(**data), ctx)
