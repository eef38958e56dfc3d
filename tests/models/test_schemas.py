"""The checked-in schemas/ are exactly what the models generate: file by file, no extra,
none missing. Regenerate with `make schemas` (python -m runner.schemas)."""

from __future__ import annotations

import json

import msgspec
import pytest
from helpers import REPO

from runner import schemas

SCHEMAS_DIR = REPO / "schemas"
GENERATED = schemas.generate()


def test_no_schema_is_missing_or_extra():
    on_disk = sorted(p.name for p in SCHEMAS_DIR.glob("*.schema.json"))
    expected = sorted(f"{name}.schema.json" for name in GENERATED)
    assert on_disk == expected, "schemas/ drifted from the models: run `make schemas`"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_checked_in_schema_matches_the_model(name):
    path = SCHEMAS_DIR / f"{name}.schema.json"
    assert path.is_file(), f"{path} is missing: run `make schemas`"
    assert json.loads(path.read_text(encoding="utf-8")) == GENERATED[name], \
        f"{path.name} drifted from the model: run `make schemas`"
    assert path.read_text(encoding="utf-8") == schemas.render(GENERATED[name]), f"{path.name} is not canonical"


def test_core_schemas_are_present():
    assert {"run", "attempt", "contract", "workflow", "config"} <= set(GENERATED)


def test_schemas_are_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    for name, schema in GENERATED.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith(f"/{name}.schema.json")


def test_written_records_validate_against_the_schemas(tmp_path):
    from jsonschema import Draft202012Validator

    from runner.models.base import to_data as dump
    from runner.models.run import Run

    run = _convert(Run, {
        "run_id": "run_20260119T143012Z_robot_a1b2c3",
        "workflow": {"name": "essay", "slug": "robot"},
        "started_at": "2026-01-19T14:30:12.000Z",
        "created_by": {"name": "Ada"}, "runner_version": "0.1.0",
    })
    errors = list(Draft202012Validator(GENERATED["run"]).iter_errors(dump(run)))
    assert errors == []
    bad = {**dump(run), "extra": 1}
    assert list(Draft202012Validator(GENERATED["run"]).iter_errors(bad))


def _convert(kind, data):
    return msgspec.convert(data, kind)
