"""The spec of each contract check type (the `validations[]` items of a contract): one
Struct per type, tagged by its `type`. Types only; the functions are beside them in
this package, and `runner/checks/__init__.py` maps each tag to its spec and function."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import msgspec

from runner.checks.jsregex import compile_js
from runner.errors import ContractError
from runner.models.base import Strict

Depth = Literal["quick", "standard", "deep"]
Thresholds = dict[Depth, Annotated[int, msgspec.Meta(ge=0)]]
Scalar = Union[str, int, float, bool]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
NonEmptyList = Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
Count = Annotated[int, msgspec.Meta(ge=0)]
Heuristic = Literal["count_source_headings_or_urls"]


def _check_regex(value: str) -> None:
    """Refuse, when the contract loads, a regex the checks could not compile."""
    try:
        compile_js(value)
    except ContractError as exc:
        raise ValueError(exc.message) from None


class CheckSpec(Strict):
    """Keys every check accepts."""

    description: str | None = None
    severity: Literal["error", "warning"] = "error"
    # In the original contracts: marks a check a team may relax; informational only.
    configurable: bool | None = None

    @property
    def type(self) -> str:
        return self.__struct_config__.tag


def _tag(name: str) -> dict[str, str]:
    return {"tag_field": "type", "tag": name}


class FileExists(CheckSpec, **_tag("file_exists")):
    # "any_of" / "all_required": the contract's required_outputs rule; otherwise one path.
    target: NonEmpty


class DirExists(CheckSpec, **_tag("dir_exists")):
    target: NonEmpty


class MinFileCount(CheckSpec, **_tag("min_file_count")):
    target: NonEmpty
    pattern: NonEmpty  # a glob on file names, e.g. "*.md"
    thresholds: Thresholds


class MinSources(CheckSpec, **_tag("min_sources")):
    target: NonEmpty
    thresholds: Thresholds
    heuristic: Heuristic | None = None  # only one heuristic exists; naming it is optional


class MinSourcesAnyOf(CheckSpec, **_tag("min_sources_any_of")):
    targets: NonEmptyList
    thresholds: Thresholds
    heuristic: Heuristic | None = None


class ContainsHeadings(CheckSpec, **_tag("contains_headings")):
    target: NonEmpty
    required_headings: NonEmptyList


class ContainsText(CheckSpec, **_tag("contains_text")):
    target: NonEmpty
    patterns: NonEmptyList | None = None
    pattern: NonEmpty | None = None

    def __post_init__(self) -> None:
        if (self.patterns is None) == (self.pattern is None):
            raise ValueError("give exactly one of `patterns` (a list) or `pattern` (a string)")


class NotContains(CheckSpec, **_tag("not_contains")):
    target: NonEmpty
    pattern: NonEmpty
    missing_ok: bool = False


class FrontmatterStatus(CheckSpec, **_tag("frontmatter_status")):
    target: NonEmpty
    # {field: value} must equal; {field: {"not": v}} must differ; {field: {"min": n}} number >= n.
    checks: Annotated[dict[NonEmpty, Union[Scalar, dict[str, Any]]], msgspec.Meta(min_length=1)]

    def __post_init__(self) -> None:
        for name, rule in self.checks.items():
            if not isinstance(rule, dict):
                continue
            ok = (list(rule) == ["not"] and isinstance(rule["not"], (str, int, float, bool))) or (
                list(rule) == ["min"] and isinstance(rule["min"], (int, float)) and not isinstance(rule["min"], bool))
            if not ok:
                raise ValueError(f"checks.{name}: give a value, {{\"not\": value}} or {{\"min\": number}}")


class RegexMatch(CheckSpec, **_tag("regex_match")):
    target: NonEmpty
    regex: NonEmpty
    must_not_match: bool = False

    def __post_init__(self) -> None:
        _check_regex(self.regex)


class MinRegexCount(CheckSpec, **_tag("min_regex_count")):
    target: NonEmpty
    regex: NonEmpty
    min_count: Count

    def __post_init__(self) -> None:
        _check_regex(self.regex)


class UrlReachable(CheckSpec, **_tag("url_reachable")):
    target: NonEmpty
    url_pattern: NonEmpty
    max_failures: Count = 0
    sample_size: Annotated[int, msgspec.Meta(ge=1)] = 10
    timeout_s: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10

    def __post_init__(self) -> None:
        _check_regex(self.url_pattern)


class VizTechMatch(CheckSpec, **_tag("viz_tech_match")):
    metadata_source: NonEmpty
    implementation_target: NonEmpty


class JsonSchema(CheckSpec, **_tag("json_schema")):
    target: NonEmpty  # a .json, .yaml or .yml output
    schema_path: NonEmpty = msgspec.field(name="schema")


class Sha256(CheckSpec, **_tag("sha256")):
    target: NonEmpty
    sha256: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-fA-F]{64}$")]

    def __post_init__(self) -> None:
        self.sha256 = self.sha256.lower()
