"""Helpers shared by the check modules: reading a target, wording a failure."""

from __future__ import annotations

from pathlib import Path

from runner.checks.base import CheckContext, Outcome


def read(ctx: CheckContext, template: str) -> tuple[str, Path, str | None]:
    """(relative path, absolute path, text or None when the file does not exist)."""
    rel, absolute = ctx.path(template)
    return rel, absolute, ctx.read_text(absolute)


def missing(rel: str, what: str = "file") -> Outcome:
    return Outcome("FAIL", f"missing {what} {rel}", target=rel, details={"missing": rel})


def line_of(text: str, index: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, index) + 1


def short(text: str, limit: int = 80) -> str:
    """A quoted excerpt for a message, cut at `limit` characters."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def depth_note(ctx: CheckContext) -> str:
    return f"(depth {ctx.depth})"


def plural(count: int, word: str, suffix: str = "s") -> str:
    """`1 source`, `2 sources`."""
    return f"{count} {word}{'' if count == 1 else suffix}"
