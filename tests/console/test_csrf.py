"""The page's session: the token kept in an HttpOnly, SameSite=Strict cookie, and every
change asked with that cookie refused without the session's CSRF token."""

from __future__ import annotations

from runner import Repo


def test_a_cookie_session_changes_nothing_without_its_csrf_token(server, review_ws):
    _, (run_id, _) = review_ws
    with server.client(None) as browser:
        login = browser.post("/api/v1/session", json={"token": server.tokens.secrets["decider"]})
        assert login.status_code == 200
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        csrf = login.json()["csrf"]
        assert browser.get("/api/v1/session").json()["csrf"] == csrf  # the page asks again after a reload

        no_csrf = browser.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1"})
        wrong = browser.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1"},
                             headers={"X-CSRF-Token": "0" * 64})
        assert no_csrf.status_code == wrong.status_code == 403
        assert "CSRF" in no_csrf.json()["detail"]
        assert Repo(server.root).run(run_id).gate("B1").decisions == []

        ok = browser.post(f"/api/v1/jobs/{run_id}/approve", json={"gate": "B1"}, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200 and ok.json()["by"]["name"] == "Grace Hopper"

        assert browser.delete("/api/v1/session").status_code == 204
        browser.cookies.clear()
        assert browser.get("/api/v1/inbox").status_code == 401


def test_a_wrong_token_does_not_log_in(server):
    with server.client(None) as browser:
        refused = browser.post("/api/v1/session", json={"token": "rnr_" + "a" * 43})
        assert refused.status_code == 401 and "set-cookie" not in refused.headers
