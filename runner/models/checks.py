"""Spec models of the contract check types (the `validations[]` items of a contract).

One pydantic model per check type, tagged by its `type` literal. `CHECK_SPECS` maps
the tag to the model; `AnyCheck` is the discriminated union used by the contract model.
The functions that evaluate them live in `runner/checks/` (`CHECKS`)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Field, model_validator

from .base import Strict

Depth = Literal["quick", "standard", "deep"]
Thresholds = dict[Depth, Annotated[int, Field(ge=0)]]
Scalar = Union[str, int, float, bool]
NonEmpty = Annotated[str, Field(min_length=1)]


def _js_regex(value: str) -> str:
    """Refuse, when the contract loads, a regex the checks could not compile."""
    # Imported here: importing runner.checks loads every check module, and those
    # modules may import this package.
    from ..checks.jsregex import compile_js
    from ..errors import ContractError

    try:
        compile_js(value)
    except ContractError as exc:
        raise ValueError(exc.message) from None
    return value


JsRegex = Annotated[str, Field(min_length=1), AfterValidator(_js_regex)]


class CheckSpec(Strict):
    """Keys every check accepts."""

    description: str | None = None
    severity: Literal["error", "warning"] = "error"
    # In the original contracts: marks a check a team may relax; informational only.
    configurable: bool | None = None


class FileExists(CheckSpec):
    type: Literal["file_exists"]
    # "any_of" / "all_required": the contract's required_outputs rule; otherwise one path.
    target: NonEmpty


class DirExists(CheckSpec):
    type: Literal["dir_exists"]
    target: NonEmpty


class MinFileCount(CheckSpec):
    type: Literal["min_file_count"]
    target: NonEmpty
    pattern: NonEmpty  # a glob on file names, e.g. "*.md"
    thresholds: Thresholds


Heuristic = Literal["count_source_headings_or_urls"]


class MinSources(CheckSpec):
    type: Literal["min_sources"]
    target: NonEmpty
    thresholds: Thresholds
    heuristic: Heuristic | None = None  # only one heuristic exists; naming it is optional


class MinSourcesAnyOf(CheckSpec):
    type: Literal["min_sources_any_of"]
    targets: Annotated[list[NonEmpty], Field(min_length=1)]
    thresholds: Thresholds
    heuristic: Heuristic | None = None


class ContainsHeadings(CheckSpec):
    type: Literal["contains_headings"]
    target: NonEmpty
    required_headings: Annotated[list[NonEmpty], Field(min_length=1)]


class ContainsText(CheckSpec):
    type: Literal["contains_text"]
    target: NonEmpty
    patterns: Annotated[list[NonEmpty], Field(min_length=1)] | None = None
    pattern: NonEmpty | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "ContainsText":
        if (self.patterns is None) == (self.pattern is None):
            raise ValueError("give exactly one of `patterns` (a list) or `pattern` (a string)")
        return self


class NotContains(CheckSpec):
    type: Literal["not_contains"]
    target: NonEmpty
    pattern: NonEmpty
    missing_ok: bool = False


class NotValue(Strict):
    not_: Scalar = Field(alias="not")  # `not` is a Python keyword


class MinValue(Strict):
    min: float


class FrontmatterStatus(CheckSpec):
    type: Literal["frontmatter_status"]
    target: NonEmpty
    # {field: value} must equal; {field: {"not": v}} must differ; {field: {"min": n}} number >= n.
    checks: Annotated[dict[NonEmpty, Union[NotValue, MinValue, Scalar]], Field(min_length=1)]


class RegexMatch(CheckSpec):
    type: Literal["regex_match"]
    target: NonEmpty
    regex: JsRegex
    must_not_match: bool = False


class MinRegexCount(CheckSpec):
    type: Literal["min_regex_count"]
    target: NonEmpty
    regex: JsRegex
    min_count: Annotated[int, Field(ge=0)]


class UrlReachable(CheckSpec):
    type: Literal["url_reachable"]
    target: NonEmpty
    url_pattern: JsRegex
    max_failures: Annotated[int, Field(ge=0)] = 0
    sample_size: Annotated[int, Field(ge=1)] = 10
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 10


class VizTechMatch(CheckSpec):
    type: Literal["viz_tech_match"]
    metadata_source: NonEmpty
    implementation_target: NonEmpty


class JsonSchema(CheckSpec):
    type: Literal["json_schema"]
    target: NonEmpty  # a .json, .yaml or .yml output
    # `schema` would shadow a BaseModel attribute, hence the alias.
    schema_path: NonEmpty = Field(alias="schema")


class Sha256(CheckSpec):
    type: Literal["sha256"]
    target: NonEmpty
    sha256: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]


# Keep this union and CHECK_SPECS in step (a conformance test compares them with
# runner.checks.CHECKS).
AnyCheck = Annotated[
    Union[
        FileExists,
        DirExists,
        MinFileCount,
        MinSources,
        MinSourcesAnyOf,
        ContainsHeadings,
        ContainsText,
        NotContains,
        FrontmatterStatus,
        RegexMatch,
        MinRegexCount,
        UrlReachable,
        VizTechMatch,
        JsonSchema,
        Sha256,
    ],
    Field(discriminator="type"),
]

CHECK_SPECS: dict[str, type[CheckSpec]] = {
    "file_exists": FileExists,
    "dir_exists": DirExists,
    "min_file_count": MinFileCount,
    "min_sources": MinSources,
    "min_sources_any_of": MinSourcesAnyOf,
    "contains_headings": ContainsHeadings,
    "contains_text": ContainsText,
    "not_contains": NotContains,
    "frontmatter_status": FrontmatterStatus,
    "regex_match": RegexMatch,
    "min_regex_count": MinRegexCount,
    "url_reachable": UrlReachable,
    "viz_tech_match": VizTechMatch,
    "json_schema": JsonSchema,
    "sha256": Sha256,
}
