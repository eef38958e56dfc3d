"""Record commits into a runs/ folder too large to parse entry by entry: the changed
entries are replaced in place, a new run is inserted in git's order, and every tree
is the one git itself computes from the same files."""

from __future__ import annotations

import hashlib
import subprocess

from helpers import git, make_repo

from runner import git as runner_git
from runner.git import commit

RUNS = 2500  # a runs/ tree of about 100 KB: over the size where entries are spliced


def _git(root, *args, input: bytes) -> str:
    return subprocess.run(["git", *args], cwd=root, input=input, check=True, capture_output=True).stdout.decode()


def _large_history(root):
    """runs/run_0000..run_2499/record/RUN.json committed, checked out, indexed."""
    blob = _git(root, "hash-object", "-w", "--stdin", input=b'{"n": 0}\n').strip()
    record = _git(root, "mktree", input=f"100644 blob {blob}\tRUN.json\n".encode()).strip()
    run_dir = _git(root, "mktree", input=f"040000 tree {record}\trecord\n".encode()).strip()
    listing = "".join(f"040000 tree {run_dir}\trun_{n:04d}\n" for n in range(RUNS))
    runs = _git(root, "mktree", input=listing.encode()).strip()
    top = _git(root, "mktree", input=f"040000 tree {runs}\truns\n".encode()).strip()
    commit = _git(root, "commit-tree", top, "-m", "history", input=b"").strip()
    git(root, "update-ref", "refs/heads/main", commit)
    git(root, "reset", "-q", "--hard")
    return runs


def _commit(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    commit.commit_files(root, root / ".git", [rel], f"runner: {rel}\n", runner_git.Identity("Ada", "a@b.c"))


def _as_git_computes_it(root) -> str:
    """The tree git writes from the index (which the commit refreshed) for the work tree."""
    git(root, "add", "-A")
    return git(root, "write-tree").strip()


def test_changed_and_new_runs_in_a_large_runs_tree(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo")
    old_runs = _large_history(root)
    assert int(git(root, "cat-file", "-s", old_runs)) > 65536
    rebuilt = []  # the sizes of the trees parsed entry by entry
    rebuild = commit._rebuild
    monkeypatch.setattr(commit, "_rebuild", lambda objects, tree, data, *rest: (
        rebuilt.append(len(data)), rebuild(objects, tree, data, *rest))[1])
    _commit(root, "runs/run_1234/record/RUN.json", '{"n": 1}\n')  # an existing run: spliced
    assert git(root, "rev-parse", "HEAD^{tree}").strip() == _as_git_computes_it(root)
    assert rebuilt and max(rebuilt) < 65536
    _commit(root, "runs/run_1234/record/gates/G1/attempt-1.json", "{}\n")  # a new folder inside it
    assert git(root, "rev-parse", "HEAD^{tree}").strip() == _as_git_computes_it(root)
    _commit(root, "runs/run_0999a/record/RUN.json", "{}\n")  # a new run, between two others
    assert git(root, "rev-parse", "HEAD^{tree}").strip() == _as_git_computes_it(root)
    assert max(rebuilt) > 65536  # inserting an entry sorts the whole tree
    _commit(root, "runs/run_0000/record/RUN.json", '{"n": 2}\n')  # the first entry of the tree
    _commit(root, f"runs/run_{RUNS - 1:04d}/record/RUN.json", '{"n": 3}\n')  # the last one
    assert git(root, "rev-parse", "HEAD^{tree}").strip() == _as_git_computes_it(root)
    assert git(root, "status", "--porcelain") == ""
    fsck = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    names = git(root, "ls-tree", "--name-only", "HEAD:runs").split()
    assert names == sorted(names) and len(names) == RUNS + 1


def _loose(root) -> int:
    counts = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    return int(counts["count"])


def test_one_commit_in_sixteen_lets_git_pack_its_loose_objects(tmp_path):
    """Like `git commit`, the runner runs `git gc --auto` (after the commits whose id starts with 0)."""
    root = make_repo(tmp_path / "repo")
    git(root, "config", "gc.auto", "20")  # a low threshold, and in the foreground, for the test
    git(root, "config", "gc.autoDetach", "false")
    for n in range(30):
        _commit(root, f"runs/run_{n}/record/RUN.json", f"{n}\n")
    # git estimates the loose objects from the folder objects/17 alone (more than one
    # there: more than gc.auto in all): put two there
    for n in [n for n in range(100000) if hashlib.sha1(b"blob %d\0%d" % (len(str(n)), n)).hexdigest()[:2] == "17"][:2]:
        _git(root, "hash-object", "-w", "--stdin", input=str(n).encode())
    before = _loose(root)
    assert before > 20  # the commits whose id starts with 0 may have packed some already
    commit._maybe_gc(root, "1" * 40)
    assert _loose(root) == before
    commit._maybe_gc(root, "0" * 40)
    assert _loose(root) < before
    assert git(root, "status", "--porcelain") == ""
