"""The QC gate's decision routes the run: retry, escalate when the budget is spent,
abort, fallback. Each test drives a small workflow (render → QC → human review) with
real ffmpeg and mediapipe, and checks the records through the library."""

from __future__ import annotations

import pytest
from gated import ART, drive, install, load_attempt, load_run, policy, read, route_events, rule
from helpers import cli, commit_count, subject

AUDIO_RETRY = rule("audio_present", 1.0, on_fail="retry", id="audio_present")
WITH_AUDIO = {"gate": "RENDER", "params": {"job": "jobs/with-audio.job.json"}}


def test_a_retry_succeeds_on_its_second_attempt(media_ws):
    wf = install(media_ws, policy(AUDIO_RETRY), qc_params={"retry": WITH_AUDIO})

    out = drive(media_ws, wf, check=3).json
    assert (out["gate"], out["waiting_for"]) == ("REVIEW", "decision")

    run = load_run(media_ws, out["run_id"])
    render, qc = run.gate("RENDER"), run.gate("QC")
    assert [a.status for a in render.attempts] == ["PASS", "PASS"]
    assert [a.status for a in qc.attempts] == ["FAIL", "PASS"]
    assert qc.retries == 1 and render.retries == 0
    first = load_attempt(media_ws, run.run_id, "QC", 1)
    assert first.route.action == "retry" and first.route.target == "RENDER"
    assert first.route.params == {"job": "jobs/with-audio.job.json"}
    assert "audio_present" in first.failure_reason
    assert load_attempt(media_ws, run.run_id, "RENDER", 1).params == {}
    assert load_attempt(media_ws, run.run_id, "RENDER", 2).params == {"job": "jobs/with-audio.job.json"}
    assert read(media_ws / ART / "render" / "result.json")["job_id"] == "with-audio"

    decision = read(media_ws / ART / "qc" / "quality_decision.json")
    assert (decision["action"], decision["retries_so_far"]) == ("finalize", 1)
    assert not (media_ws / ART / "qc" / "user_action_required.json").exists()
    assert [(e["gate"], e["data"]["action"], e["data"].get("target")) for e in route_events(run)] == [
        ("QC", "retry", "RENDER"), ("QC", "finalize", None)]
    assert subject(media_ws).endswith("gate REVIEW attempt 1 PASS")


def test_a_spent_budget_escalates_to_a_person(media_ws):
    # 4 s of video cannot reach 10 s by rendering the same job again.
    too_short = rule("duration_s", 10.0, on_fail="retry", expected_artifact="a clip of 10 s",
                     example_fix="add visuals")
    # No params.retry: the retry runs the policy's retry_stage (RENDER) with its own job.
    wf = install(media_ws, policy(too_short, max_retries=1), job="jobs/with-audio.job.json")

    out = drive(media_ws, wf, check=3).json
    assert (out["gate"], out["waiting_for"]) == ("QC", "decision")
    run = load_run(media_ws, out["run_id"])
    qc = run.gate("QC")
    assert qc.status == "AWAITING_APPROVAL" and qc.waiting.escalated
    assert [a.status for a in qc.attempts] == ["FAIL", "FAIL"] and qc.retries == 1
    assert len(run.gate("RENDER").attempts) == 2
    assert [e["data"]["action"] for e in route_events(run)] == ["retry", "escalate"]

    decision = read(media_ws / ART / "qc" / "quality_decision.json")
    assert (decision["action"], decision["retries_so_far"], decision["max_retries"]) == ("escalate", 1, 1)
    need = read(media_ws / ART / "qc" / "user_action_required.json")
    assert (need["reason"], need["metric"], need["threshold"]) == ("retry_budget_exceeded", "duration_s", 10.0)
    assert need["expected_artifact"] == "a clip of 10 s"

    inbox = cli("inbox", "--repo", media_ws, "--json", check=0).json
    assert [(i["gate"], i["waiting_for"], i["escalated"]) for i in inbox] == [("QC", "decision", True)]
    packet = (media_ws / inbox[0]["packet"]).read_text()
    assert "metric duration_s" in packet and "min 10" in packet and "user_action_required.json" in packet

    cli("gate", "approve", "--repo", media_ws, "--run", run.run_id, "--gate", "QC", "--note", "short is fine",
        check=0)
    out = cli("run", "resume", "--repo", media_ws, "--run", run.run_id, "--json", check=3).json
    assert out["gate"] == "REVIEW"
    assert load_run(media_ws, run.run_id).gate("QC").status == "PASS"


def test_an_abort_rule_fails_the_run(media_ws):
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail="abort")))
    before = commit_count(media_ws)

    out = drive(media_ws, wf, check=1).json
    run = load_run(media_ws, out["run_id"])
    assert run.status == "FAILED" and out["gate"] == "QC"
    assert run.gate("QC").route.action == "abort"
    assert len(run.gate("RENDER").attempts) == 1  # nothing was retried
    assert run.gate("REVIEW").status == "PENDING"
    assert read(media_ws / ART / "qc" / "quality_decision.json")["action"] == "abort"
    assert commit_count(media_ws) > before


def test_a_fallback_renders_the_fallback_job(media_ws):
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail="fallback")),
                 qc_params={"fallback": WITH_AUDIO})

    out = drive(media_ws, wf, check=3).json
    assert out["gate"] == "REVIEW"
    run = load_run(media_ws, out["run_id"])
    first = load_attempt(media_ws, run.run_id, "QC", 1)
    assert (first.route.action, first.route.target) == ("fallback", "RENDER")
    assert load_attempt(media_ws, run.run_id, "RENDER", 2).params == {"job": "jobs/with-audio.job.json"}
    assert read(media_ws / ART / "render" / "result.json")["job_id"] == "with-audio"
    assert [a.status for a in run.gate("QC").attempts] == ["FAIL", "PASS"]


@pytest.mark.parametrize("on_fail, stage, why", [
    ("fallback", "RENDER", "no fallback is configured"),
    ("retry", "MOTION", "retry stage 'MOTION' is not a gate of this run"),
])
def test_a_route_the_workflow_cannot_follow_escalates(media_ws, on_fail, stage, why):
    wf = install(media_ws, policy(rule("audio_present", 1.0, on_fail=on_fail, retry_stage=stage)))

    out = drive(media_ws, wf, check=3).json
    assert (out["gate"], out["waiting_for"]) == ("QC", "decision")
    run = load_run(media_ws, out["run_id"])
    qc = run.gate("QC")
    assert qc.waiting.escalated and qc.route.action == "escalate"
    assert why in qc.route.reason
    assert len(run.gate("RENDER").attempts) == 1
    decision = read(media_ws / ART / "qc" / "quality_decision.json")
    assert decision["action"] == "escalate" and why in decision["reason"]  # the record says what the run did
    need = read(media_ws / ART / "qc" / "user_action_required.json")
    assert (need["metric"], need["threshold"]) == ("audio_present", 1.0)
    packet = (media_ws / qc.waiting.packet).read_text()
    assert "metric audio_present" in packet and "min 1" in packet
