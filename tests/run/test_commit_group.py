"""Grouped commits: the operations inside `Repo.commit_group()` write their files as they
do alone, and are committed once, at the end, with every operation's trailers."""

from __future__ import annotations

import pytest
from group_helpers import TRIVIAL, finish_many, install_trivial
from helpers import changed_files, commit_count, git, porcelain

from runner import Repo
from runner.errors import NotFoundError


@pytest.fixture
def trivial_ws(ws_root):
    return install_trivial(ws_root)


def test_a_group_of_finishes_is_one_commit_with_each_operations_trailers(trivial_ws):
    repo = Repo(trivial_ws)
    runs = [repo.start_run(TRIVIAL, slug=f"item-{i}", artifact_path=f"out/{i}").run_id for i in range(3)]
    before = commit_count(trivial_ws)
    with repo.commit_group() as group:
        finish_many(repo, runs)
        assert commit_count(trivial_ws) == before  # nothing committed yet
    assert commit_count(trivial_ws) == before + 1
    assert len(group.commits) == 1 and group.commits[0] == git(trivial_ws, "rev-parse", "HEAD").strip()
    files = changed_files(trivial_ws)
    for run_id in runs:
        assert f"runs/{run_id}/record/RUN.json" in files
        assert f"runs/{run_id}/record/gates/G1/attempt-1.json" in files
    message = git(trivial_ws, "log", "-1", "--format=%B")
    assert message.startswith("runner: group of 6 operations on 3 runs\n")
    paragraphs = message.strip().split("\n\n")[1:]
    assert [p.splitlines()[0] for p in paragraphs] == [f"Run-Id: {r}" for r in runs for _ in (0, 1)]
    assert all("Op: gate-finish" in p for p in paragraphs[1::2]) and all("Op: gate-start" in p for p in paragraphs[::2])
    assert not porcelain(trivial_ws)
    assert not list((trivial_ws / ".git" / "runner-pending").iterdir())
    assert repo.verify().ok


def test_an_empty_group_makes_no_commit_and_one_operation_is_an_ordinary_commit(trivial_ws):
    repo = Repo(trivial_ws)
    before = commit_count(trivial_ws)
    with repo.commit_group() as group:
        pass
    assert commit_count(trivial_ws) == before and group.commits == []
    with repo.commit_group():
        run_id = repo.start_run(TRIVIAL, slug="one", artifact_path="out/one").run_id
    assert git(trivial_ws, "log", "-1", "--format=%s").strip() == f"runner: {run_id} start ({TRIVIAL})"


def test_an_error_inside_commits_what_was_done_before_it(trivial_ws):
    repo = Repo(trivial_ws)
    run_id = repo.start_run(TRIVIAL, slug="one", artifact_path="out/one").run_id
    before = commit_count(trivial_ws)
    with pytest.raises(NotFoundError), repo.commit_group():
        finish_many(repo, [run_id])
        repo.gate_start("run_20260101T000000Z_nothing_aaaaaa", "G1")
    assert commit_count(trivial_ws) == before + 1
    assert f"runs/{run_id}/record/gates/G1/attempt-1.json" in changed_files(trivial_ws)
    assert not porcelain(trivial_ws) and repo.verify().ok


def test_a_group_inside_a_group_is_the_same_group(trivial_ws):
    repo = Repo(trivial_ws)
    before = commit_count(trivial_ws)
    with repo.commit_group() as outer:
        with repo.commit_group() as inner:
            repo.start_run(TRIVIAL, slug="a", artifact_path="out/a")
        assert inner is outer and commit_count(trivial_ws) == before
        repo.start_run(TRIVIAL, slug="b", artifact_path="out/b")
    assert commit_count(trivial_ws) == before + 1


def test_a_process_killed_inside_a_group_leaves_runs_the_next_command_commits(trivial_ws):
    """The files of the operations before the kill are on disk with their pending marks;
    the next operation on the run commits them with its own."""
    from group_helpers import kill_inside_a_group

    repo = Repo(trivial_ws)
    run_id = repo.start_run(TRIVIAL, slug="one", artifact_path="out/one").run_id
    before = commit_count(trivial_ws)
    kill_inside_a_group(trivial_ws, run_id)
    assert commit_count(trivial_ws) == before
    assert (trivial_ws / ".git" / "runner-pending" / run_id).exists()
    assert any("attempt-1.json" in line for line in porcelain(trivial_ws))
    Repo(trivial_ws).cancel_run(run_id, reason="after the kill")
    assert f"runs/{run_id}/record/gates/G1/attempt-1.json" in changed_files(trivial_ws)
    assert not porcelain(trivial_ws) and Repo(trivial_ws).verify().ok
