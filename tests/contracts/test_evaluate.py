"""runner.contracts.evaluate.evaluate on real files: required outputs (all_of, any_of, both), hashing of
files and directories, the verdict, and the progress hook for large outputs."""

from __future__ import annotations

import hashlib

import msgspec
import pytest

from runner.contracts import evaluate
from runner.errors import ContractError, WorkspaceError
from runner.hashing import sha256_dir
from runner.models.contract import Contract
from runner.paths import run_variables


def _contract(required_outputs, validations=()):
    return _convert(Contract, {"gate": "GX", "required_outputs": required_outputs,
                                    "validations": list(validations)})


def _evaluate(root, contract, depth="standard"):
    values = run_variables(root, "robot", "essays/robot", "run_x")
    return evaluate.evaluate(root, contract, "contracts/GX.contract.json", values, depth, offline=True)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "ws"
    (root / "essays" / "robot").mkdir(parents=True)
    return root


def test_missing_all_of_output_fails_even_without_a_file_exists_check(root):
    ev = _evaluate(root, _contract({"all_of": [{"path": "{artifact_path}/SPEC.md"}]}))
    assert ev.status == "FAIL"
    assert ev.failure_reason == "missing required outputs: essays/robot/SPEC.md"
    assert [(a.path, a.exists, a.sha256) for a in ev.artifacts] == [("essays/robot/SPEC.md", False, None)]
    (root / "essays/robot/SPEC.md").write_text("spec")
    assert _evaluate(root, _contract({"all_of": [{"path": "{artifact_path}/SPEC.md"}]})).status == "PASS"


def test_missing_any_of_outputs_fail(root):
    contract = _contract({"any_of": [{"path": "{artifact_path}/a.md"}, {"path": "{artifact_path}/b.md"}]})
    ev = _evaluate(root, contract)
    assert ev.status == "FAIL" and "essays/robot/a.md" in ev.failure_reason and "essays/robot/b.md" in ev.failure_reason
    (root / "essays/robot/b.md").write_text("b")
    ev = _evaluate(root, contract)
    assert ev.status == "PASS" and ev.failure_reason is None
    assert [a.exists for a in ev.artifacts] == [False, True]


def test_both_lists_must_hold(root):
    contract = _contract({"all_of": [{"path": "{artifact_path}/DESIGN.md"}],
                          "any_of": [{"path": "{artifact_path}/research/AUDIT.md"}, {"path": "{artifact_path}/AUDIT.md"}]})
    assert _evaluate(root, contract).status == "FAIL"
    (root / "essays/robot/DESIGN.md").write_text("d")
    ev = _evaluate(root, contract)
    assert ev.status == "FAIL" and "DESIGN.md" not in ev.failure_reason and "AUDIT.md" in ev.failure_reason
    (root / "essays/robot/AUDIT.md").write_text("a")
    ev = _evaluate(root, contract)
    assert ev.status == "PASS"
    assert ev.required_outputs == ["essays/robot/DESIGN.md", "essays/robot/research/AUDIT.md", "essays/robot/AUDIT.md"]
    (root / "essays/robot/DESIGN.md").unlink()
    ev = _evaluate(root, contract)
    assert ev.status == "FAIL" and "DESIGN.md" in ev.failure_reason


def test_optional_outputs_are_hashed_when_present(root):
    contract = _contract({"all_of": [{"path": "{artifact_path}/SPEC.md"},
                                     {"path": "{artifact_path}/NOTES.md", "required": False},
                                     {"path": "{artifact_path}/DEEP.md", "required_for_depth": ["deep"]}]})
    (root / "essays/robot/SPEC.md").write_bytes(b"spec\r\n")
    ev = _evaluate(root, contract)
    assert ev.status == "PASS"
    assert [(a.path, a.required, a.exists) for a in ev.artifacts] == [
        ("essays/robot/SPEC.md", True, True), ("essays/robot/NOTES.md", False, False),
        ("essays/robot/DEEP.md", False, False)]
    assert ev.artifacts[0].sha256 == hashlib.sha256(b"spec\r\n").hexdigest() and ev.artifacts[0].size == 6
    assert _evaluate(root, contract, depth="deep").status == "FAIL"
    (root / "essays/robot/NOTES.md").write_text("n")
    notes = _evaluate(root, contract).artifacts[1]
    assert notes.exists and notes.sha256 == hashlib.sha256(b"n").hexdigest()


def test_directory_output_is_hashed_as_a_manifest(root):
    research = root / "essays/robot/research"
    research.mkdir()
    (research / "A.md").write_text("a")
    (research / "sub").mkdir()
    (research / "sub" / "B.md").write_text("bb")
    ev = _evaluate(root, _contract({"all_of": [{"path": "{artifact_path}/research"}]}))
    artifact = ev.artifacts[0]
    assert artifact.kind == "dir" and artifact.size == 3
    assert (artifact.sha256, artifact.size) == sha256_dir(research)


def test_verdict_lists_every_failed_check_and_warnings_do_not_fail(root):
    (root / "essays/robot/SPEC.md").write_text("# Spec\n[DRAFT]\n")
    contract = _contract({"all_of": [{"path": "{artifact_path}/SPEC.md"}]}, [
        {"type": "file_exists", "target": "all_required"},
        {"type": "contains_text", "target": "{artifact_path}/SPEC.md", "patterns": ["Layer 1"]},
        {"type": "not_contains", "target": "{artifact_path}/SPEC.md", "pattern": "[DRAFT]", "severity": "warning"},
        {"type": "contains_headings", "target": "{artifact_path}/SPEC.md", "required_headings": ["## Layer 2"]},
    ])
    ev = _evaluate(root, contract)
    assert ev.status == "FAIL"
    assert [v.status for v in ev.validations] == ["PASS", "FAIL", "WARN", "FAIL"]
    assert "validations[1] contains_text" in ev.failure_reason and "validations[3] contains_headings" in ev.failure_reason
    assert "validations[2]" not in ev.failure_reason
    assert len(ev.warnings) == 1 and ev.warnings[0].startswith("validations[2] not_contains")


def test_unknown_variable_in_an_output_names_the_contract_and_field(root):
    with pytest.raises(ContractError) as info:
        _evaluate(root, _contract({"all_of": [{"path": "{artefact}/x.md"}]}))
    message = info.value.message
    assert "contracts/GX.contract.json" in message and "required_outputs.all_of[0].path" in message


def test_an_output_outside_the_workspace_is_refused(root):
    with pytest.raises(WorkspaceError):
        _evaluate(root, _contract({"all_of": [{"path": "../outside.md"}]}))


def test_client_component_without_artifact_path(root):
    values = run_variables(root, "robot", None, "run_x")
    contract = _contract({"all_of": [{"path": "{client_component}"}]})
    with pytest.raises(ContractError, match="artifact"):
        evaluate.evaluate(root, contract, "contracts/GX.contract.json", values, "standard", offline=True)


def test_client_component_resolves_to_the_first_client_file(root):
    (root / "essays/robot/RobotClient.tsx").write_text("export default 1")
    ev = _evaluate(root, _contract({"all_of": [{"path": "{client_component}"}]}))
    assert ev.status == "PASS" and ev.artifacts[0].path == "essays/robot/RobotClient.tsx"


def test_progress_is_reported_for_large_outputs(root, monkeypatch):
    monkeypatch.setattr(evaluate, "LARGE", 1000)  # a smaller threshold than 64 MiB, for speed
    (root / "essays/robot/big.bin").write_bytes(b"x" * 5000)
    (root / "essays/robot/small.bin").write_bytes(b"x" * 10)
    seen: dict[str, list[int]] = {}

    def factory(label, total):
        seen[label] = [total]
        return seen[label].append

    contract = _contract({"all_of": [{"path": "{artifact_path}/big.bin"}, {"path": "{artifact_path}/small.bin"}]})
    values = run_variables(root, "robot", "essays/robot", "run_x")
    evaluate.evaluate(root, contract, "contracts/GX.contract.json", values, "standard", False, factory)
    assert list(seen) == ["essays/robot/big.bin"]
    total, *chunks = seen["essays/robot/big.bin"]
    assert total == 5000 and sum(chunks) == 5000


def _convert(kind, data):
    return msgspec.convert(data, kind)


def test_checks_that_only_look_for_paths_run_without_a_bounded_child(root, monkeypatch):
    """file_exists and dir_exists cannot run long or take memory: no fork for a contract of
    only those (the fork is most of a simple contract's cost); any other check gets one."""
    from runner.contracts import bounded

    forks = []
    real_fork = bounded.os.fork
    monkeypatch.setattr(bounded.os, "fork", lambda: forks.append(1) or real_fork())
    (root / "essays/robot/SPEC.md").write_text("# Spec\n")
    outputs = {"all_of": [{"path": "{artifact_path}/SPEC.md"}]}
    paths_only = _contract(outputs, [{"type": "file_exists", "target": "all_required"},
                                     {"type": "dir_exists", "target": "{artifact_path}"}])
    ev = evaluate.evaluate(root, paths_only, "contracts/GX.contract.json",
                           run_variables(root, "robot", "essays/robot", "run_x"), "standard", offline=True,
                           bounds=(30, 2048))
    assert (ev.status, forks) == ("PASS", [])
    reading = _contract(outputs, [{"type": "file_exists", "target": "all_required"},
                                  {"type": "contains_text", "target": "{artifact_path}/SPEC.md", "pattern": "# Spec"}])
    ev = evaluate.evaluate(root, reading, "contracts/GX.contract.json",
                           run_variables(root, "robot", "essays/robot", "run_x"), "standard", offline=True,
                           bounds=(30, 2048))
    assert (ev.status, len(forks)) == ("PASS", 1)
