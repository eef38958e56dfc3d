"""Record commits written by the runner itself (loose objects, the branch moved under
its .lock, reflogs) are commits git accepts as its own: fsck is clean after 1,000 of
them, the reflog tells each move, packed refs and packed trees are read, a repository
that signs its commits gets git's own commit-tree, and one record commit starts at most
two git processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import git, make_repo

from runner import git as rgit
from runner.errors import GitError
from runner.git import commit, locks, refs
from runner.git.objects import Store

AUTHOR = rgit.Identity("Ada Tester", "ada@example.org")


def _repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / "README").write_text("user file\n")
    git(root, "add", "README")
    git(root, "commit", "-q", "-m", "user commit")
    return root


def _record(root: Path, n: int) -> str:
    path = f"runs/run_{n % 50:03d}/record/RUN.json"
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(f'{{"n": {n}}}\n')
    return commit.commit_files(root, root / ".git", [path], f"runner: record {n}\n\nRun-Id: r{n}\n", AUTHOR)


def test_a_thousand_commits_are_clean_for_git_fsck(tmp_path):
    root = _repo(tmp_path)
    for n in range(1000):
        _record(root, n)
        if n == 500:
            git(root, "gc", "-q")  # from here on the trees to rebuild are packed: read through cat-file
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1001"
    fsck = subprocess.run(["git", "fsck", "--strict", "--no-progress"], cwd=root, capture_output=True, text=True)
    assert fsck.returncode == 0 and fsck.stdout == "" and "warning" not in fsck.stderr, fsck.stderr
    assert git(root, "status", "--porcelain") == ""  # the user's index holds the records
    assert git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s") == \
        "Ada Tester <ada@example.org>|Ada Tester <ada@example.org>|runner: record 999\n"
    assert git(root, "log", "-1", "--format=%(trailers:key=Run-Id,valueonly)").strip() == "r999"


def test_the_reflogs_tell_each_move(tmp_path):
    root = _repo(tmp_path)
    before = git(root, "rev-parse", "HEAD").strip()
    new = _record(root, 1)
    branch = git(root, "reflog", "show", "--format=%H %gs", "refs/heads/main").splitlines()
    head = git(root, "reflog", "show", "--format=%H %gs", "HEAD").splitlines()
    assert branch[0] == head[0] == f"{new} runner: record 1"
    line = (root / ".git" / "logs" / "refs" / "heads" / "main").read_text().splitlines()[-1]
    assert line.startswith(f"{before} {new} Ada Tester <ada@example.org> ")


def test_a_packed_branch_is_moved_by_a_loose_ref(tmp_path):
    root = _repo(tmp_path)
    git(root, "pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / "main").exists()
    old = git(root, "rev-parse", "HEAD").strip()
    assert refs.read_ref(root / ".git", "refs/heads/main") == old
    new = _record(root, 1)
    assert git(root, "rev-parse", "main").strip() == new and git(root, "rev-parse", "HEAD~1").strip() == old


def test_a_moved_branch_is_refused_and_a_held_lock_named(tmp_path):
    root = _repo(tmp_path)
    git_dir = root / ".git"
    head = git(root, "rev-parse", "HEAD").strip()
    assert refs.update(git_dir, "refs/heads/main", head, "0" * 40, AUTHOR, "x") is False  # compare failed
    assert git(root, "rev-parse", "HEAD").strip() == head
    (git_dir / "refs" / "heads" / "main.lock").write_text("")  # a user's git at work
    with pytest.raises(GitError) as info:
        refs.update(git_dir, "refs/heads/main", head, head, AUTHOR, "x", lock_wait_s=0.2)
    assert "main.lock exists" in str(info.value)


def test_a_lock_left_by_a_killed_runner_is_taken_over(tmp_path):
    root = _repo(tmp_path)
    git_dir = root / ".git"
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = git_dir / "refs" / "heads" / "main.lock"
    lock.write_text("")
    (git_dir / locks.OWNERS).mkdir(exist_ok=True)
    (git_dir / locks.OWNERS / lock.name).write_text(f"{dead.pid} {lock}\n")
    _record(root, 1)  # not refused: the lock's owner is gone
    assert not lock.exists() and not (git_dir / locks.OWNERS / lock.name).exists()


def test_loose_objects_read_back_as_git_wrote_them(tmp_path):
    root = _repo(tmp_path)
    store = Store(root, root / ".git")
    sha = store.write("blob", b"hello\n")
    (root / "hello").write_text("hello\n")
    assert sha == git(root, "hash-object", "hello").strip()
    assert git(root, "cat-file", "-p", sha) == "hello\n"
    assert store.read(sha) == ("blob", b"hello\n")
    commit_sha = git(root, "rev-parse", "HEAD").strip()
    git(root, "gc", "-q")  # now packed: read through cat-file
    kind, content = store.read(commit_sha)
    assert kind == "commit" and content.startswith(b"tree ")
    assert store.read("0" * 40) is None
    store.close()


def test_a_repository_that_signs_its_commits_gets_git_s_own_commit(tmp_path):
    root = _repo(tmp_path)
    signer = tmp_path / "fake-gpg"
    # what gpg prints: the signature on stdout, a SIG_CREATED status line on the status fd (2)
    signer.write_text("#!/bin/sh\ncat >/dev/null\nprintf '\\n[GNUPG:] SIG_CREATED D 1 8 00 0 ABCDEF\\n' >&2\n"
                      "echo '-----BEGIN PGP SIGNATURE-----'\necho 'c2lnbmVk'\necho '-----END PGP SIGNATURE-----'\n")
    signer.chmod(0o755)
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "gpg.program", str(signer))
    git(root, "config", "user.signingkey", "ABCDEF")
    new = _record(root, 1)
    assert "-----BEGIN PGP SIGNATURE-----" in git(root, "cat-file", "-p", new)


def test_one_record_commit_starts_at_most_two_git_processes(tmp_path):
    root = _repo(tmp_path)
    _record(root, 0)
    log = tmp_path / "git.log"
    shim = tmp_path / "bin"
    shim.mkdir()
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    (shim / "git").chmod(0o755)
    code = ("import sys; from pathlib import Path; from runner import git; from runner.git import commit\n"
            "root = Path(sys.argv[1]); config = git.settings(root)\n"
            "(root / 'runs/run_000/record').mkdir(parents=True, exist_ok=True)\n"
            "(root / 'runs/run_000/record/RUN.json').write_text('{\"n\": 7}\\n')\n"
            "open(sys.argv[2], 'a').write('-- commit\\n')\n"
            "commit.commit_files(root, root / '.git', ['runs/run_000/record/RUN.json'], 'runner: x\\n',"
            " git.Identity('A', 'a@b.c'), config=config)\n")
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([os.sys.executable, "-c", code, str(root), str(log)], env=env, check=True)
    during = log.read_text().split("-- commit\n", 1)[1].splitlines()
    assert len(during) <= 2, during
    assert [line.split()[2] for line in during if "update-index" in line] == ["update-index"]


def test_a_signer_that_fails_is_an_error_never_an_unsigned_commit(tmp_path):
    root = _repo(tmp_path)
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "gpg.program", "/bin/false")
    head = git(root, "rev-parse", "HEAD").strip()
    with pytest.raises(GitError) as info:
        _record(root, 1)
    assert "commit-tree failed" in info.value.message
    assert git(root, "rev-parse", "HEAD").strip() == head
