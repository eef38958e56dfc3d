"""`runner --help`, version, and usage errors (exit 2)."""

from __future__ import annotations

import click
import pytest
from cli_commands import commands, flags, leaves
from helpers import cli, runner_proc

from runner.errors import EXIT_CODES

TOP_LEVEL = [words[0] for words in commands() if len(words) == 1]


def _exit_table_is_in(text: str) -> None:
    assert "Exit codes" in text
    for code, meaning in EXIT_CODES.items():
        assert any(line.split()[:1] == [str(code)] for line in text.splitlines()), f"exit code {code} missing"
        assert meaning.split()[0] in text


@pytest.mark.slow
def test_help_of_the_installed_command_lists_the_exit_codes(tmp_path):
    result = runner_proc("--help", cwd=tmp_path, check=0)
    _exit_table_is_in(result.out)
    for command in TOP_LEVEL:
        assert command in result.out
    assert result.err == ""


def test_help_in_process_lists_every_command_and_exit_code():
    result = cli("--help", check=0)
    _exit_table_is_in(result.out)
    for command in TOP_LEVEL:
        assert f"  {command}" in result.out


@pytest.mark.parametrize("words", list(commands()), ids=" ".join)
def test_every_command_has_help(words):
    result = cli(*words, "--help", check=0)
    assert "Usage:" in result.out and words[-1] in result.out


def _works_on_files(command: click.Command) -> bool:
    """Its positional arguments name the files it works on (`init PATH`, `render JOB`,
    `qc import-policy SRC DST`) and it records nothing (no --actor): it needs no workspace."""
    arguments = [param for param in command.params if isinstance(param, click.Argument)]
    return bool(arguments) and all(isinstance(a.type, click.Path) for a in arguments) and "--actor" not in flags(command)


@pytest.mark.parametrize("words", [words for words, command in leaves().items() if not _works_on_files(command)],
                         ids=" ".join)
def test_every_read_or_write_command_takes_json_and_repo(words):
    """Every command but the few on files named as arguments works on a workspace: it
    takes --repo to name one, and --json for machines."""
    text = cli(*words, "--help", check=0).out
    assert "--json" in text and "--repo" in text


def test_version():
    from runner import __version__

    assert __version__ in cli("--version", check=0).out


@pytest.mark.parametrize("args", [
    ["no-such-command"],
    ["gate", "bogus"],
    ["gate", "start", "--run", "r"],  # --gate missing
    ["gate", "finish", "--gate", "G1"],  # --run missing
    ["run", "start", "--slug", "s", "--workflow", "w", "--depth", "huge"],
    ["run", "complete", "--run", "r", "--status", "BOGUS"],
    ["invocation", "record", "--run", "r", "--gate", "G1", "--agent", "a", "--status", "MAYBE"],
    ["gate", "start", "--run", "r", "--gate", "G1", "--no-such-flag"],
])
def test_usage_errors_exit_2(args, essay_ws):
    result = cli(*args, "--repo", essay_ws)
    assert result.code == 2, result
    assert "Usage" in result.err or "Error" in result.err
    assert result.out == ""


def test_complete_with_a_bogus_status_is_a_usage_error_and_changes_nothing(essay_ws):
    from helpers import commit_count, start_run

    run_id = start_run(essay_ws)
    before = (essay_ws / "runs" / run_id / "record" / "RUN.json").read_bytes()
    commits = commit_count(essay_ws)
    result = cli("run", "complete", "--repo", essay_ws, "--run", run_id, "--status", "BOGUS")
    assert result.code == 2, result
    assert "BOGUS" in result.err
    assert (essay_ws / "runs" / run_id / "record" / "RUN.json").read_bytes() == before
    assert commit_count(essay_ws) == commits


def test_invalid_slug_is_a_usage_error(essay_ws):
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "../up")
    assert result.code == 2, result
    assert "slug" in result.err
    assert not (essay_ws / "runs").exists() or not any(p.name.startswith("run_") for p in (essay_ws / "runs").iterdir())
