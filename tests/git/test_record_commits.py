"""The record commits itself: one commit per record-changing command, exactly the record
files it wrote, a message with trailers, and the user's work left as it was."""

from __future__ import annotations

import json
import stat

import pytest
from helpers import (changed_files, cli, commit_count, git, pass_gate, porcelain, start_run, subject, trailers,
                     write_outputs)

from runner import Repo, records, workspace


def _rec(run_id: str, *parts: str) -> str:
    return "/".join(("runs", run_id, "record", *parts))


def test_every_record_changing_command_makes_one_commit_of_exactly_its_files(essay_ws):
    root = essay_ws
    steps = []

    def step(args, code, expected_files, expected_subject, expected_trailers):
        before = commit_count(root)
        result = cli(*args, "--repo", root, check=code)
        assert commit_count(root) == before + 1, (args, result)
        steps.append(args[:2])
        assert changed_files(root) == sorted(expected_files), args
        assert subject(root) == expected_subject
        fields = trailers(root)
        for key, value in expected_trailers.items():
            assert fields.get(key) == value, (args, key, fields)
        assert fields["Actor"] == "Ada Tester <ada@example.org>"
        return result

    run_id = start_run(root)
    assert commit_count(root) == 1
    assert changed_files(root) == [_rec(run_id, "RUN.json")]
    assert subject(root) == f"runner: {run_id} start (essay)"
    assert trailers(root)["Run-Id"] == run_id and trailers(root)["Status"] == "QUEUED"

    run_json = [_rec(run_id, "RUN.json")]
    step(["gate", "start", "--run", run_id, "--gate", "G1", "--agent", "a"], 0, run_json,
         f"runner: {run_id} gate G1 attempt 1 start",
         {"Run-Id": run_id, "Gate": "G1", "Attempt": "1", "Status": "RUNNING"})
    before = commit_count(root)
    inv = cli("invocation", "record", "--repo", root, "--run", run_id, "--gate", "G1", "--agent", "a", "--json",
              check=0).json
    assert commit_count(root) == before + 1 and changed_files(root) == run_json
    assert subject(root) == f"runner: {run_id} gate G1 invocation {inv['id']} SUCCESS"
    assert trailers(root)["Gate"] == "G1" and trailers(root)["Attempt"] == "1"
    write_outputs(root, "G1")
    step(["gate", "finish", "--run", run_id, "--gate", "G1"], 0, run_json + [_rec(run_id, "gates/G1/attempt-1.json")],
         f"runner: {run_id} gate G1 attempt 1 PASS",
         {"Run-Id": run_id, "Gate": "G1", "Attempt": "1", "Status": "PASS"})
    step(["gate", "start", "--run", run_id, "--gate", "G2"], 0, run_json,
         f"runner: {run_id} gate G2 attempt 1 start", {"Gate": "G2", "Attempt": "1"})
    step(["gate", "fail", "--run", run_id, "--gate", "G2", "--reason", "sources are thin"], 1,
         run_json + [_rec(run_id, "gates/G2/attempt-1.json")],
         f"runner: {run_id} gate G2 attempt 1 FAIL", {"Gate": "G2", "Attempt": "1", "Status": "FAIL"})
    step(["gate", "start", "--run", run_id, "--gate", "G2"], 0, run_json,
         f"runner: {run_id} gate G2 attempt 2 start", {"Gate": "G2", "Attempt": "2", "Status": "RUNNING"})
    write_outputs(root, "G2")
    step(["gate", "finish", "--run", run_id, "--gate", "G2"], 0, run_json + [_rec(run_id, "gates/G2/attempt-2.json")],
         f"runner: {run_id} gate G2 attempt 2 PASS",
         {"Run-Id": run_id, "Gate": "G2", "Attempt": "2", "Status": "PASS"})
    step(["run", "complete", "--run", run_id, "--status", "CANCELED"], 0, run_json,
         f"runner: {run_id} complete CANCELED", {"Run-Id": run_id, "Status": "CANCELED"})

    # read-only commands and refusals commit nothing
    count = commit_count(root)
    cli("run", "show", "--repo", root, "--run", run_id, "--json", check=0)
    cli("run", "list", "--repo", root, "--json", check=0)
    cli("contracts", "validate", "--repo", root, check=0)
    assert cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G3").code == 4
    assert commit_count(root) == count

    # the record paths are clean in the user's view; nothing else was committed
    assert not [line for line in porcelain(root) if line[3:].startswith("runs/run_")]
    assert git(root, "ls-tree", "-r", "--name-only", "HEAD").split() == sorted(
        p.relative_to(root).as_posix() for p in (root / "runs" / run_id / "record").rglob("*.json"))


def test_trailers_are_parsed_by_git(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    out = git(essay_ws, "log", "-1", "--format=%(trailers:key=Run-Id,valueonly)%(trailers:key=Status,valueonly)")
    assert out.split() == [run_id, "PASS"]
    body = git(essay_ws, "log", "-1", "--format=%B")
    assert body.startswith(f"runner: {run_id} gate G1 attempt 1 PASS\n\n")


def test_author_is_the_actor(essay_ws):
    run_id = start_run(essay_ws, "--actor", "Grace Hopper <grace@example.org>")
    assert git(essay_ws, "log", "-1", "--format=%an <%ae>|%cn").strip() == "Grace Hopper <grace@example.org>|Grace Hopper"
    assert run_id in subject(essay_ws)


def test_staged_and_unstaged_user_changes_survive_20_record_commits(essay_ws_committed):
    root = essay_ws_committed
    (root / "notes.md").write_text("staged v1\n")
    git(root, "add", "notes.md")
    (root / "notes.md").write_text("staged v1\nunstaged v2\n")  # a further, unstaged edit
    readme = root / "contracts" / "G1.contract.json"
    readme.write_text(readme.read_text() + " ")  # an unstaged edit of a tracked file
    (root / "scratch.txt").write_text("untracked\n")
    staged_blob = git(root, "rev-parse", ":notes.md").strip()
    status_before = porcelain(root)
    assert "AM notes.md" in status_before

    run_id = start_run(root)
    base = commit_count(root)
    for i in range(10):  # 20 record commits: 10 starts + 10 fails
        cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
        cli("gate", "fail", "--repo", root, "--run", run_id, "--gate", "G1", "--reason", f"try {i}", check=1)
    assert commit_count(root) == base + 20

    assert porcelain(root) == status_before  # record paths clean, the user's state as it was
    assert git(root, "rev-parse", ":notes.md").strip() == staged_blob
    assert (root / "notes.md").read_text() == "staged v1\nunstaged v2\n"
    assert "notes.md" not in git(root, "log", "--name-only", "--format=", "HEAD~20..HEAD")
    assert "scratch.txt" not in git(root, "log", "--all", "--name-only", "--format=")
    # the user's own next commit contains their staged file and nothing of the runner's
    git(root, "commit", "-q", "-m", "user: notes")
    assert changed_files(root) == ["notes.md"]
    assert git(root, "show", "HEAD:notes.md") == "staged v1\n"


def test_user_hooks_do_not_run(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    marker = tmp_path / "hooks-ran"
    hooks = root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-commit", "commit-msg", "prepare-commit-msg", "post-commit", "reference-transaction",
                 "post-index-change", "pre-auto-gc"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> {marker}\nexit 1\n")
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    # the hooks are live: a user's own commit is refused by them
    import subprocess

    (root / "x").write_text("x")
    git(root, "add", "x")
    assert subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=root, capture_output=True).returncode != 0
    assert "pre-commit" in marker.read_text()
    git(root, "reset", "-q", "x")
    (root / "x").unlink()
    marker.unlink()

    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    assert not marker.exists(), marker.read_text()
    assert subject(root) == f"runner: {run_id} gate G1 attempt 1 PASS"


def test_hooks_path_config_is_ignored_too(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    marker = tmp_path / "ran"
    hooks = tmp_path / "my-hooks"
    hooks.mkdir()
    for name in ("pre-commit", "commit-msg", "reference-transaction", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\necho {name} >> {marker}\nexit 1\n")
        (hooks / name).chmod(0o755)
    git(root, "config", "core.hooksPath", str(hooks))
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    assert not marker.exists(), marker.read_text()


def test_a_repository_with_no_commit_yet(essay_ws):
    assert commit_count(essay_ws) == 0
    run_id = start_run(essay_ws)
    assert commit_count(essay_ws) == 1
    assert git(essay_ws, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(essay_ws, "rev-list", "--max-parents=0", "HEAD").strip() == git(essay_ws, "rev-parse", "HEAD").strip()
    assert changed_files(essay_ws) == [_rec(run_id, "RUN.json")]
    # the user's files are untracked still, and the record is clean
    status = porcelain(essay_ws)
    assert not [line for line in status if "runs/run_" in line]
    assert "?? runner.json" in status


def test_a_detached_head(essay_ws_committed):
    root = essay_ws_committed
    main_before = git(root, "rev-parse", "main").strip()
    git(root, "checkout", "-q", "--detach")
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    assert git(root, "rev-parse", "main").strip() == main_before  # the branch did not move
    head = git(root, "rev-parse", "HEAD").strip()
    assert head != main_before
    assert git(root, "rev-list", "--count", f"{main_before}..HEAD").strip() == "3"
    assert subject(root) == f"runner: {run_id} gate G1 attempt 1 PASS"
    assert (root / ".git" / "HEAD").read_text().strip() == head  # still detached


def test_a_branch_other_than_main(essay_ws_committed):
    root = essay_ws_committed
    git(root, "checkout", "-q", "-b", "feature")
    start_run(root)
    assert git(root, "rev-list", "--count", "main..feature").strip() == "1"


def test_logs_are_never_committed(essay_ws):
    run_id = start_run(essay_ws)
    logs = essay_ws / "runs" / run_id / "logs"
    logs.mkdir()
    (logs / "agent.stdout.log").write_text("noise\n")
    (logs / "packet.md").write_text("prompt\n")
    pass_gate(essay_ws, run_id, "G1")
    committed = git(essay_ws, "log", "--all", "--name-only", "--format=")
    assert "logs/" not in committed
    assert git(essay_ws, "check-ignore", f"runs/{run_id}/logs/agent.stdout.log").strip()
    assert not [line for line in porcelain(essay_ws) if "/logs/" in line]


def test_no_commit_flag_leaves_committing_to_the_user(essay_ws_committed):
    root = essay_ws_committed
    before = commit_count(root)
    run_id = start_run(root, "--no-commit")
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", "--no-commit", check=0)
    write_outputs(root, "G1")
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", "--no-commit", check=0)
    assert commit_count(root) == before
    status = porcelain(root)
    assert f"?? runs/{run_id}/record/RUN.json" in status
    assert f"?? runs/{run_id}/record/gates/G1/attempt-1.json" in status
    git(root, "add", "runs")
    git(root, "commit", "-q", "-m", "records, by hand")
    assert _rec(run_id, "gates/G1/attempt-1.json") in changed_files(root)


def test_config_commit_false(essay_ws_committed):
    root = essay_ws_committed
    config = json.loads((root / "runner.json").read_text())
    (root / "runner.json").write_text(json.dumps({**config, "commit": False}))
    before = commit_count(root)
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    assert commit_count(root) == before
    assert Repo(root).run(run_id).gate("G1").status == "PASS"


def test_a_users_commit_between_runner_commits_is_kept(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    (root / "user.txt").write_text("mine\n")
    git(root, "add", "user.txt")
    git(root, "commit", "-q", "-m", "user work")
    user_commit = git(root, "rev-parse", "HEAD").strip()
    pass_gate(root, run_id, "G1")
    assert git(root, "merge-base", "--is-ancestor", user_commit, "HEAD") == ""
    assert git(root, "show", "HEAD:user.txt") == "mine\n"


def test_worktree(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    wt = tmp_path / "wt"
    git(root, "worktree", "add", "-q", str(wt), "-b", "side")
    run_id = start_run(wt)
    pass_gate(wt, run_id, "G1")
    assert git(root, "rev-list", "--count", "main..side").strip() == "3"
    assert not [line for line in porcelain(wt) if "runs/run_" in line]


def test_paths_in_records_are_relative(essay_ws, tmp_path):
    root = essay_ws
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G2", check=0)
    write_outputs(root, "G2", incomplete=True)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G2", check=1)  # failing checks too
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G3", "--force", check=0)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G3", check=1)  # missing outputs
    cli("invocation", "record", "--repo", root, "--run", run_id, "--gate", "G3", "--agent", "a", check=0)
    files = records_of(root, run_id)
    assert len(files) == 4
    needles = {str(tmp_path), str(tmp_path.resolve()), str(root), str(root.resolve())}
    for path in files:
        text = path.read_text()
        for needle in needles:
            assert needle not in text, (path, needle)
        for value in _strings(json.loads(text)):
            assert not value.startswith("/"), (path, value)
    # and in the commit messages
    assert str(tmp_path) not in git(root, "log", "--format=%B")


def records_of(root, run_id):
    return sorted(p for p in (root / "runs" / run_id / "record").rglob("*.json"))


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def test_attempt_files_are_append_only_and_referenced_by_hash(essay_ws):
    import hashlib

    root = essay_ws
    ws = workspace.find(root)
    run_id = start_run(root)
    snapshots = {}
    for attempt in range(1, 4):
        cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
        if attempt < 3:
            cli("gate", "fail", "--repo", root, "--run", run_id, "--gate", "G1", "--reason", f"no {attempt}", check=1)
        else:
            write_outputs(root, "G1")
            cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
        path = records.attempt_file(ws, run_id, "G1", attempt)
        snapshots[path] = path.read_bytes()
        for earlier, content in snapshots.items():
            assert earlier.read_bytes() == content  # never rewritten
    run = records.load_run(ws, run_id)
    refs = run.gate("G1").attempts
    assert [(r.attempt, r.status) for r in refs] == [(1, "FAIL"), (2, "FAIL"), (3, "PASS")]
    for ref in refs:
        path = root / ref.file
        assert ref.file == _rec(run_id, f"gates/G1/attempt-{ref.attempt}.json")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ref.sha256
        assert records.load_attempt(ws, run_id, "G1", ref.attempt).finished_at == ref.finished_at
    for ref in refs:  # each attempt file was committed once, never modified by a later commit
        log = git(root, "log", "--format=%H", "--", ref.file).split()
        assert len(log) == 1


def test_an_existing_attempt_file_is_never_overwritten(essay_ws):
    """A stray attempt file (e.g. from a crash) is skipped, not replaced."""
    root = essay_ws
    ws = workspace.find(root)
    run_id = start_run(root)
    stray = records.attempt_file(ws, run_id, "G1", 1)
    stray.parent.mkdir(parents=True)
    stray.write_text('{"stray": true}\n')
    data = cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", "--json", check=0).json
    assert data["attempt"] == 2
    assert stray.read_text() == '{"stray": true}\n'


def test_event_chain(essay_ws):
    from runner.hashing import sha256_bytes
    from runner.jsonio import canonical_bytes
    from runner.models.base import to_data as dump

    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    run = Repo(essay_ws).run(run_id)
    assert [e.seq for e in run.events] == list(range(1, len(run.events) + 1))
    assert run.events[0].prev is None
    for prev, event in zip(run.events, run.events[1:]):
        assert event.prev == sha256_bytes(canonical_bytes(dump(prev)))


@pytest.mark.parametrize("gate_dir", ["G4.1"])
def test_gate_ids_with_dots(essay_ws, gate_dir):
    """Gate ids like G4.1 become directory names of the record."""
    contract = json.loads((essay_ws / "contracts/G1.contract.json").read_text())
    contract["gate"] = gate_dir
    (essay_ws / f"contracts/{gate_dir}.contract.json").write_text(json.dumps(contract))
    (essay_ws / "orchestration/workflows/dots.json").write_text(json.dumps({"workflow": "dots", "gates": [
        {"gate": gate_dir}]}))
    run_id = start_run(essay_ws, workflow="dots")
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", gate_dir, check=0)
    write_outputs(essay_ws, "G1")
    cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", gate_dir, check=0)
    assert changed_files(essay_ws) == sorted([_rec(run_id, "RUN.json"), _rec(run_id, f"gates/{gate_dir}/attempt-1.json")])
