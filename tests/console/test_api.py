"""The API against a real `runner serve` process: reads, decisions as the token's person,
the same commit as the CLI's, two deciders at once, recorded outputs only, limits."""

from __future__ import annotations

import hashlib
import threading

from console_helpers import GRACE, wait_for
from helpers import cli, git, subject, trailers

from runner import Repo


def test_the_inbox_lists_the_waiting_gates_with_who_may_decide(server):
    with server.client("viewer") as c:
        items = c.get("/api/v1/inbox").json()
    assert [(i["gate"], i["waiting_for"]) for i in items] == [("B1", "decision"), ("B1", "decision")]
    assert items[0]["deciders"] == ["Alan Turing <alan@example.org>", GRACE]
    assert items[0]["age_s"] >= 0 and items[0]["time_left_s"] is None


def test_runs_are_paged_and_filtered(server):
    with server.client("viewer") as c:
        first = c.get("/api/v1/runs", params={"limit": 1}).json()
        second = c.get("/api/v1/runs", params={"limit": 1, "cursor": first["next_cursor"]}).json()
        passed = c.get("/api/v1/runs", params={"status": "PASSED"}).json()
        bad = c.get("/api/v1/runs", params={"status": "DONE"})
    assert len(first["items"]) == 1 and first["next_cursor"] == first["items"][0]["run_id"]
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert second["items"][0]["run_id"] != first["items"][0]["run_id"]
    assert passed == {"items": [], "next_cursor": None}
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")


def test_a_run_page_holds_its_attempts_with_hashes_and_serves_only_recorded_outputs(server, review_ws):
    root, (run_id, _) = review_ws
    with server.client("viewer") as c:
        view = c.get(f"/api/v1/runs/{run_id}").json()
        (attempt,) = view["attempts"]
        notes = next(a for a in attempt["artifacts"] if a["path"].endswith("notes.md"))
        served = c.get(f"/api/v1/runs/{run_id}/artifacts/{notes['path']}")
        unrecorded = c.get(f"/api/v1/runs/{run_id}/artifacts/runner.json")
        outside = c.get(f"/api/v1/runs/{run_id}/artifacts/../../../../etc/passwd")
        encoded = c.get(f"/api/v1/runs/{run_id}/artifacts/%2E%2E/%2E%2E/etc/passwd")
        missing = c.get("/api/v1/runs/run_nope/artifacts/x")
    assert view["run"]["run_id"] == run_id and attempt["gate"] == "B1" and attempt["status"] == "PASS"
    assert served.status_code == 200 and served.content == (root / notes["path"]).read_bytes()
    assert hashlib.sha256(served.content).hexdigest() == notes["sha256"] == served.headers["x-recorded-sha256"]
    assert served.headers["content-type"] == "text/plain; charset=utf-8"  # the charset once
    assert served.headers["content-disposition"] == 'inline; filename="notes.md"'
    assert unrecorded.status_code == 404 and "not a recorded output" in unrecorded.json()["detail"]
    assert outside.status_code in (400, 404) and encoded.status_code in (400, 404) and missing.status_code == 404
    assert "root:" not in outside.text + encoded.text


def test_a_recorded_output_replaced_by_a_link_out_of_the_workspace_is_not_served(server, review_ws, tmp_path):
    root, (run_id, _) = review_ws
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the console")
    attempt = Repo(root).attempt(run_id, "B1", 1)
    notes = next(a.path for a in attempt.artifacts if a.path.endswith("notes.md"))
    (root / notes).unlink()
    (root / notes).symlink_to(secret)
    with server.client("viewer") as c:
        response = c.get(f"/api/v1/runs/{run_id}/artifacts/{notes}")
    assert response.status_code == 404 and "not for the console" not in response.text


def test_the_seed_gate_views(server, review_ws):
    _, (run_id, _) = review_ws
    with server.client("viewer") as c:
        status = c.get(f"/api/v1/jobs/{run_id}/gates/status").json()
        none_yet = c.get(f"/api/v1/jobs/{run_id}/gates/B1/decision")
        no_gate = c.get(f"/api/v1/jobs/{run_id}/gates/ZZ/decision")
        decisions = c.get(f"/api/v1/jobs/{run_id}/gates/decisions").json()
    assert [(g["gate"], g["status"]) for g in status] == [("B1", "AWAITING_APPROVAL"), ("C1", "PENDING")]
    assert none_yet.status_code == 404 and no_gate.status_code == 404 and decisions == []


def test_an_api_decision_is_the_cli_decision_and_verifies(server, review_ws):
    root, (by_api, by_cli) = review_ws
    with server.client("decider") as c:
        response = c.post(f"/api/v1/jobs/{by_api}/approve", json={"gate": "B1", "note": "looks right"})
        assert response.status_code == 200, response.text
        api_commit = git(root, "rev-parse", "HEAD").strip()
        shown = c.get(f"/api/v1/jobs/{by_api}/gates/B1/decision").json()
    decision = response.json()
    assert decision["by"] == {"name": "Grace Hopper", "email": "grace@example.org"} and decision["note"] == "looks right"
    assert shown == decision
    api_trailers, api_subject = trailers(root, api_commit), subject(root, api_commit)
    api_author = git(root, "log", "-1", "--format=%an <%ae>", api_commit).strip()
    cli("gate", "approve", "--repo", root, "--run", by_cli, "--gate", "B1", "--note", "looks right",
        "--actor", GRACE, check=0)
    cli_commit = git(root, "log", "-1", "--format=%H", "--grep", f"Run-Id: {by_cli}").strip()
    cli_trailers = trailers(root, cli_commit)
    assert {k: v for k, v in api_trailers.items() if k != "Run-Id"} == \
        {k: v for k, v in cli_trailers.items() if k != "Run-Id"}
    assert api_subject.replace(by_api, "R") == subject(root, cli_commit).replace(by_cli, "R")
    assert api_author == git(root, "log", "-1", "--format=%an <%ae>", cli_commit).strip() == GRACE
    # The server's timer loop goes on with both runs (C1 needs nobody): wait until it settled.
    assert wait_for(lambda: {Repo(root).run(r).status for r in (by_api, by_cli)} == {"PASSED"})
    assert wait_for(lambda: git(root, "status", "--porcelain", "runs") == "")
    report = Repo(root).verify()
    assert report.ok, report.findings
    # Deciding again once the run is closed: 409 names both the decision and why.
    with server.client("decider") as c:
        again = c.post(f"/api/v1/jobs/{by_api}/reject", json={"gate": "B1"}).json()
    assert again["status"] == 409 and again["decision"] == decision
    assert "already decided" in again["detail"] and f"run {by_api} is PASSED" in again["detail"]


def test_two_deciders_at_once_one_wins_the_other_gets_the_winners_decision(server, review_ws):
    _, (run_id, _) = review_ws
    results = {}

    def decide(who: str, verdict: str) -> None:
        with server.client(who) as c:
            results[who] = c.post(f"/api/v1/jobs/{run_id}/{verdict}", json={"gate": "B1", "note": who})

    threads = [threading.Thread(target=decide, args=("decider", "approve")),
               threading.Thread(target=decide, args=("alan", "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: r.text for k, r in results.items()}
    winner = next(r.json() for r in results.values() if r.status_code == 200)
    loser = next(r.json() for r in results.values() if r.status_code == 409)
    assert loser["decision"] == winner and loser["status"] == 409 and "already decided" in loser["detail"]
    assert len(Repo(server.root).run(run_id).gate("B1").decisions) == 1


def test_a_decision_of_an_attempt_no_longer_waiting_is_a_conflict(server, review_ws):
    """The page sends the attempt it shows: a decision made on a stale page (another
    attempt waits now) is 409, nothing recorded; the attempt that waits is decided."""
    _, (run_id, _) = review_ws
    waiting = Repo(server.root).run(run_id).gate("B1").waiting.attempt
    with server.client("decider") as c:
        stale = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "attempt": waiting + 1})
        assert stale.status_code == 409, stale.text
        assert f"attempt {waiting + 1} is not the one waiting" in stale.json()["detail"]
        assert Repo(server.root).run(run_id).gate("B1").decisions == []
        fresh = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "attempt": waiting})
        assert fresh.status_code == 200, fresh.text
        assert fresh.json()["attempt"] == waiting


def test_refusals_name_what_is_wrong(server, review_ws):
    _, (run_id, _) = review_ws
    with server.client(None) as anonymous, server.client("viewer") as viewer, server.client("decider") as c:
        assert anonymous.get("/api/v1/inbox").status_code == 401
        assert anonymous.get("/api/v1/events").status_code == 401
        assert anonymous.get(f"/api/v1/runs/{run_id}").status_code == 401
        assert anonymous.get("/api/v1/inbox", headers={"Authorization": "Bearer rnr_guess"}).status_code == 401
        refused = viewer.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1"})
        unknown_field = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "by": "admin"})
        too_big = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1", "note": "x" * 2_000_000})
        bad_gate = c.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "ZZ"})
        bad_run = c.post("/api/v1/jobs/..%2F..%2Fetc/approve", json={"gate": "B1"})
    assert refused.status_code == 403 and "viewer token" in refused.json()["detail"]
    assert unknown_field.status_code == 400 and "by" in unknown_field.json()["hint"]
    assert too_big.status_code == 413
    assert bad_gate.status_code in (400, 404) and bad_run.status_code in (400, 404)
    for response in (refused, unknown_field, too_big, bad_gate):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in response.text
    assert Repo(server.root).run(run_id).gate("B1").decisions == []


def test_a_revoked_token_is_refused_at_once(server):
    with server.client("alan") as c:
        assert c.get("/api/v1/inbox").status_code == 200
        (entry,) = [t for t in __import__("runner.console.tokens", fromlist=["load"]).load(server.tokens.file).tokens
                    if t.name.startswith("Alan")]
        cli("serve", "token", "revoke", entry.id, "--tokens-file", server.tokens.file, check=0)
        assert c.get("/api/v1/inbox").status_code == 401


def test_events_tell_of_every_record_commit(server, review_ws):
    root, (run_id, _) = review_ws
    seen = []
    with server.client("viewer") as c, c.stream("GET", "/api/v1/events") as stream:
        lines = stream.iter_lines()
        assert wait_for(lambda: next(lines).startswith("event: hello"))
        cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "B1", "--actor", GRACE, check=0)
        for line in lines:
            seen.append(line)
            if line.startswith("data: ") and "event: commit" in seen:
                break
    tip = seen[seen.index("event: commit") + 1].removeprefix("data: ")
    assert tip in git(root, "log", "--format=%H").split()  # a record commit of the branch


def test_a_token_made_for_another_workspace_is_refused_here(server, tmp_path):
    from helpers import make_repo

    other = make_repo(tmp_path / "other")
    here = cli("serve", "token", "add", "--name", "Ida Here <ida@example.org>", "--role", "viewer", "--repo",
               server.root, "--tokens-file", server.tokens.file, "--json", check=0).json["token"]
    there = cli("serve", "token", "add", "--name", "Ola There <ola@example.org>", "--role", "decider", "--repo",
                other, "--tokens-file", server.tokens.file, "--json", check=0).json["token"]
    with server.client(None) as c:
        assert c.get("/api/v1/inbox", headers={"Authorization": f"Bearer {here}"}).status_code == 200
        assert c.get("/api/v1/inbox", headers={"Authorization": f"Bearer {there}"}).status_code == 401
        deciders = c.get("/api/v1/inbox", headers={"Authorization": f"Bearer {here}"}).json()[0]["deciders"]
    assert "Ola There <ola@example.org>" not in deciders
    listed = cli("serve", "token", "list", "--repo", server.root, "--tokens-file", server.tokens.file, "--json",
                 check=0).json
    assert "Ola There <ola@example.org>" not in [t["name"] for t in listed]


def test_the_page_says_its_charset_once(server):
    with server.client(None) as anonymous:
        page = anonymous.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
