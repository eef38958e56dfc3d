"""Their recast_quality_report.v1 from runner's report: valid against their schema, the
five metrics it has room for, and the choices their schema forces."""

from __future__ import annotations

import json

import pytest
from helpers import SHARED

from runner.media.quality_report import SCORED, recast_quality_report

CAF = SHARED / "conformance" / "caf"
needs_schema = pytest.mark.skipif(not (CAF / "schemas").is_dir(), reason="caf conformance data not available")
AT = "2026-02-17T00:20:00Z"


def validate(doc: dict) -> None:
    import jsonschema

    schema = json.loads((CAF / "schemas" / "recast_quality_report.v1.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(doc)


@needs_schema
@pytest.mark.parametrize("clip", ["clean", "recolour", "late_audio", "synced"])
def test_valid_against_their_schema(reports, their_policy, clip):
    doc = recast_quality_report(reports[clip], their_policy, job_id="demo", video_rel=None, at=AT)
    validate(doc)


def test_clean_clip_passes_with_their_thresholds(reports, their_policy):
    doc = recast_quality_report(reports["clean"], their_policy, job_id="demo",
                                video_rel="sandbox/output/demo/final.mp4", at=AT)
    assert doc["overall"] == {"score": pytest.approx(doc["overall"]["score"]), "pass": True, "failed_metrics": []}
    scores = [doc["metrics"][m]["score"] for m in (*SCORED, "audio_video")]
    assert doc["overall"]["score"] == pytest.approx(sum(scores) / 5, abs=1e-4)  # their example's mean
    assert doc["metrics"]["identity_consistency"]["threshold"] == 0.7  # the policy's rule
    assert doc["video_relpath"] == "sandbox/output/demo/final.mp4"
    assert "not measured" in doc["metrics"]["audio_video"]["reason"]  # a steady tone: no offset to find


def test_failures_are_listed(reports, their_policy):
    late = recast_quality_report(reports["late_audio"], their_policy, job_id="demo", video_rel=None, at=AT)
    assert late["metrics"]["audio_video"]["av_sync_sec"] == pytest.approx(0.3, abs=0.04)
    assert "audio_video" in late["overall"]["failed_metrics"] and late["overall"]["pass"] is False
    assert "late by" in late["metrics"]["audio_video"]["reason"]
    assert late["video_relpath"] == "sandbox/output/demo/final.mp4"  # outside their layout: a name


def test_same_report_same_bytes(reports, their_policy):
    one = recast_quality_report(reports["jitter"], their_policy, job_id="demo", video_rel=None, at=AT)
    two = recast_quality_report(reports["jitter"], their_policy, job_id="demo", video_rel=None, at=AT)
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
