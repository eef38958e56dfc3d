"""Shared options and the one renderer (table for people, --json for machines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import click

if TYPE_CHECKING:
    from runner.repo import Repo


def repo_option(fn: Callable) -> Callable:
    return click.option("--repo", type=click.Path(file_okay=False, path_type=Path),
                        help="Workspace (a git repository). Default: found from the current directory upward.")(fn)


def json_option(fn: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(fn)


def write_options(fn: Callable) -> Callable:
    """--repo, --actor, --no-commit, --offline: for every command that records something."""
    fn = click.option("--offline", is_flag=True, help="Skip network checks (recorded as SKIPPED, never PASS).")(fn)
    fn = click.option("--no-commit", is_flag=True, help="Write records but leave committing to you.")(fn)
    fn = click.option("--actor", help='Who acts, "Name <email>". Default: git user.name/user.email.')(fn)
    return repo_option(fn)


def open_repo(repo: Path | None, actor: str | None = None, no_commit: bool = False, offline: bool = False) -> Repo:
    """The workspace's front door, bound to the command's options."""
    from runner.repo import Repo

    return Repo(repo, actor=actor, commit=not no_commit, offline=offline, progress=progress_bar)


def emit_json(data: Any) -> None:
    """Records (Structs), dataclasses and builtins alike, as sorted, indented JSON."""
    import msgspec

    click.echo(json.dumps(msgspec.to_builtins(data), indent=2, sort_keys=True, ensure_ascii=False))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    # One write for the whole table: echo flushes on every call (10,000 rows, 10,000 writes).
    click.echo("\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells))


def err(message: str) -> None:
    click.echo(message, err=True)


def progress_bar(label: str, total: int) -> Callable[[int], None]:
    """A progress bar on stderr while hashing a large output."""
    if not sys.stderr.isatty():
        return lambda n: None
    state = {"done": 0}

    def update(n: int) -> None:
        state["done"] += n
        pct = state["done"] * 100 // max(total, 1)
        sys.stderr.write(f"\rhashing {label}: {pct:3d}% of {total / 1e6:.0f} MB")
        if state["done"] >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return update


def lines(items: Iterable[str]) -> None:
    for item in items:
        click.echo(item)

