"""`--run`, `--since` (CI on a pull request), `--json`, the table, and the exit codes."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import ART, cli, git, runner_proc
from verify_helpers import findings, finish_run, record, verify


def tamper(root, run_id) -> None:
    """An old run's attempt edited and committed with plain git."""
    path = record(root, run_id, "gates/G2/attempt-1.json")
    path.write_text(path.read_text().replace('"agent": "writer"', '"agent": "nobody"'))
    git(root, "commit", "-q", "-am", "user: edit")


def test_since_checks_only_the_runs_touched_after_the_revision(done):
    root, old = done
    tamper(root, old)
    base = git(root, "rev-parse", "HEAD").strip()
    new = finish_run(root, art="essays/cat", slug="cat")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: the cat essay")
    assert {f["run_id"] for f in findings(verify(root, check=1))} == {old}
    result = verify(root, "--since", base, check=0)
    assert result.json["runs"] == [new]
    assert result.json["scope"] == {"run": None, "since": base, "shallow_from": None}
    assert {a["run_id"] for a in result.json["artifacts"]} == {new}
    assert verify(root, "--since", "HEAD", check=0).json["runs"] == []  # nothing touched since


def test_since_includes_uncommitted_changes(done):
    root, run_id = done
    path = record(root, run_id, "gates/G3/attempt-1.json")
    path.write_text(path.read_text().replace('"agent": "writer"', '"agent": "nobody"'))
    result = verify(root, "--since", "HEAD", check=1)
    assert result.json["runs"] == [run_id]
    assert {f["code"] for f in findings(result)} == {"uncommitted", "ref-mismatch"}


def test_since_an_unknown_revision_is_exit_4_with_one_line(done):
    root, _ = done
    result = cli("verify", "--repo", root, "--since", "no-such-branch")
    assert result.code == 4
    assert result.err.splitlines() == ["error: unknown revision 'no-such-branch'",  # and its hint, as every error
                                       "  hint: fetch it first; in CI: actions/checkout with fetch-depth: 0"]
    assert cli("verify", "--repo", root, "--since", "--all").code == 4  # never taken as an option of git


def test_run_limits_the_check_to_one_run(done):
    root, old = done
    tamper(root, old)
    new = finish_run(root, art="essays/cat", slug="cat")
    result = verify(root, "--run", new, check=0)
    assert result.json["runs"] == [new]
    assert {f["code"] for f in findings(verify(root, "--run", old, check=1))} >= {"modified"}
    assert cli("verify", "--repo", root, "--run", "run_nope").code == 4
    assert cli("verify", "--repo", root, "--run", "../x").code == 2


def test_json_shape(done):
    root, run_id = done
    (root / "essays/robot/SPEC.md").unlink()
    report = verify(root, check=1).json
    assert set(report) == {"ok", "scope", "runs", "counts", "findings", "artifacts"}
    assert report["ok"] is False
    assert set(report["counts"]) == {"runs", "records", "commits", "artifacts", "findings"}
    assert set(report["findings"][0]) == {"code", "file", "field", "commit", "message", "run_id"}
    assert set(report["artifacts"][0]) == {"run_id", "gate", "attempt", "path", "status", "recorded", "current"}
    assert report["counts"]["findings"] == len(report["findings"]) == 1


def test_the_table_and_the_summary(done):
    root, run_id = done
    ok = cli("verify", "--repo", root, check=0)
    assert ok.out == ""
    assert ok.err.startswith("verified 1 run(s): 5 record(s), 9 commit(s), 5 artifact(s)")
    (root / "essays/robot/SPEC.md").unlink()
    bad = cli("verify", "--repo", root, check=1)
    header, row = bad.out.splitlines()
    assert header.split() == ["CODE", "FILE", "FIELD", "COMMIT", "MESSAGE"]
    assert row.split()[:3] == ["artifact-missing", f"runs/{run_id}/record/gates/G3/attempt-1.json", "artifacts[0]"]
    assert bad.err.rstrip().endswith("1 finding(s)")


def test_the_installed_command(done):
    root, run_id = done
    result = runner_proc("verify", "--json", cwd=root, check=0)
    assert json.loads(result.out)["runs"] == [run_id]


def test_an_empty_workspace_verifies(ws_root):
    verify(ws_root, check=0)
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "init")
    assert verify(ws_root, check=0).json["runs"] == []


def test_since_finds_a_change_to_an_old_run_made_after_the_revision(done):
    """The base is trusted as checked; a commit after it that edits a record it held is found."""
    root, run_id = done
    base = git(root, "rev-parse", "HEAD").strip()
    tamper(root, run_id)
    sha = git(root, "rev-parse", "HEAD").strip()
    result = verify(root, "--since", base, check=1)
    assert result.json["runs"] == [run_id]
    assert result.json["counts"]["commits"] == 1  # only the commit after the base was read
    [modified] = findings(result, "modified")
    assert modified["message"] == (f"changed by commit {sha[:12]} after the base revision added it "
                                   "(attempt and decision files are append-only)")
    assert {f["code"] for f in findings(result)} == {"modified", "not-runner-commit", "ref-mismatch"}


def test_since_a_base_that_moved_on_starts_from_the_fork_point(done):
    """CI compares a branch with a main that has new commits of its own."""
    root, _ = done
    fork = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    new = finish_run(root, art="essays/cat", slug="cat")
    git(root, "checkout", "-q", "main")
    (root / "elsewhere.md").write_text("main moved on\n")
    git(root, "add", "elsewhere.md")
    git(root, "commit", "-q", "-m", "user: main moved on")
    git(root, "checkout", "-q", "feature")
    assert git(root, "merge-base", "main", "HEAD").strip() == fork
    result = verify(root, "--since", "main", check=0)
    assert result.json["runs"] == [new]


def test_since_includes_runs_whose_outputs_changed(done):
    """A commit after the base that edits an output of an old run, without a new attempt."""
    root, run_id = done
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "essays/robot/research/CITATIONS.md").write_text("# Citations\n- rewritten\n")
    (root / "essays/robot/SPEC.md").write_text("# Spec for robot, shortened\n")
    git(root, "commit", "-q", "-am", "user: edit the essay")
    result = verify(root, "--since", base, check=1)
    assert result.json["runs"] == [run_id]
    assert {(f["code"], f["file"].split("/")[-2]) for f in findings(result)} == \
        {("artifact-changed", "G3"), ("artifact-changed", "G2")}
    git(root, "reset", "-q", "--hard", base)
    (root / "essays/robot/SPEC.md").write_text("# uncommitted edit\n")  # the work tree counts too (pre-commit)
    assert verify(root, "--since", "HEAD", check=1).json["runs"] == [run_id]
    git(root, "checkout", "-q", "--", "essays")
    (root / "untracked.md").write_text("not an output\n")
    assert verify(root, "--since", "HEAD", check=0).json["runs"] == []


def test_since_includes_a_run_never_committed(done):
    root, _ = done
    run_id = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "cat", "--no-commit",
                 "--artifact-path", ART, "--json", check=0).json["run_id"]
    result = verify(root, "--since", "HEAD", check=1)
    assert result.json["runs"] == [run_id]
    assert [(f["code"], f["message"]) for f in findings(result)] == [("uncommitted", "not committed")]


@pytest.mark.parametrize("depth", ["1", "3"])
def test_a_shallow_clone_takes_its_oldest_commit_as_the_base(tmp_path, done, depth):
    """CI often clones with a limited depth: the commit at the edge holds a snapshot,
    not a change by a user, so it is a trusted base (as with --since), not a finding."""
    root, run_id = done
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", depth, f"file://{root}", str(clone)], check=True)
    assert (clone / ".git" / "shallow").is_file()
    incomplete = verify(clone)
    assert incomplete.code == 1 and [f["code"] for f in findings(incomplete)] == ["shallow"]
    assert "git fetch --unshallow" in findings(incomplete)[0]["message"]
    result = verify(clone, "--allow-shallow")
    assert result.code == 0, result.out + result.err
    assert result.json["scope"]["shallow_from"] and "a shallow clone, checked from" in result.err
    hand_edit = clone / "runs" / run_id / "record" / "gates" / "G1" / "attempt-1.json"
    hand_edit.write_text(hand_edit.read_text().replace('"PASS"', '"FAIL"', 1))
    git(clone, "-c", "user.name=Eve", "-c", "user.email=eve@example.org", "commit", "-qam", "edit by hand")
    tampered = verify(clone, "--allow-shallow")
    assert tampered.code == 1 and "shallow" not in [f["code"] for f in findings(tampered)]
