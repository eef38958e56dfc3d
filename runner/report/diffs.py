"""A decision's patch as unified diffs, one per file it changes.

While a file still holds the bytes the decision saw (the patch is not applied yet), the
diff is computed from those bytes and the patch planned again in memory (nothing is
written). Once applied, the bytes before are gone (outputs are not committed), so the
diff is the patch's own lines: what it removes and what it adds."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from runner.hashing import sha256_file
from runner.models.decision import Decision
from runner.models.report import PatchDiff

MAX_LINES = 400  # a diff longer than this is cut, and says so


def decision_diffs(root: Path, decision: Decision) -> list[PatchDiff]:
    if decision.patch is None:
        return []
    return [_file_diff(root, decision, item) for item in decision.patched_files]


def _file_diff(root: Path, decision: Decision, item: Any) -> PatchDiff:
    diff = _from_bytes(root, decision, item)
    source = "bytes" if diff is not None else "patch"
    if diff is None:
        diff = _from_patch(decision.patch, item.path)
    return PatchDiff(path=item.path, sha256_before=item.sha256_before, sha256_after=item.sha256_after,
                     source=source, diff=_cut(diff))


def _from_bytes(root: Path, decision: Decision, item: Any) -> str | None:
    from runner import patches

    path = root / item.path
    try:
        if not path.is_file() or sha256_file(path) != item.sha256_before:
            return None
        planned = patches.plan(root, decision.patch, [item.path], item.path)
    except (OSError, patches.PatchError):
        return None
    after = next((p for p in planned if p.path == item.path), None)
    if after is None or after.sha256_after != item.sha256_after:
        return None
    before = path.read_bytes()
    if b"\0" in before or b"\0" in after.content:  # not text (an audio file): the patch says more
        return None
    before_text, after_text = before.decode("utf-8", errors="replace"), after.content.decode("utf-8", errors="replace")
    return "".join(difflib.unified_diff(before_text.splitlines(keepends=True), after_text.splitlines(keepends=True),
                                        f"a/{item.path}", f"b/{item.path}"))


def _from_patch(patch: Any, path: str) -> str:
    """The patch's own change, in diff notation."""
    lines = [f"--- a/{path}", f"+++ b/{path}"]
    kind = patch.get("type") if isinstance(patch, dict) else "json_patch"
    operations = patch.get("operations", []) if isinstance(patch, dict) else patch
    if kind == "json_patch":
        for op in operations:
            lines.append(f"@@ {op.get('op')} {op.get('path')}" + (f" from {op['from']}" if "from" in op else "") + " @@")
            if "value" in op:
                sign = " " if op.get("op") == "test" else "+"
                lines += [sign + line for line in json.dumps(op["value"], indent=2, ensure_ascii=False).splitlines()]
    elif kind == "text_replace":
        for item in patch.get("replacements", []):
            lines.append("@@ text_replace @@")
            lines += ["-" + line for line in str(item.get("old", "")).splitlines()]
            lines += ["+" + line for line in str(item.get("new", "")).splitlines()]
    else:
        lines.append(f"@@ {kind} @@")
        rest = {k: v for k, v in patch.items() if k not in ("type", "target")}
        lines += ["+" + line for line in json.dumps(rest, indent=2, ensure_ascii=False).splitlines()]
    return "\n".join(lines) + "\n"


def _cut(diff: str) -> str:
    lines = diff.splitlines(keepends=True)
    if len(lines) <= MAX_LINES:
        return diff
    return "".join(lines[:MAX_LINES]) + f"... {len(lines) - MAX_LINES} more line(s)\n"
