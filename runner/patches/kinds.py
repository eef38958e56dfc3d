"""One small function per patch type: `(spec, current bytes, target path) -> new bytes`.

Pure: no file I/O, so the same patch on the same bytes always gives the same bytes.
A patch that does not fit its target raises PatchError naming what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonpatch
import jsonpointer

from runner.models.patch import DurationAdjust, JsonPatch, SectionReplace, TextReplace
from runner.patches.base import PatchError, check_growth, decode, dump_structured, load_structured, one_line, shorten


def json_patch(spec: JsonPatch, data: bytes, rel: str) -> bytes:
    """RFC 6902, one operation at a time so that a failure names its index."""
    document = load_structured(data, rel)
    copied = 0  # a copy is the one operation that adds more than the patch holds
    for index, operation in enumerate(spec.operations):
        op = operation.rfc()
        try:
            if op["op"] == "copy":
                copied += len(json.dumps(jsonpointer.resolve_pointer(document, op["from"]), default=str))
                check_growth(copied, rel)
            document = jsonpatch.JsonPatch([op]).apply(document, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise PatchError(
                f"JSON Patch operation {index} ({op['op']} {op['path']!r}) failed on {rel}: {one_line(exc)}",
                "nothing was changed; fix the operation or the path",
            ) from None
    return dump_structured(document, rel)


def text_replace(spec: TextReplace, data: bytes, rel: str) -> bytes:
    """Each replacement in order, on the result of the previous ones; all occurrences."""
    original = text = decode(data, rel)
    for index, item in enumerate(spec.replacements):
        if item.old not in text:
            later = " after the earlier replacements" if item.old in original else ""
            raise PatchError(f"replacement {index}: {shorten(item.old)} does not occur in {rel}{later}",
                             "copy the old text exactly from the file (case, spaces and line breaks count)")
        check_growth(len(text) + text.count(item.old) * (len(item.new) - len(item.old)) - len(original), rel)
        text = text.replace(item.old, item.new)
    return text.encode("utf-8")


# ATX headings only (`## Title`); setext headings (underlined) are not sections here.
HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, normalised text) of every heading outside fenced code."""
    found = []
    fence = ""
    for index, line in enumerate(lines):
        bare = line.rstrip("\r\n")
        opening = FENCE.match(bare)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                    and not bare.strip().strip(fence[0]):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        match = HEADING.match(bare)
        if match:
            found.append((index, len(match.group(1)), _normal(bare)))
    return found


def _normal(heading: str) -> str:
    return " ".join(heading.split())


def section_replace(spec: SectionReplace, data: bytes, rel: str) -> bytes:
    """Replace the lines after the heading, up to the next heading of the same or a higher
    level (or the end of the file), by `content`; the heading line is kept, and so are
    the blank lines that framed the old body."""
    lines = decode(data, rel).splitlines(keepends=True)
    headings = _headings(lines)
    wanted = _normal(spec.section)
    matches = [(index, level) for index, level, text in headings if text == wanted]
    if len(matches) != 1:
        if matches:
            where = ", ".join(str(index + 1) for index, _ in matches)
            raise PatchError(f"section {spec.section!r} occurs {len(matches)} times in {rel} (lines {where})",
                             "make the heading unique before patching its section")
        known = ", ".join(repr(text) for _, _, text in headings[:12]) or "none"
        raise PatchError(f"section {spec.section!r} not found in {rel}; headings: {known}",
                         "give the whole heading line, with its '#' marks")
    start, level = matches[0]
    end = next((index for index, lvl, _ in headings if index > start and lvl <= level), len(lines))
    heading, old = lines[start], lines[start + 1:end]
    newline = "\r\n" if heading.endswith("\r\n") else "\n"
    if not heading.endswith("\n"):
        heading += newline
    trail = _blank_run(old[::-1])
    lead = _blank_run(old[: len(old) - trail])
    middle = _strip_blank_lines(spec.content)
    content = [middle.replace("\n", newline) + newline] if middle else []
    body = old[:lead] + content + old[len(old) - trail:] if content else old[len(old) - trail:]
    return "".join(lines[:start] + [heading] + body + lines[end:]).encode("utf-8")


def _blank_run(lines: list[str]) -> int:
    count = 0
    while count < len(lines) and not lines[count].strip():
        count += 1
    return count


def _strip_blank_lines(text: str) -> str:
    """`text` with "\n" line breaks and without blank lines at either end."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _beat_ids(beat: dict) -> set[str]:
    return {str(beat[key]) for key in ("id", "beat_id")
            if isinstance(beat.get(key), (str, int)) and not isinstance(beat.get(key), bool)}


def duration_adjust(spec: DurationAdjust, data: bytes, rel: str) -> bytes:
    """Set `duration` on the beats named; every other field is left as it was."""
    document: Any = load_structured(data, rel)
    beats = document.get("beats") if isinstance(document, dict) else None
    if not isinstance(beats, list) or not all(isinstance(beat, dict) for beat in beats):
        raise PatchError(f"{rel} has no top-level 'beats' list of objects",
                         "duration_adjust needs a storyboard like {\"beats\": [{\"id\": ..., \"duration\": ...}]}")
    for adjustment in spec.beat_adjustments:
        hits = [beat for beat in beats if adjustment.beat_id in _beat_ids(beat)]
        if not hits:
            known = ", ".join(sorted({i for beat in beats for i in _beat_ids(beat)})[:20]) or "none"
            raise PatchError(f"beat {adjustment.beat_id!r} not found in {rel}; beats: {known}",
                             "use a beat's 'id' (or 'beat_id') exactly")
        if len(hits) > 1:
            raise PatchError(f"beat id {adjustment.beat_id!r} is used by {len(hits)} beats in {rel}",
                             "make the beat ids unique before adjusting durations")
        if "duration" not in hits[0]:
            raise PatchError(f"beat {adjustment.beat_id!r} in {rel} has no 'duration' field",
                             "duration_adjust changes an existing 'duration'; edit the file another way")
        duration = adjustment.duration
        hits[0]["duration"] = int(duration) if duration.is_integer() else duration
    return dump_structured(document, rel)
