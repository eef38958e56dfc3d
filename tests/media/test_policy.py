"""Import of caf's shipped qc_policy.v1 (which fails their own schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import ContractError
from runner.media import decide, import_caf_policy, load_policy
from runner.models.qc import QcMetrics, QcReport

CAF = Path("/work/shared/conformance/caf")
needs_caf = pytest.mark.skipif(not CAF.is_dir(), reason="caf conformance data not available")


@needs_caf
def test_their_policy_breaks_their_schema_and_still_imports():
    import jsonschema

    data = json.loads((CAF / "examples" / "qc_policy.v1.json").read_text())
    schema = json.loads((CAF / "schemas" / "qc_policy.v1.schema.json").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data))  # severity/repairable are forbidden there
    policy = import_caf_policy(data)
    assert policy.policy_id == "default-motion-identity-v1" and policy.max_retries == 2
    rules = {r.id: r for r in policy.rules}
    assert len(rules) == 8
    costume = rules["costume_fidelity_gate"]
    assert (costume.on_fail, costume.severity, costume.repairable, costume.retry_stage) == (
        "escalate", "critical", False, "artifact",
    )  # fmt: skip
    seam = rules["loop_seam_gate"]
    assert (seam.metric, seam.threshold, seam.direction, seam.on_fail, seam.retry_stage) == (
        "loop_seam", 0.7, "min", "retry", "motion",
    )  # fmt: skip
    assert {r.on_unknown for r in policy.rules} == {"escalate"}  # their default_action_on_missing_report


@needs_caf
def test_imported_policy_decides_on_our_metrics():
    policy = import_caf_policy(json.loads((CAF / "examples" / "qc_policy.v1.json").read_text()))
    report = QcReport(
        video="clip.mp4", video_sha256="0" * 64, policy_id="x", sample_fps=5.0, video_codec="h264",
        audio_codec=None, metrics=QcMetrics(loop_seam=0.5), results=[], passed=False, stage_seconds={},
    )  # fmt: skip
    decision = decide(report, policy, 0)
    # loop_seam soft-fails (retry), the seven metrics we do not measure are UNKNOWN (escalate).
    assert decision.action == "escalate"
    assert decision.user_action_required.reason == "metric_unknown"


@pytest.mark.parametrize(
    "theirs, ours, stage",
    [
        ("PROCEED", "finalize", "video"), ("RETRY_STAGE", "retry", "video"), ("SWITCH_POLICY", "fallback", "video"),
        ("ESCALATE_USER", "escalate", "video"), ("ABORT", "abort", "video"), ("proceed_finalize", "finalize", None),
        ("retry_motion", "retry", "motion"), ("retry_recast", "retry", "recast"),
        ("block_for_costume", "escalate", None), ("escalate_hitl", "escalate", None),
    ],
)  # fmt: skip
def test_both_of_their_vocabularies_map_to_ours(theirs, ours, stage):
    gate = {"gate_id": "g", "metric": "loop_seam", "dimension": "motion", "threshold": 0.7, "failure_action": theirs}
    if theirs.isupper():
        gate["target_stage"] = "video"
    [rule] = import_caf_policy({"policy_id": "p", "gates": [gate]}).rules
    assert (rule.on_fail, rule.retry_stage) == (ours, stage)


def test_unknown_action_or_shape_is_a_contract_error():
    gate = {"gate_id": "g", "metric": "m", "threshold": 0.5, "failure_action": "PANIC"}
    with pytest.raises(ContractError, match=r"gates\[0\].failure_action"):
        import_caf_policy({"policy_id": "p", "gates": [gate]})
    with pytest.raises(ContractError, match="gates"):
        import_caf_policy({"policy_id": "p"})
    gate["failure_action"] = "RETRY_STAGE"
    with pytest.raises(ContractError, match="priority"):
        import_caf_policy({"policy_id": "p", "gates": [gate], "routing": {"failure_action_priority": ["PROCEED", "ABORT"]}})


def test_load_policy_names_file_and_field(tmp_path):
    path = tmp_path / "qc_policy.json"
    path.write_text(json.dumps({"policy_id": "p", "rules": [{"id": "a", "metric": "fps", "threshold": 24}]}))
    with pytest.raises(ContractError, match=r"qc_policy\.json: \$\.rules\[0\]\.direction"):
        load_policy(path)
