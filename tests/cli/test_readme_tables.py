"""The README's command table and exit-code table say what the code does: every command
is in the table, every command and flag of the table exists, and the exit codes are
runner.errors.EXIT_CODES."""

from __future__ import annotations

import re
from pathlib import Path

import click
from cli_commands import flags, leaves

from runner.cli.main import cli
from runner.errors import EXIT_CODES

README = Path(__file__).resolve().parents[2] / "README.md"


def _table(section: str) -> list[list[str]]:
    """The cells of the body rows of the first table under `## section`."""
    text = README.read_text().split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows[2:]]


def _resolve(usage: str) -> list[tuple[tuple[str, ...], click.Command]]:
    """The commands a row's usage names (`runner gate approve\\|reject ...` names two); a
    placeholder after a group (`runner run WORKFLOW`) is the group's command for it."""
    tokens = usage.strip("`").replace("\\|", "|").split()
    assert tokens[0] == "runner", usage
    found = [((), cli)]
    for token in tokens[1:]:
        group = found[0][1]
        if not isinstance(group, click.Group):
            break
        ctx = click.Context(group)
        if re.fullmatch(r"[A-Z][A-Z_]*", token):  # an argument the group reads as a command name
            return [((*words, token), group.get_command(ctx, token)) for words, _ in found]
        names = token.split("|")
        missing = [name for name in names if name not in group.list_commands(ctx)]
        assert not missing, f"{usage}: no command {missing} in `{' '.join(('runner', *found[0][0]))}`"
        found = [((*found[0][0], name), group.get_command(ctx, name)) for name in names]
    assert not isinstance(found[0][1], click.Group), f"{usage}: names a group, not a command"
    return found


def test_every_command_is_in_the_command_table_and_every_row_is_a_command():
    named = {words for usage, _ in _table("Commands") for words, _ in _resolve(usage)}
    missing = [" ".join(words) for words in leaves() if words not in named]
    assert not missing, f"commands missing from the README's table: {missing}"


def test_every_flag_of_the_command_table_exists():
    for row in _table("Commands"):
        shown = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(row)))
        for words, command in _resolve(row[0]):
            unknown = shown - flags(command)
            assert not unknown, f"runner {' '.join(words)} has no {sorted(unknown)} (README: {row[0]})"


def test_the_exit_code_table_is_the_code():
    table = {int(code): meaning for code, meaning in _table("Exit codes")}
    assert sorted(table) == sorted(EXIT_CODES)
    for code, meaning in EXIT_CODES.items():
        assert table[code].split()[:3] == meaning.split()[:3], (code, table[code], meaning)


# Flags the README names once for every command (the paragraph after the table), and -h.
SHARED = {"--json", "--repo", "--actor", "--no-commit", "--offline", "--help", "-h"}


def test_every_flag_of_a_command_is_in_its_row():
    """The other way round: a flag added to a command is added to its README row too. The
    options of the typed patches are docs/patches.md's table, named by `--patch-type TYPE ...`."""
    from runner.patches.catalog import OPTIONS

    typed = {f"--{name.replace('_', '-')}" for names in OPTIONS.values() for name in names}
    for row in _table("Commands"):
        shown = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(row)))
        for words, command in _resolve(row[0]):
            unshown = flags(command) - shown - SHARED - (typed if "--patch-type" in shown else set())
            assert not unshown, f"README's row for runner {' '.join(words)} lacks {sorted(unshown)}"


def test_the_readme_links_every_page_of_docs():
    text = README.read_text()
    pages = sorted(p.name for p in (README.parent / "docs").glob("*.md"))
    unlinked = [p for p in pages if f"(docs/{p})" not in text]
    assert pages and not unlinked, f"README.md links no {unlinked}"
