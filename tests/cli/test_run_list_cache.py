"""`run list` keeps a small summary of each RUN.json in one local cache file (in the git
dir, never committed); it must never show stale data, and a broken cache must not matter."""

import json
import os

from helpers import cli, pass_gate, start_run

from runner import __version__


def _listed(root):
    return {r["run_id"]: r for r in cli("run", "list", "--repo", root, "--json", check=0).json}


def _cache(root):
    return root / ".git" / "runner-cache" / f"run-list-{__version__}.json"


def test_the_cache_follows_every_change_of_the_record(essay_ws):
    run_id = start_run(essay_ws)
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    assert json.loads(_cache(essay_ws).read_text())[run_id]["digest"]["status"] == "QUEUED"
    pass_gate(essay_ws, run_id, "G1")
    row = _listed(essay_ws)[run_id]
    assert (row["status"], row["gates_passed"]) == ("RUNNING", 1)


def test_an_unchanged_workspace_does_not_rewrite_the_cache_and_a_removed_run_leaves_it(essay_ws):
    first, second = start_run(essay_ws), start_run(essay_ws)
    _listed(essay_ws)
    written = os.stat(_cache(essay_ws)).st_mtime_ns
    _listed(essay_ws)
    assert os.stat(_cache(essay_ws)).st_mtime_ns == written
    (essay_ws / "runs" / first / "record" / "RUN.json").unlink()
    assert set(_listed(essay_ws)) == {second}
    assert set(json.loads(_cache(essay_ws).read_text())) == {second}


def test_a_broken_or_foreign_cache_is_ignored(essay_ws):
    run_id = start_run(essay_ws)
    _listed(essay_ws)
    cache = _cache(essay_ws)
    cache.write_text("{not json")
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    lie = json.loads(cache.read_text())
    lie[run_id]["key"] = [0, 0, 0]
    lie[run_id]["digest"]["status"] = "PASSED"
    cache.write_text(json.dumps(lie))
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    cache.write_text(json.dumps([1, 2]))
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    cache.write_text(json.dumps({run_id: {"key": "x", "digest": None}}))
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
    entry = json.loads(cache.read_text())[run_id]
    del entry["digest"]["status"]  # the right key, a digest of another version
    cache.write_text(json.dumps({run_id: entry}))
    assert _listed(essay_ws)[run_id]["status"] == "QUEUED"
