"""Every record validates against its schema and agrees with its path."""

from __future__ import annotations

import json

import pytest
from verify_helpers import findings, record, verify

from runner import schemas
from runner.verify.records import MODELS
from runner.verify.report import CODES


def test_a_record_that_breaks_its_schema_names_the_field(done):
    root, run_id = done
    path = record(root, run_id, "gates/G1/decision-1.json")
    data = json.loads(path.read_text())
    data["verdict"] = "maybe"
    data["extra"] = 1
    path.write_text(json.dumps(data))
    result = verify(root, check=1)
    schema = findings(result, "schema")
    assert {f["field"] for f in schema} == {"verdict", "extra"}
    assert all(f["file"] == f"runs/{run_id}/record/gates/G1/decision-1.json" for f in schema)


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe"])
def test_an_unreadable_record(done, content):
    root, run_id = done
    record(root, run_id, "gates/G2/attempt-1.json").write_bytes(content)
    result = verify(root, check=1)
    [unreadable] = findings(result, "unreadable")
    assert unreadable["message"] == "not UTF-8 JSON"


def test_a_stray_file_under_record_is_found(done):
    root, run_id = done
    record(root, run_id, "gates/G2/notes.txt").write_text("hello\n")
    result = verify(root, check=1)
    assert {(f["code"], f["file"].rsplit("/", 1)[-1]) for f in findings(result)} == \
        {("unknown-file", "notes.txt"), ("uncommitted", "notes.txt")}


def test_the_record_models_are_the_checked_in_schemas():
    """Validating with the models is validating with schemas/*.schema.json."""
    generated = schemas.generate()
    for name, model in MODELS.items():
        assert schemas.types()[name] is model
        assert name in generated


def test_every_code_is_documented_and_used():
    """CODES is the vocabulary: every code the checks emit is in it, and every code in it is emitted."""
    import inspect
    import re

    from runner.verify import audit as verify
    from runner.verify import history, outputs, records, replay

    source = "".join(inspect.getsource(m) for m in (verify, history, outputs, records, replay))
    emitted = set(re.findall(r'add\(\s*"([a-z-]+)"', source))
    assert emitted == set(CODES)


def test_an_output_that_leaves_the_workspace_is_not_read(done, tmp_path):
    root, run_id = done
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours\n")
    spec = root / "essays/robot/SPEC.md"
    spec.unlink()
    spec.symlink_to(secret)
    [finding] = findings(verify(root, check=1))
    assert finding["code"] == "artifact-outside"
    assert finding["message"] == "essays/robot/SPEC.md leaves the workspace; not read"
    assert finding["field"] == "artifacts[0].path"


def test_a_symbolic_link_in_place_of_a_record_is_not_read(done, tmp_path):
    root, run_id = done
    outside = tmp_path / "elsewhere.json"
    decision = record(root, run_id, "gates/G1/decision-1.json")
    outside.write_bytes(decision.read_bytes())
    decision.unlink()
    decision.symlink_to(outside)
    result = verify(root, check=1)
    [link] = findings(result, "unknown-file")
    assert link["file"] == f"runs/{run_id}/record/gates/G1/decision-1.json"
    assert link["message"] == "a symbolic link, not a record (not read)"
