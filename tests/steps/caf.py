"""The original factory's schemas and examples (../shared/conformance/caf): tests that
read them skip where they are absent."""

from __future__ import annotations

import json

import pytest
from helpers import SHARED

CAF = SHARED / "conformance" / "caf"
needs_caf = pytest.mark.skipif(not CAF.is_dir(), reason=f"the caf reference files of ../shared are not here ({CAF})")


def example(name: str) -> dict:
    return json.loads((CAF / "examples" / name).read_text())


def problems(schema: str, doc) -> list[str]:
    """Every way `doc` fails their schema `schema` (file stem), with formats checked."""
    import jsonschema

    data = json.loads((CAF / "schemas" / f"{schema}.schema.json").read_text())
    cls = jsonschema.validators.validator_for(data)
    validator = cls(data, format_checker=cls.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
