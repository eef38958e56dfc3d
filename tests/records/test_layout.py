"""The fan-out layout of runs/ (runs/<YYYY-MM>/<x>/<y>/<run-id>/): where new runs go,
both layouts read side by side, and `runner doctor --fix` moving a flat workspace in one
commit that `runner verify` accepts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "run"))

from group_helpers import TRIVIAL, finish_many, install_trivial
from helpers import changed_files, commit_count, git, porcelain

from runner import Repo, records


@pytest.fixture
def trivial_ws(ws_root):
    return install_trivial(ws_root)


def set_layout(root: Path, layout: str) -> None:
    config = json.loads((root / "runner.json").read_text())
    config["runs_layout"] = layout
    (root / "runner.json").write_text(json.dumps(config, indent=2) + "\n")
    git(root, "commit", "-q", "-m", f"user: runs_layout {layout}", "--", "runner.json")


def start(repo: Repo, slug: str) -> str:
    return repo.start_run(TRIVIAL, slug=slug, artifact_path=f"out/{slug}").run_id


def test_layout_path_places_a_run_by_the_month_of_its_id_and_its_last_two_characters():
    run_id = "run_20261129T160102Z_robot_2a3iw6"
    assert records.layout_path(run_id, "fanout") == f"2026-11/w/6/{run_id}"
    assert records.layout_path(run_id, "flat") == run_id
    assert records.layout_path("imported-run", "fanout") == "imported-run"  # no date: flat in either


def test_a_fanout_workspace_records_new_runs_in_small_folders(trivial_ws):
    set_layout(trivial_ws, "fanout")
    repo = Repo(trivial_ws)
    run_id = start(repo, "one")
    finish_many(repo, [run_id])
    folder = f"runs/{records.layout_path(run_id, 'fanout')}"
    assert (trivial_ws / folder / "record" / "RUN.json").is_file()
    assert not (trivial_ws / "runs" / run_id).exists()
    assert changed_files(trivial_ws) == [f"{folder}/record/RUN.json", f"{folder}/record/gates/G1/attempt-1.json"]
    assert repo.run(run_id).gates[0].attempts[0].file == f"{folder}/record/gates/G1/attempt-1.json"
    assert [r.run_id for r in repo.runs()] == [run_id] and records.list_run_ids(repo.ws) == [run_id]
    assert [f.kind for f in repo.doctor(fix=True)] == ["logs-not-ignored"]  # runs_layout set by hand
    (trivial_ws / folder / "logs").mkdir(exist_ok=True)
    (trivial_ws / folder / "logs" / "packet.md").write_text("a log\n")
    assert porcelain(trivial_ws) == [" M .gitignore"]
    report = repo.verify()
    assert report.ok, report.findings
    assert repo.verify(since="HEAD~1").ok


def test_flat_runs_stay_readable_and_writable_beside_fanout_ones(trivial_ws):
    repo = Repo(trivial_ws)
    old = start(repo, "old")
    set_layout(trivial_ws, "fanout")
    repo = Repo(trivial_ws)
    new = start(repo, "new")
    finish_many(repo, [old, new])
    assert (trivial_ws / "runs" / old / "record" / "gates" / "G1" / "attempt-1.json").is_file()
    assert (trivial_ws / "runs" / records.layout_path(new, "fanout") / "record" / "RUN.json").is_file()
    assert sorted(r.run_id for r in repo.runs()) == sorted([old, new])
    assert repo.verify().ok and not porcelain(trivial_ws)


def test_doctor_fix_moves_a_flat_workspace_in_one_commit_that_verifies(trivial_ws):
    repo = Repo(trivial_ws)
    runs = [start(repo, f"item-{i}") for i in range(3)]
    finish_many(repo, runs[:2])
    set_layout(trivial_ws, "fanout")
    repo = Repo(trivial_ws)
    found = [f for f in repo.doctor() if f.kind == "flat-layout"]
    assert len(found) == 1 and "3 runs" in found[0].message and not found[0].fixed
    before = commit_count(trivial_ws)
    fixed = [f for f in repo.doctor(fix=True) if f.kind == "flat-layout"]
    assert fixed and fixed[0].fixed and commit_count(trivial_ws) == before + 1
    message = git(trivial_ws, "log", "-1", "--format=%B")
    assert message.count("Op: layout-move") == 3
    assert git(trivial_ws, "config", "core.splitIndex").strip() == "true"
    names = set(git(trivial_ws, "ls-tree", "-r", "--name-only", "HEAD", "--", "runs").split())
    for run_id in runs:
        assert not (trivial_ws / "runs" / run_id).exists()
        assert f"runs/{run_id}/record/RUN.json" not in names
        assert f"runs/{records.layout_path(run_id, 'fanout')}/record/RUN.json" in names
    moved = repo.run(runs[0])
    assert moved.gates[0].attempts[0].file.startswith(f"runs/{records.layout_path(runs[0], 'fanout')}/")
    assert moved.events[-1].type == "moved"
    assert not porcelain(trivial_ws)
    report = repo.verify()
    assert report.ok, report.findings
    scoped = repo.verify(run_id=runs[0])  # its history under both paths
    assert scoped.ok and scoped.commits >= 3, scoped.findings
    finish_many(repo, [runs[2]])  # a moved run goes on where it is now
    assert repo.verify().ok and [f for f in repo.doctor() if f.kind == "flat-layout"] == []


def test_an_interrupted_move_is_finished_by_the_next_doctor_fix(trivial_ws):
    repo = Repo(trivial_ws)
    runs = [start(repo, f"item-{i}") for i in range(2)]
    set_layout(trivial_ws, "fanout")
    repo = Repo(trivial_ws)
    # what a move killed after its first rename leaves: the plan, one folder moved
    pending = trivial_ws / ".git" / "runner-pending"
    pending.mkdir(exist_ok=True)
    (pending / "layout-move.json").write_text(json.dumps(sorted(runs)))
    target = trivial_ws / "runs" / records.layout_path(runs[0], "fanout")
    target.parent.mkdir(parents=True)
    (trivial_ws / "runs" / runs[0]).rename(target)
    assert [r.run_id for r in repo.runs()] == runs  # both still found
    repo.doctor(fix=True)
    assert not (pending / "layout-move.json").exists() and not porcelain(trivial_ws)
    report = repo.verify()
    assert report.ok, report.findings


def test_a_move_that_changes_an_attempts_bytes_is_caught(trivial_ws):
    repo = Repo(trivial_ws)
    run_id = start(repo, "one")
    finish_many(repo, [run_id])
    old = f"runs/{run_id}"
    new = f"runs/{records.layout_path(run_id, 'fanout')}"
    (trivial_ws / new).parent.mkdir(parents=True)
    git(trivial_ws, "mv", old, new)
    attempt = trivial_ws / new / "record" / "gates" / "G1" / "attempt-1.json"
    attempt.write_text(attempt.read_text().replace('"PASS"', '"FAIL"', 1))
    git(trivial_ws, "add", "-A", "runs")
    git(trivial_ws, "commit", "-q", "-m", f"runner: {run_id} moved to the fan-out layout",
        "-m", f"Run-Id: {run_id}\nOp: layout-move\nActor: runner doctor")
    codes = {(f.code, f.file) for f in repo.verify().findings}
    assert ("deleted", f"{old}/record/gates/G1/attempt-1.json") in codes
