"""The contract check types. CHECKS maps each `type` tag to its spec (a Struct in
specs.py) and its function; AnyCheck, the tagged union a contract's `validations[]`
decodes into, is derived from it. To add a check type: a spec in specs.py, a function
`check(spec, ctx) -> Outcome` in a module of this package (see base.py), a line here,
cases in tests/cases/<type>/, and a paragraph in docs/contracts.md."""

from __future__ import annotations

from typing import Callable, NamedTuple, Union

from runner.checks import files, frontmatter, regex, specs, text
from runner.checks.base import CheckContext, Outcome

CheckFunction = Callable[..., Outcome]


class Check(NamedTuple):
    spec: type[specs.CheckSpec]
    run: CheckFunction
    # It only asks the file system whether named paths exist: nothing a contract or an
    # output holds can make it run long or take memory, so it needs no bounded child.
    stat_only: bool = False


# Heavy, imported when a contract uses them: urllib, http.client and a thread pool
# (url_reachable); yaml, and jsonschema on use (json_schema, sha256); a score of
# regexes compiled at import (min_sources, viz_tech_match).
def _min_sources(spec: specs.MinSources, ctx: CheckContext) -> Outcome:
    from runner.checks.sources import check_min_sources

    return check_min_sources(spec, ctx)


def _min_sources_any_of(spec: specs.MinSourcesAnyOf, ctx: CheckContext) -> Outcome:
    from runner.checks.sources import check_min_sources_any_of

    return check_min_sources_any_of(spec, ctx)


def _viz_tech_match(spec: specs.VizTechMatch, ctx: CheckContext) -> Outcome:
    from runner.checks.viz import check_viz_tech_match

    return check_viz_tech_match(spec, ctx)


def _url_reachable(spec: specs.UrlReachable, ctx: CheckContext) -> Outcome:
    from runner.checks.urls import check_url_reachable

    return check_url_reachable(spec, ctx)


def _json_schema(spec: specs.JsonSchema, ctx: CheckContext) -> Outcome:
    from runner.checks.structured import check_json_schema

    return check_json_schema(spec, ctx)


def _sha256(spec: specs.Sha256, ctx: CheckContext) -> Outcome:
    from runner.checks.structured import check_sha256

    return check_sha256(spec, ctx)


CHECKS: dict[str, Check] = {
    "file_exists": Check(specs.FileExists, files.check_file_exists, stat_only=True),
    "dir_exists": Check(specs.DirExists, files.check_dir_exists, stat_only=True),
    "min_file_count": Check(specs.MinFileCount, files.check_min_file_count),
    "min_sources": Check(specs.MinSources, _min_sources),
    "min_sources_any_of": Check(specs.MinSourcesAnyOf, _min_sources_any_of),
    "contains_headings": Check(specs.ContainsHeadings, text.check_contains_headings),
    "contains_text": Check(specs.ContainsText, text.check_contains_text),
    "not_contains": Check(specs.NotContains, text.check_not_contains),
    "frontmatter_status": Check(specs.FrontmatterStatus, frontmatter.check_frontmatter_status),
    "regex_match": Check(specs.RegexMatch, regex.check_regex_match),
    "min_regex_count": Check(specs.MinRegexCount, regex.check_min_regex_count),
    "url_reachable": Check(specs.UrlReachable, _url_reachable),
    "viz_tech_match": Check(specs.VizTechMatch, _viz_tech_match),
    "json_schema": Check(specs.JsonSchema, _json_schema),
    "sha256": Check(specs.Sha256, _sha256),
}

AnyCheck = Union[tuple(check.spec for check in CHECKS.values())]  # type: ignore[valid-type]


def run_check(spec: specs.CheckSpec, ctx: CheckContext) -> Outcome:
    """Evaluate one validation (severity is the caller's business)."""
    return CHECKS[spec.type].run(spec, ctx)
