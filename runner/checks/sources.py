"""Source counting in a markdown file: min_sources, min_sources_any_of.

Their heuristic (`count_source_headings_or_urls`): the largest of four counts, so a
file that lists sources as headings, as links, as `- **Source**:` entries or as plain
bullets is counted fairly."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import depth_note, missing, plural, read

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import MinSources, MinSourcesAnyOf

HEADING = re.compile(r"^###[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
GENERIC = re.compile(
    r"(primary|secondary|tertiary|tier\s*\d|notes|references|bibliography|sources|overview)",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+")
ENTRY = re.compile(r"^[ \t]*[-*][ \t]+\*\*(?:URL|Source|Reference)(?:\*\*:|:\*\*)", re.MULTILINE)
BULLET = re.compile(r"^[-*][ \t]+(.*\S)", re.MULTILINE)


def count_sources(text: str) -> dict[str, int]:
    """Each heuristic's count; the verdict uses the largest."""
    headings = [h for h in HEADING.findall(text) if not GENERIC.match(h.strip())]
    urls = {u.rstrip(".,;:!?") for u in URL.findall(text)}
    return {
        "headings": len(headings),
        "urls": len(urls),
        "source_entries": len(ENTRY.findall(text)),
        "bullets": sum(1 for b in BULLET.findall(text) if len(b.strip()) > 10),
    }


def _verdict(ctx: CheckContext, rel: str, counts: dict[str, int], need: int, **extra) -> Outcome:
    found = max(counts.values())
    details = {"count": found, "need": need, "counts": counts, **extra}
    summary = f"found {plural(found, 'source')} in {rel}"
    if found < need:
        return Outcome("FAIL", f"{summary}, need {need} {depth_note(ctx)}", rel, details)
    return Outcome("PASS", f"{summary} (need {need})", rel, details)


def check_min_sources(spec: MinSources, ctx: CheckContext) -> Outcome:
    need = ctx.threshold(spec.thresholds)
    rel, _, text = read(ctx, spec.target)
    if text is None:
        return missing(rel)
    return _verdict(ctx, rel, count_sources(text), need)


def check_min_sources_any_of(spec: MinSourcesAnyOf, ctx: CheckContext) -> Outcome:
    need = ctx.threshold(spec.thresholds)
    best: tuple[str, dict[str, int]] | None = None
    per_file: dict[str, int] = {}
    for template in spec.targets:
        rel, _, text = read(ctx, template)
        if text is None:
            continue
        counts = count_sources(text)
        per_file[rel] = max(counts.values())
        if best is None or per_file[rel] > max(best[1].values()):
            best = (rel, counts)
    if best is None:
        paths = ", ".join(ctx.path(t)[0] for t in spec.targets)
        return Outcome("FAIL", f"missing file: none of {paths} exists", details={"missing": paths})
    return _verdict(ctx, best[0], best[1], need, per_file=per_file)
