"""Record commits under git's index settings (split index, index version 4, no
trailing hash): the user's index ends up with the records, clean in `git status`, the
user's own staged change still staged, and git itself reads the index it finds."""

from __future__ import annotations

import pytest
from helpers import git, make_repo

from runner import git as runner_git
from runner.git import commit

WHO = runner_git.Identity("Ada", "a@b.c")
SETTINGS = {
    "default": [],
    "split index": [["config", "core.splitIndex", "true"], ["update-index", "--split-index"]],
    "index version 4": [["update-index", "--index-version", "4"]],
    "skip hash": [["config", "index.skipHash", "true"]],
}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_record_commits_keep_the_users_index_whole(tmp_path, setting):
    root = make_repo(tmp_path / "ws")
    (root / "user.txt").write_text("one\n")
    git(root, "add", "user.txt")
    git(root, "commit", "-q", "-m", "user")
    for command in SETTINGS[setting]:
        git(root, *command)
    (root / "user.txt").write_text("two\n")
    git(root, "add", "user.txt")  # staged by the user, not committed
    for n in range(4):
        rel = f"runs/run_{n}/record/RUN.json"
        (root / rel).parent.mkdir(parents=True)
        (root / rel).write_text(f"{n}\n")
        commit.commit_files(root, root / ".git", [rel], f"runner: {n}\n", WHO)
    assert git(root, "status", "--porcelain") == "M  user.txt\n"
    assert git(root, "diff", "--cached", "--name-only") == "user.txt\n"
    assert len(git(root, "ls-files", "runs").split()) == 4
    assert not list((root / ".git").glob("runner-index.*"))
    git(root, "fsck", "--no-dangling")


def test_init_splits_the_index_of_a_fanout_workspace_only(tmp_path):
    from runner import Repo

    flat = make_repo(tmp_path / "flat")
    Repo.init(flat)
    assert git(flat, "config", "--default", "unset", "core.splitIndex").strip() == "unset"
    fanout = make_repo(tmp_path / "fanout")
    (fanout / "runner.json").write_text('{"runs_layout": "fanout"}\n')
    Repo.init(fanout)
    assert git(fanout, "config", "core.splitIndex").strip() == "true"
    assert "runs/*/*/*/*/logs/" in (fanout / ".gitignore").read_text().splitlines()
