"""The contract check types: CHECKS maps each `type` tag to its function.

Each function has the signature `check(spec, ctx) -> Outcome` (see base.py); the
spec models are in runner/models/checks.py (CHECK_SPECS has the same keys)."""

from __future__ import annotations

from typing import Callable

from .base import CheckContext, Outcome
from .files import check_dir_exists, check_file_exists, check_min_file_count
from .frontmatter import check_frontmatter_status
from .regex import check_min_regex_count, check_regex_match
from .sources import check_min_sources, check_min_sources_any_of
from .structured import check_json_schema, check_sha256
from .text import check_contains_headings, check_contains_text, check_not_contains
from .urls import check_url_reachable
from .viz import check_viz_tech_match

CheckFunction = Callable[..., Outcome]

CHECKS: dict[str, CheckFunction] = {
    "file_exists": check_file_exists,
    "dir_exists": check_dir_exists,
    "min_file_count": check_min_file_count,
    "min_sources": check_min_sources,
    "min_sources_any_of": check_min_sources_any_of,
    "contains_headings": check_contains_headings,
    "contains_text": check_contains_text,
    "not_contains": check_not_contains,
    "frontmatter_status": check_frontmatter_status,
    "regex_match": check_regex_match,
    "min_regex_count": check_min_regex_count,
    "url_reachable": check_url_reachable,
    "viz_tech_match": check_viz_tech_match,
    "json_schema": check_json_schema,
    "sha256": check_sha256,
}


def run_check(spec, ctx: CheckContext) -> Outcome:
    """Evaluate one validation (severity is the caller's business)."""
    return CHECKS[spec.type](spec, ctx)
