"""Every directory runner.json names, and --artifact-path, lies in the work tree and
outside `.git` (any component `.git`, in any case): refused with one line, exit 4."""

from __future__ import annotations

import json

import pytest
from helpers import ART, cli, git

FIELDS = ("contracts_dir", "workflows_dir", "runs_dir", "prompts_dir", "operator_file")
GIT_PATHS = [".git", ".git/runs", ".GIT", "a/.Git/b", "./.git", ".git/", "sub/../.git/x"]


def _one_line_error(result, *words: str) -> None:
    assert result.code == 4, result
    lines = result.err.strip().splitlines()
    assert len(lines) <= 2 and lines[0].startswith("error: "), result  # the error, and its hint
    for word in words:
        assert word in result.err, result


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", GIT_PATHS)
def test_a_configured_directory_inside_git_is_refused(essay_ws, field, value):
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, field: value}))
    _one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s"),
                    field, ".git")
    assert not (essay_ws / ".git" / "runs").exists()


def test_a_configured_directory_that_links_into_git_is_refused(essay_ws):
    (essay_ws / "records").symlink_to(essay_ws / ".git", target_is_directory=True)
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, "runs_dir": "records"}))
    _one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s"), "runs_dir")


@pytest.mark.parametrize("value", [".git", ".git/objects", ".Git", "essays/.git", ".git/../.git"])
def test_an_artifact_path_inside_git_is_refused(essay_ws, value):
    _one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s",
                        "--artifact-path", value), "--artifact-path", ".git")
    _one_line_error(cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s",
                        "--artifact-path", str(essay_ws / value)), ".git")
    assert not list((essay_ws / "runs").glob("run_*"))


def test_names_that_only_resemble_git_are_accepted(essay_ws):
    for value in ("essays/.github", "essays/git", "essays/.gitkeep-dir", "essays/x.git"):
        cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s", "--artifact-path", value,
            check=0)
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, "runs_dir": "records/.github-runs"}))
    cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s", "--artifact-path", ART, check=0)
    assert git(essay_ws, "status", "--porcelain")  # the records are in the work tree
