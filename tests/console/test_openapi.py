"""The OpenAPI document: checked in as docs/openapi.json and equal to what the code
generates; and the running server answers what it documents (schemathesis: generated
requests against every operation, no 5xx, every documented response matches its schema)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from runner.console import openapi

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
STREAMS = {"/api/v1/events"}  # server-sent events never end: read in test_api instead


def test_the_checked_in_document_is_the_generated_one():
    assert DOC.read_text() == openapi.text(), "regenerate it: python -m runner.console.openapi > docs/openapi.json"


def test_the_document_names_the_seed_routes_and_the_runners_own():
    paths = set(openapi.document()["paths"])
    seed = {"/api/v1/jobs/{job_id}/approve", "/api/v1/jobs/{job_id}/reject", "/api/v1/jobs/{job_id}/resume",
            "/api/v1/jobs/{job_id}/gates/status", "/api/v1/jobs/{job_id}/gates/decisions",
            "/api/v1/jobs/{job_id}/gates/{stage}/decision", "/api/v1/jobs/{job_id}/patches/{stage}/apply",
            "/api/v1/patches/types"}
    own = {"/api/v1/inbox", "/api/v1/runs", "/api/v1/runs/{run_id}", "/api/v1/runs/{run_id}/artifacts/{path}",
           "/api/v1/events"}
    assert seed | own <= paths


def test_generated_requests_get_no_server_error_and_documented_answers(server):
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_path(DOC)
    headers = server.tokens.auth("decider")
    operations = [op.ok() for op in schema.get_all_operations()]
    tried = []
    for operation in operations:
        if operation.path in STREAMS:
            continue

        @settings(max_examples=6, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=server.url, headers=headers, timeout=20)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        check()
        tried.append(f"{operation.method.upper()} {operation.path}")
    assert len(tried) == len(operations) - len(STREAMS)
