"""QC writes the original factory's `qc_report.v1` and `quality_decision.v1` beside
runner's own files, valid against their schemas (jsonschema on their schema files), in a
run and from `runner qc --format`; their `qc_policy.v1` is read as it is, and its import
carries failure classes, presets and the advisory mode, or says what it did not carry."""

from __future__ import annotations

import pytest
from caf import CAF, example, needs_caf, problems
from gated import ART, drive, install, load_attempt, policy, read, rule, write
from helpers import cli

pytestmark = needs_caf


def test_a_qc_gate_writes_their_files_beside_ours(media_ws):
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail="retry", retry_stage="NOWHERE")))
    run_id = drive(media_ws, wf, check=3).json["run_id"]  # the retry cannot be followed: escalates
    qc = media_ws / ART / "qc"
    report, decision = read(qc / "qc_report.v1.json"), read(qc / "quality_decision.v1.json")
    assert problems("qc_report.v1", report) == [] and problems("quality_decision.v1", decision) == []
    assert (report["job_id"], report["overall"]["recommended_action"]) == ("clip", "ESCALATE_USER")
    assert report["overall"]["failed_gate_ids"] == ["audio_present"]
    assert decision["decision"]["action"] == "escalate_hitl"
    assert decision["inputs"]["qc_policy_error"].startswith("runner policy test (policies/mini.json)")
    assert not load_attempt(media_ws, run_id, "QC", 1).artifacts  # no contract: as before, nothing hashed


@pytest.mark.parametrize("formats, files", [
    ("caf", {"qc_report.v1.json", "quality_decision.v1.json"}),
    ("runner", {"qc_report.json", "quality_decision.json"}),
    ("both", {"qc_report.v1.json", "quality_decision.v1.json", "qc_report.json", "quality_decision.json"}),
])
def test_runner_qc_writes_the_formats_asked_for(tmp_path, media, formats, files):
    out = tmp_path / "out"
    cli("qc", media["silent.mp4"], "--sample-fps", "2", "--out", out, "--format", formats, "--job-id", "cat-1")
    assert {p.name for p in out.iterdir()} == files
    for name, schema in (("qc_report.v1.json", "qc_report.v1"), ("quality_decision.v1.json", "quality_decision.v1")):
        if name in files:
            doc = read(out / name)
            assert problems(schema, doc) == [] and doc["job_id"] == "cat-1"


def test_their_policy_is_read_as_it_is_and_their_files_name_it(media_ws):
    """Their layout: the policy under repo/, the QC files under sandbox/."""
    write(media_ws / "repo" / "shared" / "qc_policy.v1.json", example("qc_policy.v1.json"))
    wf = install(media_ws, policy(rule("fps", 1.0)), qc_params={
        "policy": "repo/shared/qc_policy.v1.json", "out": "sandbox/logs/{slug}/qc"})
    drive(media_ws, wf, check=3)
    qc = media_ws / "sandbox" / "logs" / "clip" / "qc"
    report, decision = read(qc / "qc_report.v1.json"), read(qc / "quality_decision.v1.json")
    assert problems("qc_report.v1", report) == [] and problems("quality_decision.v1", decision) == []
    assert report["inputs"]["qc_policy_relpath"] == "repo/shared/qc_policy.v1.json"
    assert decision["inputs"]["qc_report_relpath"] == "sandbox/logs/clip/qc/qc_report.v1.json"
    assert decision["policy"]["advisory_mode_enabled"] is True
    # their metrics that runner does not measure are UNKNOWN: their missing-report default escalates
    assert report["overall"]["recommended_action"] == "ESCALATE_USER"
    assert {g["metric"] for g in report["gates"] if g["status"] == "UNKNOWN"} >= {"identity_consistency"}


def test_import_policy_carries_classes_presets_and_advisory_and_says_what_it_drops(tmp_path):
    out = cli("qc", "import-policy", CAF / "examples" / "qc_policy.v1.json", tmp_path / "p.json", "--json",
              check=0).json
    policy = out["policy"]
    assert [c["class_id"] for c in policy["failure_classes"]][:2] == ["identity_drift", "background_warping"]
    assert policy["presets"][0] == {"class_id": "identity_drift", "preset_id": "identity_safe_v1",
                                    "workflow_id": "caf_dance_loop_v1",
                                    "parameter_overrides": {"identity_weight": 0.9}}
    assert policy["advisory"] == {"enabled": True, "allowed_actions": ["retry", "fallback", "escalate", "abort"]}
    assert [n.split(":")[0] for n in out["not_carried"]] == ["authority_trial"]
    text = cli("qc", "import-policy", CAF / "examples" / "qc_policy.v1.json", tmp_path / "q.json", check=0).out
    assert "not carried: authority_trial" in text and "6 failure classes, 3 presets, advisory mode on" in text
