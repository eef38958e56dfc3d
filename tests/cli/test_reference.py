"""docs/cli.md is generated from --help; it must not drift from the commands."""

from pathlib import Path

from runner.cli.reference import generate

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_command_reference_matches_the_help():
    assert DOC.read_text() == generate(), "regenerate it: python -m runner.cli.reference > docs/cli.md"


def test_every_command_is_in_the_reference():
    text = DOC.read_text()
    for command in ("runner run start", "runner gate approve", "runner verify", "runner doctor", "runner qc",
                    "runner recast reingest", "runner handoff register", "runner tick", "runner inbox"):
        assert f"## `{command}`" in text, command
