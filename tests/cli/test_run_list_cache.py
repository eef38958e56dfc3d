"""`run list` keeps a small summary of each RUN.json in the git-ignored logs folder; it
must never show stale data, and a broken cache must not matter."""

import json

from helpers import cli, pass_gate, start_run


def _listed(root):
    return {r["run_id"]: r for r in cli("run", "list", "--repo", root, "--json", check=0).json}


def test_the_cache_follows_every_change_of_the_record(essay_ws):
    run_id = start_run(essay_ws)
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    cache = essay_ws / "runs" / run_id / "logs" / "run-list.json"
    assert cache.is_file()
    pass_gate(essay_ws, run_id, "G1")
    row = _listed(essay_ws)[run_id]
    assert (row["status"], row["gates_passed"]) == ("RUNNING", 1)


def test_a_broken_or_foreign_cache_is_ignored(essay_ws):
    run_id = start_run(essay_ws)
    _listed(essay_ws)
    cache = essay_ws / "runs" / run_id / "logs" / "run-list.json"
    cache.write_text("{not json")
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    lie = json.loads(cache.read_text())
    lie["key"] = [0, 0, 0]
    lie["digest"]["status"] = "PASSED"
    cache.write_text(json.dumps(lie))
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
