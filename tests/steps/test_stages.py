"""The original factory's stage names (`frame`, `motion`, `video`, `artifact`) map to
gates (`"stages": {"motion": "RENDER"}` in the workflow): a RETRY_STAGE of `motion`
retries that gate instead of escalating, and `contracts validate` reports a stage that
maps to nothing."""

from __future__ import annotations

from gated import ART, drive, install, load_attempt, load_run, policy, read, rule, write
from helpers import cli

# A policy in their format: their gate on a metric runner measures, retrying stage `motion`.
CAF_POLICY = {
    "version": "qc_policy.v1", "policy_id": "caf-audio", "max_retries_default": 2,
    "default_action_on_missing_report": "ESCALATE_USER",
    "gates": [{"gate_id": "audio_gate", "metric": "audio_present", "dimension": "audio", "threshold": 1.0,
               "severity": "HIGH", "repairable": True, "failure_action": "RETRY_STAGE", "target_stage": "motion"}],
}
WITH_AUDIO = {"params": {"job": "jobs/with-audio.job.json"}}  # no gate: the policy's stage decides


def imported(root) -> dict:
    write(root / "caf" / "qc_policy.v1.json", CAF_POLICY)
    cli("qc", "import-policy", root / "caf" / "qc_policy.v1.json", root / "caf" / "imported.json", check=0)
    return read(root / "caf" / "imported.json")


def test_a_retry_of_stage_motion_retries_the_gate_it_maps_to(media_ws):
    wf = install(media_ws, imported(media_ws), qc_params={"retry": WITH_AUDIO}, stages={"motion": "RENDER"})
    out = drive(media_ws, wf, check=3).json
    assert (out["gate"], out["waiting_for"]) == ("REVIEW", "decision")
    first = load_attempt(media_ws, out["run_id"], "QC", 1)
    assert (first.route.action, first.route.target) == ("retry", "RENDER")
    run = load_run(media_ws, out["run_id"])
    assert [a.status for a in run.gate("QC").attempts] == ["FAIL", "PASS"]
    assert read(media_ws / ART / "render" / "result.json")["job_id"] == "with-audio"


def test_without_the_mapping_the_same_retry_escalates(media_ws):
    wf = install(media_ws, imported(media_ws), qc_params={"retry": WITH_AUDIO})
    out = drive(media_ws, wf, check=3).json
    assert (out["gate"], out["waiting_for"]) == ("QC", "decision")
    assert "retry stage 'motion' is not a gate of this run" in load_run(media_ws, out["run_id"]).gate("QC").route.reason


def test_validate_reports_a_stage_that_maps_to_nothing(media_ws):
    lost = policy(rule("audio_present", 1.0, retry_stage="frame"), rule("fps", 24.0, retry_stage="motion"),
                  rule("width", 2.0, retry_stage="artifact", on_fail="escalate"),  # never sends a retry
                  rule("height", 2.0, retry_stage="editor", repairable=False))
    install(media_ws, lost, stages={"motion": "RENDER", "video": "ENCODE"})
    findings = [f["message"] for f in cli("contracts", "validate", "--repo", media_ws, "--json", check=1).json["findings"]]
    assert any("stages.video: 'ENCODE' is not a gate of this workflow" in m for m in findings), findings
    assert any("rule audio_present retries stage 'frame', which maps to no gate" in m for m in findings), findings
    assert not any(stage in m for m in findings for stage in ("'motion'", "'artifact'", "'editor'")), findings

    install(media_ws, lost, stages={"motion": "RENDER", "frame": "RENDER"})
    cli("contracts", "validate", "--repo", media_ws, check=0)


def test_a_switch_policy_runs_the_preset_of_the_failure_class(media_ws):
    """Their SWITCH_POLICY: the fallback runs the stage's gate with the preset's
    parameter_overrides (here: another job) for the class of the failing metric."""
    caf = {**CAF_POLICY,
           "gates": [{**CAF_POLICY["gates"][0], "failure_action": "SWITCH_POLICY"}],
           "failure_classification": {"classes": [{"class_id": "audio_sync", "metrics": ["audio_present"],
                                                   "action": "SWITCH_POLICY"}]},
           "workflow_presets": {"class_to_preset": [{"class_id": "audio_sync", "preset_id": "with_audio",
                                                     "workflow_id": "mini",
                                                     "parameter_overrides": {"job": "jobs/with-audio.job.json"}}]}}
    write(media_ws / "repo" / "shared" / "qc_policy.v1.json", caf)
    wf = install(media_ws, policy(rule("fps", 1.0)), qc_params={"policy": "repo/shared/qc_policy.v1.json"},
                 stages={"motion": "RENDER"})
    out = drive(media_ws, wf, check=3).json
    assert out["gate"] == "REVIEW"
    first = load_attempt(media_ws, out["run_id"], "QC", 1)
    assert (first.route.action, first.route.target, first.route.params) == (
        "fallback", "RENDER", {"job": "jobs/with-audio.job.json"})
    decision = read(media_ws / ART / "qc" / "quality_decision.json")
    assert decision["action"] == "finalize"
    assert load_attempt(media_ws, out["run_id"], "RENDER", 2).params == {"job": "jobs/with-audio.job.json"}
