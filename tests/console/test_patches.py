"""Patches through the console: the patch types, a rejection with a patch that resuming
applies, an approval with a patch, a patch applied as an attempt of its own. Each is the
front door's operation; the tests check what it recorded."""

from __future__ import annotations

from console_helpers import wait_for

from runner import Repo

FIX = {"type": "text_replace", "replacements": [{"old": "robot draft", "new": "robot final"}]}


def notes_path(root, run_id) -> str:
    attempt = Repo(root).attempt(run_id, "B1", 1)
    return next(a.path for a in attempt.artifacts if a.path.endswith("notes.md"))


def notes(root, run_id) -> str:
    return (root / notes_path(root, run_id)).read_text()


def test_the_patch_types_each_with_a_worked_example(server):
    with server.client("viewer") as c:
        types = c.get("/api/v1/patches/types").json()
    assert {"json_patch", "text_replace"} <= {t["type"] for t in types}
    assert all(t["example"]["patch"] is not None and t["summary"] for t in types)


def test_a_rejection_with_a_patch_is_applied_when_the_run_resumes(server, review_ws):
    root, (run_id, _) = review_ws
    with server.client("decider") as c:
        rejected = c.post(f"/api/v1/jobs/{run_id}/reject", json={"gate": "B1", "note": "wording", "patch": FIX,
                                                                  "target": notes_path(root, run_id)})
        assert rejected.status_code == 200, rejected.text
        decision = rejected.json()
        assert decision["verdict"] == "reject" and decision["patch"]["type"] == "text_replace"
        assert [f["path"].endswith("notes.md") for f in decision["patched_files"]] == [True]
        resumed = c.post(f"/api/v1/jobs/{run_id}/resume", json={})
        assert resumed.status_code in (200, 409), resumed.text  # 409: the timer loop went on first
    assert wait_for(lambda: any(a.attempt == 2 for a in Repo(root).run(run_id).gate("B1").attempts))
    assert "robot final" in notes(root, run_id)
    assert Repo(root).attempt(run_id, "B1", 2).patch_of == decision["decision"]


def test_an_approval_with_a_patch_and_a_patch_of_its_own(server, review_ws):
    root, (approved, applied) = review_ws
    with server.client("decider") as c:
        response = c.post(f"/api/v1/jobs/{approved}/approve", json={"gate": "B1", "patch": FIX,
                                                                      "target": notes_path(root, approved)})
        assert response.status_code == 200, response.text
        direct = c.post(f"/api/v1/jobs/{applied}/patches/B1/apply", json={"patch": FIX, "note": "typo",
                                                                             "target": notes_path(root, applied)})
        assert direct.status_code == 200, direct.text
        bad = c.post(f"/api/v1/jobs/{applied}/patches/B1/apply", json={"patch": {"type": "no_such_type"}})
    assert "robot final" in notes(root, approved) and "robot final" in notes(root, applied)
    assert Repo(root).attempt(approved, "B1", 2).patch_of == response.json()["decision"]
    assert direct.json()["gate"] == "B1" and direct.json()["attempt"] == 2
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
