"""Substrings found in a file read in chunks, so a text check's memory does not grow with
the file (a 1 GB output costs a chunk, not 2 GB of decoded text). The result is the one
a whole-file read gives: the text is decoded as UTF-8 with replacement characters, and
each chunk keeps the end of the previous one, so a substring across a boundary is found."""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20  # characters' worth of bytes per read


def first_lines(path: Path, needles: list[str], chunk: int = CHUNK) -> dict[str, int | None]:
    """For each needle, the 1-based line of its first occurrence in the file, or None."""
    found: dict[str, int | None] = dict.fromkeys(needles)
    pending = set(found)
    keep = max((len(n) for n in needles), default=1) - 1
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    tail, line_base = "", 1  # line_base: the line on which `tail` starts
    with path.open("rb") as handle:
        while pending:
            raw = handle.read(chunk)
            text = tail + decoder.decode(raw, final=not raw)
            for needle in list(pending):
                at = text.find(needle)
                if at >= 0:
                    found[needle] = line_base + text.count("\n", 0, at)
                    pending.discard(needle)
            if not raw:
                break
            cut = max(len(text) - keep, 0)
            line_base += text.count("\n", 0, cut)
            tail = text[cut:]
    return found
