"""Helpers shared by the check modules: reading a target, wording a failure."""

from __future__ import annotations

from pathlib import Path

from runner.checks.base import CheckContext, Outcome


def read(ctx: CheckContext, template: str) -> tuple[str, Path, str | None]:
    """(relative path, absolute path, text or None when the file does not exist)."""
    rel, absolute = ctx.path(template)
    return rel, absolute, ctx.read_text(absolute)


def read_repointed(ctx: CheckContext, template: str) -> tuple[str, Path, str | None, dict]:
    """Like read, with their rule for a single-file target that does not exist: it is
    re-pointed to the first existing `any_of` output of the contract (a report may live
    at either any_of location). The original does this for not_contains, contains_text,
    frontmatter_status, regex_match, min_regex_count, url_reachable and the
    implementation target of viz_tech_match; the last item of the tuple is the details
    to record ({"repointed_from": target} when it was re-pointed)."""
    rel, absolute, details = locate_repointed(ctx, template)
    return rel, absolute, ctx.read_text(absolute), details


def locate_repointed(ctx: CheckContext, template: str) -> tuple[str, Path, dict]:
    """The file read_repointed would read, without reading it: (relative path, absolute
    path, details); the absolute path is not a regular file when nothing was found."""
    rel, absolute = ctx.path(template)
    if absolute.is_file():
        return rel, absolute, {}
    for output in ctx.outputs_of("any_of"):
        other_rel, other_abs = ctx.path(output.path)
        if other_abs.is_file():
            return other_rel, other_abs, {"repointed_from": rel}
    return rel, absolute, {}


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
