"""The spec models: every contract key accepted, bad contracts refused with the
index and the field named, and the registries in step."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import msgspec
import pytest
from msgspec import ValidationError

from runner.checks import CHECKS, AnyCheck
from runner.models.base import describe
from runner.models.contract import Contract

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "esy" / "contracts"
CASES = Path(__file__).resolve().parents[1] / "cases"
CONTRACT_FILES = sorted(CONTRACTS.glob("*.contract.json")) if CONTRACTS.is_dir() else []
needs_shared = pytest.mark.skipif(not CONTRACT_FILES, reason=f"reference contracts not found at {CONTRACTS}")
# Their required_outputs has both all_of and any_of, which runner/models/contract.py
# (RequiredOutputs._one_rule) refuses; the checks support both lists (Output.rule).


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def errors_of(validations: list[dict]) -> tuple[str, str]:
    """(the JSON path of the field at fault, the whole one-line message)."""
    data = {"gate": "GX", "required_outputs": {"all_of": [{"path": "x"}]}, "validations": validations}
    with pytest.raises(ValidationError) as info:
        _convert(Contract, data)
    line = describe(info.value)
    return line.split(": ", 1)[0], line


# ------------------------------------------------------------------ registries
def test_the_union_is_derived_from_the_registry_and_tags_match_keys() -> None:
    assert set(typing.get_args(AnyCheck)) == {check.spec for check in CHECKS.values()}
    for tag, check in CHECKS.items():
        assert check.spec.__struct_config__.tag == tag
        assert check.spec.__struct_config__.tag_field == "type"


@pytest.mark.parametrize("tag", list(CHECKS))
def test_every_type_has_a_passing_and_a_failing_case(tag: str) -> None:
    statuses = {load(p).get("status") for p in (CASES / tag).glob("*/expect.json")}
    assert {"PASS", "FAIL"} <= statuses, f"tests/cases/{tag}/ needs a PASS and a FAIL case"


def test_no_case_folder_without_a_check_type() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(CHECKS)


# ------------------------------------------------------------------ the 18 contracts
@needs_shared
def test_there_are_18_contracts() -> None:
    assert len(CONTRACT_FILES) == 18


@needs_shared
@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.name)
def test_every_contract_validation_parses(path: Path) -> None:
    raw = load(path)["validations"]
    parsed = _convert(list[AnyCheck], raw)
    assert [c.type for c in parsed] == [v["type"] for v in raw]


@needs_shared
@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.name)
def test_every_contract_parses_into_the_contract_model(path: Path) -> None:
    contract = _convert(Contract, load(path))
    assert len(contract.validations) == len(load(path)["validations"])


# ------------------------------------------------------------------ refusals
def test_unknown_type_names_the_index() -> None:
    loc, line = errors_of([{"type": "file_exists", "target": "any_of"}, {"type": "file_exsits", "target": "x"}])
    assert loc == "$.validations[1].type"
    assert "file_exsits" in line


def test_missing_parameter_names_the_index_and_field() -> None:
    loc, line = errors_of([{"type": "file_exists", "target": "any_of"}, {"type": "regex_match", "target": "x"}])
    assert loc == "$.validations[1].regex"
    assert line == "$.validations[1].regex: required field missing"


def test_unknown_key_is_refused() -> None:
    loc, line = errors_of([{"type": "not_contains", "target": "x", "pattern": "y", "missingok": True}])
    assert loc == "$.validations[0].missingok" and line.endswith("unknown field")


def test_invalid_regex_is_refused_when_the_contract_loads() -> None:
    loc, line = errors_of([{"type": "min_regex_count", "target": "x", "regex": "(?<=a+)b", "min_count": 1}])
    assert loc == "$.validations[0]"
    assert "regex /(?<=a+)b/ is not valid: look-behind requires fixed-width pattern" in line


def test_invalid_url_pattern_is_refused() -> None:
    loc, line = errors_of([{"type": "url_reachable", "target": "x", "url_pattern": "https://[a-"}])
    assert loc == "$.validations[0]" and "https://[a-" in line


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
    loc, line = errors_of([check])
    assert loc.startswith(f"$.validations[0].{field}") or (loc == "$.validations[0]" and field in line), line


@pytest.mark.parametrize("keys", [{}, {"pattern": "a", "patterns": ["b"]}])
def test_contains_text_needs_exactly_one_of_pattern_or_patterns(keys: dict) -> None:
    _, line = errors_of([{"type": "contains_text", "target": "x", **keys}])
    assert line.startswith("$.validations[0]: ") and "exactly one of" in line


def test_defaults_and_aliases() -> None:
    specs = _convert(list[AnyCheck], [
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
    assert schema.schema_path == "s.json" and msgspec.to_builtins(schema)["schema"] == "s.json"
    assert sha.sha256 == "a" * 64
    assert count.thresholds == {"quick": 0}


def _convert(kind, data):
    return msgspec.convert(data, kind)
