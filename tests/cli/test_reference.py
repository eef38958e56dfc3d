"""docs/cli.md is generated from --help; it must not drift from the commands."""

from pathlib import Path

from cli_commands import commands

from runner.cli.reference import generate

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_command_reference_matches_the_help():
    assert DOC.read_text() == generate(), "regenerate it: python -m runner.cli.reference > docs/cli.md"


def test_every_command_is_in_the_reference():
    text = DOC.read_text()
    for words in commands():
        assert f"## `runner {' '.join(words)}`" in text, words
