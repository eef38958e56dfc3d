"""Hostile and careless requests against a real `runner serve`: each gets a 4xx problem
document (a 503 when the server itself cannot answer), never a 5xx bug, a traceback or
a path of the server's machine, and the server goes on answering."""

from __future__ import annotations

import pytest
from helpers import cli

PROBLEM = "application/problem+json"


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and "Traceback" not in response.text
    return body


def test_a_body_nested_thousands_deep_is_a_bad_request_not_a_bug(server, review_ws):
    _, (run_id, _) = review_ws
    deep = b'{"patch":' + b"[" * 5000 + b"]" * 5000 + b"}"
    with server.client("decider") as c:
        for path in (f"/api/v1/jobs/{run_id}/patches/B1/apply", f"/api/v1/jobs/{run_id}/approve"):
            response = c.post(path, content=deep, headers={"content-type": "application/json"})
            assert _is_problem(response, 400)["detail"] == "the request body nests too deeply"
        assert c.get("/api/v1/inbox").status_code == 200
    assert "unexpected bug" not in server.log.read_text()


def test_an_unreadable_token_file_is_503_without_the_servers_paths(server):
    good = server.tokens.file.read_text()
    server.tokens.file.write_text("{not json")
    with server.client("viewer") as c:
        broken = c.get("/api/v1/inbox")
        login = c.post("/api/v1/session", json={"token": server.tokens.secrets["viewer"]})
        server.tokens.file.write_text(good)
        mended = c.get("/api/v1/inbox")
    for response in (broken, login):
        body = _is_problem(response, 503)
        assert body["detail"] == "the console cannot read its access tokens now"
        assert str(server.tokens.file.parent) not in response.text and "/tmp" not in response.text
    assert mended.status_code == 200
    assert "token file" in server.log.read_text()  # the operator learns why


@pytest.mark.parametrize("body", [b"", b"null"])
def test_a_missing_body_says_a_json_body_is_needed(server, review_ws, body):
    _, (run_id, _) = review_ws
    with server.client("decider") as c:
        response = c.post(f"/api/v1/jobs/{run_id}/approve", content=body, headers={"content-type": "application/json"})
    hint = _is_problem(response, 400)["hint"]
    assert "JSON object" in hint or "Expected `object`, got `null`" in hint
    assert hint != "data: 'data'"


def test_a_detail_that_echoes_a_huge_request_is_cut(server):
    with server.client("viewer") as c:
        response = c.get("/api/v1/runs/" + "a" * 50_000)
    body = _is_problem(response, 400)
    assert body["detail"].startswith("invalid run id 'aaa") and len(body["detail"]) <= 503


def test_hostile_paths_and_ids_are_4xx_problems_and_the_server_keeps_answering(server, review_ws):
    _, (run_id, _) = review_ws
    hostile = ["..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "a%00b", "..%5c..%5cetc%5cpasswd", ".git/config",
               "%252e%252e/x", "/etc/passwd"]
    with server.client("decider") as c:
        for path in hostile:
            _is_problem(c.get(f"/api/v1/runs/{run_id}/artifacts/{path}"), 404)
        for bad in ("%2e%2e", "%00", "%5c..%5c", "a" * 300):
            _is_problem(c.get(f"/api/v1/runs/{bad}"), 400)
            _is_problem(c.post(f"/api/v1/jobs/{bad}/approve", json={"gate": "B1"}), 400)
            _is_problem(c.post(f"/api/v1/jobs/{run_id}/patches/{bad}/apply", json={"patch": []}), 400)
        _is_problem(c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "bogus": 1}), 400)
        _is_problem(c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "../../etc"}), 400)
        _is_problem(c.put(f"/api/v1/runs/{run_id}"), 405)
        assert c.get("/api/v1/inbox").status_code == 200
    assert "unexpected bug" not in server.log.read_text()


def test_a_few_bytes_of_patch_that_would_fill_memory_are_refused_and_the_gate_still_waits(server, review_ws):
    root, (run_id, _) = review_ws
    target = next(p.relative_to(root).as_posix() for p in root.glob("essays/robot0*/qc_report.json"))
    bomb = {"type": "text_replace", "replacements": [{"old": "e", "new": "e" * 1000}] * 6}
    with server.client("decider") as c:
        response = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "patch": bomb, "target": target})
        assert "more than the 64 MiB a patch may add" in _is_problem(response, 400)["detail"]
        waiting = [(i["run_id"], i["gate"]) for i in c.get("/api/v1/inbox").json()]
    assert (run_id, "B1") in waiting


def test_serve_with_a_broken_token_file_says_what_is_wrong_with_it(review_ws, tmp_path, monkeypatch):
    root, _ = review_ws
    broken = tmp_path / "tokens.json"
    broken.write_text("{not json")
    monkeypatch.setenv("RUNNER_TOKENS_FILE", str(broken))
    result = cli("serve", "--repo", root, "--port", "0", check=4)
    assert f"token file {broken} is not valid JSON" in result.err


def test_the_page_files_refuse_traversal_and_nul_bytes(server):
    with server.client(None) as c:
        for path in ("/static/%00", "/static/a%00b.js", "/static/%2e%2e/app.py", "/static/..%2f..%2fcontext.py"):
            _is_problem(c.get(path), 404)
        assert c.get("/static/index.html").status_code == 200
    assert "unexpected bug" not in server.log.read_text()


def test_a_recorded_output_replaced_by_a_link_into_git_is_not_served(server, review_ws):
    root, (run_id, _) = review_ws
    notes = next(p for p in root.glob("essays/robot0*/notes.md"))
    notes.unlink()
    notes.symlink_to(root / ".git" / "config")
    with server.client("viewer") as c:
        response = c.get(f"/api/v1/runs/{run_id}/artifacts/{notes.relative_to(root).as_posix()}")
    assert _is_problem(response, 404) and "[core]" not in response.text
