"""The spec models: every contract key accepted, bad contracts refused with the
index and the field named, and the registries in step."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from runner.checks import CHECKS
from runner.models.base import describe_validation_error
from runner.models.checks import CHECK_SPECS, AnyCheck
from runner.models.contract import Contract

CONTRACTS = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "esy" / "contracts"
CASES = Path(__file__).resolve().parents[2] / "cases"
CONTRACT_FILES = sorted(CONTRACTS.glob("*.contract.json")) if CONTRACTS.is_dir() else []
needs_shared = pytest.mark.skipif(not CONTRACT_FILES, reason=f"reference contracts not found at {CONTRACTS}")
# Their required_outputs has both all_of and any_of, which runner/models/contract.py
# (RequiredOutputs._one_rule) refuses; the checks support both lists (Output.rule).
VALIDATIONS = TypeAdapter(list[AnyCheck])


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def errors_of(validations: list[dict]) -> tuple[list[tuple], str]:
    data = {"gate": "GX", "required_outputs": {"all_of": [{"path": "x"}]}, "validations": validations}
    with pytest.raises(ValidationError) as info:
        Contract.model_validate(data)
    return [e["loc"] for e in info.value.errors()], describe_validation_error(info.value)


# ------------------------------------------------------------------ registries
def test_checks_and_specs_have_the_same_keys() -> None:
    assert list(CHECKS) == list(CHECK_SPECS)


def test_union_holds_every_spec() -> None:
    union = typing.get_args(typing.get_args(AnyCheck)[0])
    assert set(union) == set(CHECK_SPECS.values())
    for tag, model in CHECK_SPECS.items():
        assert typing.get_args(model.model_fields["type"].annotation) == (tag,)


@pytest.mark.parametrize("tag", list(CHECK_SPECS))
def test_every_type_has_a_passing_and_a_failing_case(tag: str) -> None:
    statuses = {load(p).get("status") for p in (CASES / tag).glob("*/expect.json")}
    assert {"PASS", "FAIL"} <= statuses, f"tests/cases/{tag}/ needs a PASS and a FAIL case"


def test_no_case_folder_without_a_check_type() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(CHECK_SPECS)


# ------------------------------------------------------------------ the 18 contracts
@needs_shared
def test_there_are_18_contracts() -> None:
    assert len(CONTRACT_FILES) == 18


@needs_shared
@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.name)
def test_every_contract_validation_parses(path: Path) -> None:
    raw = load(path)["validations"]
    parsed = VALIDATIONS.validate_python(raw)
    assert [c.type for c in parsed] == [v["type"] for v in raw]


@needs_shared
@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.name)
def test_every_contract_parses_into_the_contract_model(path: Path) -> None:
    contract = Contract.model_validate(load(path))
    assert len(contract.validations) == len(load(path)["validations"])


# ------------------------------------------------------------------ refusals
def test_unknown_type_names_the_index() -> None:
    locs, line = errors_of([{"type": "file_exists", "target": "any_of"}, {"type": "file_exsits", "target": "x"}])
    assert locs == [("validations", 1)]
    assert "validations[1]" in line and "file_exsits" in line


def test_missing_parameter_names_the_index_and_field() -> None:
    locs, line = errors_of([{"type": "file_exists", "target": "any_of"}, {"type": "regex_match", "target": "x"}])
    assert locs == [("validations", 1, "regex_match", "regex")]
    assert line.startswith("validations[1].regex_match.regex: Field required")


def test_unknown_key_is_refused() -> None:
    locs, _ = errors_of([{"type": "not_contains", "target": "x", "pattern": "y", "missingok": True}])
    assert locs == [("validations", 0, "not_contains", "missingok")]


def test_invalid_regex_is_refused_when_the_contract_loads() -> None:
    locs, line = errors_of([{"type": "min_regex_count", "target": "x", "regex": "(?<=a+)b", "min_count": 1}])
    assert locs == [("validations", 0, "min_regex_count", "regex")]
    assert "regex /(?<=a+)b/ is not valid: look-behind requires fixed-width pattern" in line


def test_invalid_url_pattern_is_refused() -> None:
    locs, _ = errors_of([{"type": "url_reachable", "target": "x", "url_pattern": "https://[a-"}])
    assert locs == [("validations", 0, "url_reachable", "url_pattern")]


@pytest.mark.parametrize(
    "check, field",
    [
        ({"type": "min_file_count", "target": "d", "pattern": "*.md", "thresholds": {"standard": -1}}, "thresholds"),
        ({"type": "min_file_count", "target": "d", "pattern": "*.md", "thresholds": {"normal": 3}}, "thresholds"),
        ({"type": "min_regex_count", "target": "x", "regex": "a", "min_count": -1}, "min_count"),
        ({"type": "url_reachable", "target": "x", "url_pattern": "h", "sample_size": 0}, "sample_size"),
        ({"type": "sha256", "target": "x", "sha256": "abc"}, "sha256"),
        ({"type": "min_sources", "target": "x", "thresholds": {"quick": 1}, "heuristic": "guess"}, "heuristic"),
        ({"type": "frontmatter_status", "target": "x", "checks": {"status": {"max": 1}}}, "checks"),
        ({"type": "json_schema", "target": "x"}, "schema"),
    ],
)
def test_bad_parameter_is_refused(check: dict, field: str) -> None:
    locs, _ = errors_of([check])
    assert all(loc[:4] == ("validations", 0, check["type"], field) for loc in locs), locs


@pytest.mark.parametrize("keys", [{}, {"pattern": "a", "patterns": ["b"]}])
def test_contains_text_needs_exactly_one_of_pattern_or_patterns(keys: dict) -> None:
    _, line = errors_of([{"type": "contains_text", "target": "x", **keys}])
    assert "validations[0].contains_text" in line and "exactly one of" in line


def test_defaults_and_aliases() -> None:
    specs = VALIDATIONS.validate_python([
        {"type": "url_reachable", "target": "x", "url_pattern": "https://\\S+"},
        {"type": "not_contains", "target": "x", "pattern": "y"},
        {"type": "regex_match", "target": "x", "regex": "y"},
        {"type": "json_schema", "target": "x.json", "schema": "s.json"},
        {"type": "sha256", "target": "x", "sha256": "A" * 64},
        {"type": "min_file_count", "target": "d", "pattern": "*.md", "thresholds": {"quick": 0}},
    ])
    url, not_contains, regex, schema, sha, count = specs
    assert (url.max_failures, url.sample_size, url.timeout_s, url.severity) == (0, 10, 10, "error")
    assert not_contains.missing_ok is False and regex.must_not_match is False
    assert schema.schema_path == "s.json" and schema.model_dump(by_alias=True)["schema"] == "s.json"
    assert sha.sha256 == "a" * 64
    assert count.thresholds == {"quick": 0}
