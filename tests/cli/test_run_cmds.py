"""`runner run start|list|show|complete`: --json output, and the state on disk read back
through the library."""

from __future__ import annotations

import re

import pytest
from helpers import ART, SLUG, cli, commit_count, make_repo, pass_gate, runner_proc, start_run, subject

from runner import Repo, records, workspace
from runner.models.base import to_data as dump

RUN_ID = re.compile(r"^run_\d{8}T\d{6}Z_robot_[0-9a-z]{6}$")


def _run(root, run_id):
    return Repo(root).run(run_id)


def test_run_start_json_and_record(essay_ws):
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG,
                 "--artifact-path", ART, "--depth", "quick", "--json", check=0)
    data = result.json
    assert RUN_ID.match(data["run_id"])
    run = _run(essay_ws, data["run_id"])
    assert dump(run) == data
    assert run.status == "QUEUED" and run.depth == "quick"
    assert run.workflow.name == "essay" and run.workflow.slug == SLUG and run.workflow.artifact_path == ART
    assert run.workflow.path == "orchestration/workflows/essay.json" and len(run.workflow.sha256) == 64
    assert [g.gate for g in run.gates] == ["G1", "G2", "G3"]
    assert all(g.status == "PENDING" and g.blocking for g in run.gates)
    assert run.created_by.name == "Ada Tester" and run.created_by.email == "ada@example.org"
    assert run.runner_version and run.schema_version == 1
    assert [e.type for e in run.events] == ["run_started"]
    assert subject(essay_ws) == f"runner: {run.run_id} start (essay)"


def test_run_start_plain_output_is_the_run_id(essay_ws):
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG,
                 "--artifact-path", ART, check=0)
    assert RUN_ID.match(result.out.strip())


def test_run_start_with_prompt_and_actor(essay_ws, tmp_path):
    prompt = tmp_path / "prompt.md"
    prompt.write_text("Write about the word robot.\n")
    data = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART,
               "--prompt-file", prompt,
               "--actor", "Grace Hopper <grace@example.org>", "--json", check=0).json
    run = _run(essay_ws, data["run_id"])
    assert run.prompt == "Write about the word robot.\n"
    assert (run.created_by.name, run.created_by.email) == ("Grace Hopper", "grace@example.org")


def test_run_start_by_workflow_path(essay_ws):
    data = cli("run", "start", "--repo", essay_ws, "--workflow", "orchestration/workflows/essay.json",
               "--slug", SLUG, "--artifact-path", ART, "--json", check=0).json
    assert data["workflow"]["name"] == "essay"


def test_yaml_workflow(essay_ws):
    (essay_ws / "orchestration" / "workflows" / "short.yaml").write_text(
        "workflow: short\nversion: '2'\ngates:\n  - gate: G1\n    contract: contracts/G1.contract.json\n")
    data = cli("run", "start", "--repo", essay_ws, "--workflow", "short", "--slug", SLUG, "--artifact-path", ART,
               "--json", check=0).json
    assert data["workflow"]["name"] == "short" and [g["gate"] for g in data["gates"]] == ["G1"]


def test_unknown_workflow_is_exit_4_with_the_known_ones(essay_ws):
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "nope", "--slug", SLUG)
    assert result.code == 4, result
    assert "nope" in result.err and "essay" in result.err


def test_run_list_json(essay_ws):
    first = start_run(essay_ws)
    second = start_run(essay_ws, slug="other")
    pass_gate(essay_ws, first, "G1")
    listed = cli("run", "list", "--repo", essay_ws, "--json", check=0).json
    by_id = {r["run_id"]: r for r in listed}
    assert set(by_id) == {first, second}
    assert by_id[first]["status"] == "RUNNING" and by_id[first]["gates_passed"] == 1
    assert by_id[first]["gates_total"] == 3 and by_id[first]["workflow"] == "essay"
    assert by_id[second]["status"] == "QUEUED" and by_id[second]["slug"] == "other"
    only = cli("run", "list", "--repo", essay_ws, "--status", "QUEUED", "--json", check=0).json
    assert [r["run_id"] for r in only] == [second]
    table = cli("run", "list", "--repo", essay_ws, check=0).out
    assert first in table and second in table and "STATUS" in table


def test_run_list_of_an_empty_workspace(essay_ws):
    assert cli("run", "list", "--repo", essay_ws, "--json", check=0).json == []


def test_run_show_json_and_table(essay_ws):
    run_id = start_run(essay_ws)
    data = cli("run", "show", "--repo", essay_ws, "--run", run_id, "--json", check=0).json
    assert data == dump(_run(essay_ws, run_id))
    text = cli("run", "show", "--repo", essay_ws, "--run", run_id, check=0).out
    assert run_id in text and "G1" in text and "G3" in text


def test_run_show_unknown_run_is_exit_4(essay_ws):
    result = cli("run", "show", "--repo", essay_ws, "--run", "run_20260101T000000Z_x_abcdef")
    assert result.code == 4 and "no run" in result.err, result


def test_run_complete_passed(essay_ws):
    run_id = start_run(essay_ws)
    for gate in ("G1", "G2", "G3"):
        pass_gate(essay_ws, run_id, gate)
    data = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--json", check=0).json
    assert data["status"] == "PASSED" and data["finished_at"]
    run = _run(essay_ws, run_id)
    assert run.status == "PASSED" and run.events[-1].type == "run_completed"
    assert subject(essay_ws) == f"runner: {run_id} complete PASSED"


def test_run_complete_default_is_failed_when_gates_did_not_pass(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    data = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--json", check=0).json
    assert data["status"] == "FAILED"


@pytest.mark.parametrize("status", ["FAILED", "CANCELED"])
def test_run_complete_with_a_status(essay_ws, status):
    run_id = start_run(essay_ws)
    cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--status", status, "--reason", "enough", check=0)
    run = _run(essay_ws, run_id)
    assert run.status == status
    assert run.events[-1].data.get("reason") == "enough"


def test_run_complete_passed_with_unpassed_gates_is_refused(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    before = records.run_file(workspace.find(essay_ws), run_id).read_bytes()
    commits = commit_count(essay_ws)
    result = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--status", "PASSED")
    assert result.code == 4, result
    assert "G2" in result.err and "G3" in result.err
    assert records.run_file(workspace.find(essay_ws), run_id).read_bytes() == before
    assert commit_count(essay_ws) == commits


def test_a_passed_run_cannot_be_completed_again_or_restarted(essay_ws):
    run_id = start_run(essay_ws)
    for gate in ("G1", "G2", "G3"):
        pass_gate(essay_ws, run_id, gate)
    cli("run", "complete", "--repo", essay_ws, "--run", run_id, check=0)
    again = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--status", "CANCELED")
    assert again.code == 4 and "already completed (PASSED)" in again.err, again
    restart = cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1")
    assert restart.code == 4 and "PASSED" in restart.err, restart


def test_artifact_path_outside_the_workspace_is_exit_4(essay_ws):
    for bad in ("../x", "essays/../../x", "/tmp/x"):
        result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG, "--artifact-path", bad)
        assert result.code == 4, result
        assert "--artifact-path" in result.err
    assert cli("run", "list", "--repo", essay_ws, "--json", check=0).json == []


@pytest.mark.parametrize("given", ["essays/./robot/", "{root}/essays/robot"])
def test_artifact_path_is_recorded_relative(essay_ws, given):
    data = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG,
               "--artifact-path", given.format(root=essay_ws), "--json", check=0).json
    assert data["workflow"]["artifact_path"] == "essays/robot"


@pytest.mark.slow
def test_repo_option_from_another_directory(essay_ws, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    started = runner_proc("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG,
                          "--artifact-path", ART, "--json", cwd=elsewhere, check=0)
    run_id = started.json["run_id"]
    monkeypatch.chdir(elsewhere)
    listed = cli("run", "list", "--repo", essay_ws, "--json", check=0).json
    assert [r["run_id"] for r in listed] == [run_id]
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    assert list(elsewhere.iterdir()) == []
    assert (essay_ws / "runs" / run_id / "record" / "RUN.json").is_file()


def test_workspace_is_found_from_a_subdirectory(essay_ws, monkeypatch):
    sub = essay_ws / "essays" / "robot"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    run_id = cli("run", "start", "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART,
                 "--json", check=0).json["run_id"]
    assert (essay_ws / "runs" / run_id / "record" / "RUN.json").is_file()
    assert [r["run_id"] for r in cli("run", "list", "--json", check=0).json] == [run_id]


@pytest.mark.slow
def test_not_a_git_repository_is_exit_4(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = runner_proc("run", "list", cwd=plain)
    assert result.code == 4 and "not inside a git repository" in result.err, result
    monkeypatch.chdir(plain)
    for args in (["run", "start", "--workflow", "essay", "--slug", "s"], ["contracts", "validate"],
                 ["gate", "start", "--run", "r", "--gate", "G1"]):
        result = cli(*args)
        assert result.code == 4, result
        assert "not inside a git repository" in result.err


def test_repo_that_is_not_a_git_repository_is_exit_4(tmp_path):
    (tmp_path / "plain").mkdir()
    result = cli("run", "list", "--repo", tmp_path / "plain")
    assert result.code == 4 and "git" in result.err, result
    result = cli("run", "list", "--repo", tmp_path / "missing")
    assert result.code == 4 and "no such directory" in result.err, result


def test_no_identity_is_exit_4_unless_actor_is_given(tmp_path):
    root = make_repo(tmp_path / "anon")
    from helpers import git, install_essay

    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    install_essay(root)
    result = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART)
    assert result.code == 4 and "user.name" in result.err, result
    cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART,
        "--actor", "Bot", check=0)
