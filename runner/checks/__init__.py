"""The contract check types. CHECKS maps each `type` tag to its spec (a Struct in
specs.py) and its function; AnyCheck, the tagged union a contract's `validations[]`
decodes into, is derived from it. To add a check type: a spec in specs.py, a function
`check(spec, ctx) -> Outcome` in a module of this package (see base.py), a line here,
cases in tests/cases/<type>/, and a paragraph in docs/contracts.md."""

from __future__ import annotations

from importlib import import_module
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


def _lazy(module: str, name: str) -> CheckFunction:
    """`module.name`, imported when a contract first uses it: the heavy check modules
    (urllib, http.client and a thread pool for url_reachable; yaml and jsonschema for
    json_schema and sha256; a score of regexes compiled at import for min_sources and
    viz_tech_match) stay off the gate path of contracts that do not use them."""

    def run(spec: specs.CheckSpec, ctx: CheckContext) -> Outcome:
        return getattr(import_module(f"runner.checks.{module}"), name)(spec, ctx)

    run.__name__ = name
    return run


CHECKS: dict[str, Check] = {
    "file_exists": Check(specs.FileExists, files.check_file_exists, stat_only=True),
    "dir_exists": Check(specs.DirExists, files.check_dir_exists, stat_only=True),
    "min_file_count": Check(specs.MinFileCount, files.check_min_file_count),
    "min_sources": Check(specs.MinSources, _lazy("sources", "check_min_sources")),
    "min_sources_any_of": Check(specs.MinSourcesAnyOf, _lazy("sources", "check_min_sources_any_of")),
    "contains_headings": Check(specs.ContainsHeadings, text.check_contains_headings),
    "contains_text": Check(specs.ContainsText, text.check_contains_text),
    "not_contains": Check(specs.NotContains, text.check_not_contains),
    "frontmatter_status": Check(specs.FrontmatterStatus, frontmatter.check_frontmatter_status),
    "regex_match": Check(specs.RegexMatch, regex.check_regex_match),
    "min_regex_count": Check(specs.MinRegexCount, regex.check_min_regex_count),
    "url_reachable": Check(specs.UrlReachable, _lazy("urls", "check_url_reachable")),
    "viz_tech_match": Check(specs.VizTechMatch, _lazy("viz", "check_viz_tech_match")),
    "json_schema": Check(specs.JsonSchema, _lazy("structured", "check_json_schema")),
    "sha256": Check(specs.Sha256, _lazy("structured", "check_sha256")),
}

AnyCheck = Union[tuple(check.spec for check in CHECKS.values())]  # type: ignore[valid-type]


def run_check(spec: specs.CheckSpec, ctx: CheckContext) -> Outcome:
    """Evaluate one validation (severity is the caller's business)."""
    return CHECKS[spec.type].run(spec, ctx)
