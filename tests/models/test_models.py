"""The record models: strict (extra keys refused), versioned, and errors that name the field."""

from __future__ import annotations

import json

import msgspec
import pytest
from helpers import ESY, requires_shared
from msgspec import ValidationError

from runner.models.base import SCHEMA_VERSION, Record
from runner.models.base import describe as describe_validation_error
from runner.models.base import to_data as dump
from runner.models.contract import Contract, OutputItem
from runner.models.run import Attempt, Run
from runner.models.workflow import Config, Workflow

ACTOR = {"name": "Ada Tester", "email": "ada@example.org"}
RUN = {
    "run_id": "run_20260119T143012Z_robot_a1b2c3",
    "workflow": {"name": "essay", "slug": "robot", "artifact_path": "essays/robot"},
    "started_at": "2026-01-19T14:30:12.000Z",
    "created_by": ACTOR,
    "runner_version": "0.1.0",
    "gates": [{"gate": "G1"}],
}
ATTEMPT = {
    "run_id": RUN["run_id"], "gate": "G1", "attempt": 1, "status": "PASS",
    "started_at": "2026-01-19T14:30:12.000Z", "finished_at": "2026-01-19T14:31:00.000Z",
    "started_by": ACTOR, "finished_by": ACTOR, "runner_version": "0.1.0", "depth": "standard",
    "artifacts": [{"path": "essays/robot/SPEC.md", "exists": True, "sha256": "0" * 64, "size": 3}],
}
CONTRACT = {
    "gate": "G1",
    "required_outputs": {"all_of": [{"path": "{artifact_path}/SPEC.md"}]},
    "validations": [{"type": "file_exists", "target": "all_required"}],
}
WORKFLOW = {"workflow": "essay", "gates": [{"gate": "G1"}]}

CASES = [(Run, RUN), (Attempt, ATTEMPT), (Contract, CONTRACT), (Workflow, WORKFLOW), (Config, {})]


@pytest.mark.parametrize("model,data", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_valid_instances_load(model, data):
    _convert(model, data)


@pytest.mark.parametrize("model,data", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_extra_top_level_keys_are_refused(model, data):
    with pytest.raises(ValidationError) as info:
        _convert(model, {**data, "surprise": 1})
    assert "surprise" in describe_validation_error(info.value)


@pytest.mark.parametrize("mutate,where", [
    (lambda d: d["workflow"].update(extra=1), "workflow.extra"),
    (lambda d: d["gates"][0].update(colour="red"), "gates[0].colour"),
    (lambda d: d["created_by"].update(phone="1"), "created_by.phone"),
])
def test_extra_nested_keys_are_refused_and_named(mutate, where):
    data = json.loads(json.dumps(RUN))
    mutate(data)
    with pytest.raises(ValidationError) as info:
        _convert(Run, data)
    assert describe_validation_error(info.value).startswith("$." + where)


def test_nested_attempt_artifact_extra_key_is_refused():
    data = json.loads(json.dumps(ATTEMPT))
    data["artifacts"][0]["absolute_path"] = "/tmp/x"
    with pytest.raises(ValidationError) as info:
        _convert(Attempt, data)
    assert "artifacts[0].absolute_path" in describe_validation_error(info.value)


@pytest.mark.parametrize("model,data", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_schema_version_is_always_written(model, data):
    dumped = dump(_convert(model, data))
    assert dumped["schema_version"] == SCHEMA_VERSION == 1


def test_every_record_model_has_schema_version():
    from runner.schemas import types

    records = [kind for kind in types().values() if isinstance(kind, type) and issubclass(kind, msgspec.Struct)]
    assert len(records) >= 10
    for model in records:
        assert issubclass(model, Record) and "schema_version" in model.__struct_fields__, model


def test_run_status_is_an_enum():
    with pytest.raises(ValidationError) as info:
        _convert(Run, {**RUN, "status": "BOGUS"})
    assert describe_validation_error(info.value).startswith("$.status:")


def test_attempt_numbers_start_at_one():
    with pytest.raises(ValidationError):
        _convert(Attempt, {**ATTEMPT, "attempt": 0})


def test_describe_validation_error_names_index_and_field():
    bad = {**CONTRACT, "validations": [{"type": "file_exists", "target": "any_of"},
                                       {"type": "min_file_count", "target": "x", "pattern": "*.md"}]}
    with pytest.raises(ValidationError) as info:
        _convert(Contract, bad)
    text = describe_validation_error(info.value)
    assert "validations[1]" in text and "thresholds" in text


def test_unknown_check_type_is_refused_with_its_index():
    bad = {**CONTRACT, "validations": [CONTRACT["validations"][0], {"type": "file_exist", "target": "x"}]}
    with pytest.raises(ValidationError) as info:
        _convert(Contract, bad)
    text = describe_validation_error(info.value)
    assert "validations[1]" in text and "file_exist" in text


def test_required_outputs_needs_a_rule():
    with pytest.raises(ValidationError):
        _convert(Contract, {**CONTRACT, "required_outputs": {}})


def test_required_outputs_may_have_both_lists():
    """G4.1, G5.2 and G5.3 of the originals give all_of and any_of together."""
    contract = _convert(Contract, {**CONTRACT, "required_outputs": {
        "all_of": [{"path": "a"}], "any_of": [{"path": "b"}, {"path": "c"}]}})
    outputs = contract.required_outputs
    assert outputs.rule == "all_of"
    assert [(rule, [i.path for i in items]) for rule, items in outputs.groups()] == [("all_of", ["a"]), ("any_of", ["b", "c"])]
    assert [i.path for i in outputs.items] == ["a", "b", "c"]


@pytest.mark.parametrize("item,depth,required", [
    ({}, "standard", True),
    ({"required": False}, "standard", False),
    ({"required_for_depth": ["deep"]}, "deep", True),
    ({"required_for_depth": ["deep"]}, "quick", False),
    ({"optional_for_depth": ["quick"]}, "quick", False),
    ({"optional_for_depth": ["quick"]}, "standard", True),
])
def test_output_required_for_depth(item, depth, required):
    assert OutputItem(path="x", **item).is_required(depth) is required


def test_thresholds_of_zero_stay_zero():
    contract = _convert(Contract, {**CONTRACT, "validations": [
        {"type": "min_file_count", "target": "x", "pattern": "*.md", "thresholds": {"quick": 0, "standard": 0}}]})
    assert contract.validations[0].thresholds == {"quick": 0, "standard": 0}


@requires_shared()
def test_the_18_reference_contracts_and_the_workflow_load():
    contracts = sorted((ESY / "contracts").glob("*.contract.json"))
    assert len(contracts) == 18
    for path in contracts:
        _convert(Contract, json.loads(path.read_text()))
    workflow = _convert(Workflow, json.loads((ESY / "workflows" / "visual-essay.json").read_text()))
    assert len(workflow.gates) == 18


def _convert(kind, data):
    return msgspec.convert(data, kind)
