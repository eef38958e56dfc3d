"""Text checks scan their file in chunks: the same verdict and line as a whole-file read,
substrings across a chunk boundary found, and memory that does not grow with the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checks.scan import first_lines

# text and bytes that are not UTF-8 (a lone continuation byte, a sequence cut short)
PIECES = st.sampled_from(["a", "b", "\n", "é", "€", "😀", "ab", "\nb", "\xff", "\x80a", "a\xc3"])


def whole_file(data: bytes, needles: list[str]) -> dict[str, int | None]:
    text = data.decode("utf-8", errors="replace")
    return {n: (text.count("\n", 0, text.find(n)) + 1 if n in text else None) for n in needles}


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=40), needles=st.lists(st.text("ab\né€😀\ufffd", max_size=4), min_size=1,
                                                             max_size=4, unique=True),
       chunk=st.integers(1, 9))
def test_chunks_give_what_a_whole_file_read_gives(tmp_path_factory, pieces, needles, chunk):
    data = b"".join(p.encode("latin-1") if p in ("\xff", "\x80a", "a\xc3") else p.encode() for p in pieces)
    path = tmp_path_factory.mktemp("scan") / "f.txt"
    path.write_bytes(data)
    assert first_lines(path, needles, chunk=chunk) == whole_file(data, needles)


def test_a_large_file_is_checked_in_bounded_memory(tmp_path):
    """A 256 MB output with the wanted text at its very end: contains_text passes and the
    checking process grows by far less than the file (a whole read costs twice its size)."""
    big = tmp_path / "essay" / "big.md"
    big.parent.mkdir()
    with big.open("wb") as handle:
        line = b"filler text of an enormous output\n" * 32768
        for _ in range(256 * 1024 * 1024 // len(line)):
            handle.write(line)
        handle.write(b"the end marker\n")
    script = f"""
import json, resource, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from check_helpers import make_context
from runner.checks import CHECKS
import msgspec
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
spec_type, check = CHECKS["contains_text"].spec, CHECKS["contains_text"].run
spec = msgspec.convert({{"type": "contains_text", "target": "{{artifact_path}}/big.md",
                        "pattern": "the end marker"}}, spec_type)
outcome = check(spec, make_context(Path({str(tmp_path)!r})))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"status": outcome.status, "grown_kb": after - before}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    assert result["status"] == "PASS"
    assert result["grown_kb"] < 64 * 1024, result  # 256 MB read whole would grow it by 512 MB or more
