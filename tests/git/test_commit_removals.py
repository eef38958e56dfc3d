"""A record commit that removes files (a run moved to another layout): the entries leave
the trees and the user's index, a folder left empty leaves its parent, and every tree is
the one git computes from the same files, in small trees and in trees large enough to be
spliced in place."""

from __future__ import annotations

import pytest
from helpers import git, make_repo

from runner import git as runner_git
from runner.git import commit

WHO = runner_git.Identity("Ada", "a@b.c")


def _write(root, rel, text="x\n"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _commit(root, paths):
    return commit.commit_files(root, root / ".git", paths, "runner: test\n", WHO)


@pytest.mark.parametrize("others", [2, 3000])
def test_moved_files_leave_the_old_trees_and_the_index(tmp_path, others):
    root = make_repo(tmp_path / "ws")
    # 3,000 runs' objects are enough for the `git gc --auto` a record commit may run: in the
    # foreground, so that it never packs them while fsck below reads them
    git(root, "config", "gc.autoDetach", "false")
    _write(root, "keep.txt")
    kept = [f"runs/run_{n:04d}/record/RUN.json" for n in range(others)]
    for rel in kept:
        _write(root, rel, rel)
    old = ["runs/run_x/record/RUN.json", "runs/run_x/record/gates/G1/attempt-1.json"]
    for rel in old:
        _write(root, rel, rel)
    _commit(root, ["keep.txt", *kept, *old])
    new = [p.replace("runs/run_x", "runs/2026-11/x/y/run_x") for p in old]
    (root / "runs/2026-11/x/y").mkdir(parents=True)
    (root / "runs/run_x").rename(root / "runs/2026-11/x/y/run_x")
    sha = _commit(root, old + new)
    listed = git(root, "ls-tree", "-r", "--name-only", sha).split()
    assert set(new) <= set(listed) and not set(old) & set(listed)
    assert "runs/run_x" not in git(root, "ls-tree", "-d", "-r", "--name-only", sha).split()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(root, "write-tree").strip() == git(root, "rev-parse", f"{sha}^{{tree}}").strip()
    git(root, "fsck", "--strict", "--no-dangling")


def test_removing_every_file_of_a_folder_removes_the_folder_up_to_the_root(tmp_path):
    root = make_repo(tmp_path / "ws")
    _write(root, "a/b/c.txt")
    _write(root, "top.txt")
    _commit(root, ["a/b/c.txt", "top.txt"])
    (root / "a/b/c.txt").unlink()
    sha = _commit(root, ["a/b/c.txt"])
    assert git(root, "ls-tree", "-r", "--name-only", sha).split() == ["top.txt"]
    assert git(root, "status", "--porcelain") == ""
