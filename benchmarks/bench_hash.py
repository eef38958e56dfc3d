"""runner.hashing.sha256_file on a 1 GiB file against a bare hashlib loop (a report: it
always exits 0).

    .venv/bin/python benchmarks/bench_hash.py [--quick] [--size-mib 1024] [--repeat 3] [--code DIR]

Goal: >= 85 % of the bare loop's throughput, memory flat (peak RSS of the process
before and after hashing, from resource.getrusage). Each hashing runs in a fresh
interpreter (child.py hash), the two alternating, the file in the page cache (the
first round, which reads it from disk, is left out)."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from common import CHILD, Size, header, interleaved, run, timed, verdict

GOAL = 0.85


def make_file(path: Path, size_mib: int) -> int:
    block = os.urandom(1 << 20)
    with open(path, "wb") as fh:
        for i in range(size_mib):
            fh.write(i.to_bytes(8, "little") + block[8:])
    return path.stat().st_size


def bench(tmp: Path, size_mib: int, repeat: int) -> None:
    header(f"sha256_file on a {size_mib} MiB file (>= {GOAL:.0%} of a bare hashlib loop, memory flat)")
    path = tmp / "big.bin"
    size = make_file(path, size_mib)

    def hashing(mode: str):
        return lambda: timed([*CHILD, "hash", str(path), mode], cwd=tmp)

    samples = interleaved([("bare", hashing("bare")), ("runner", hashing("runner"))], repeat, alternate=True)
    # child.py prints: digest, seconds hashing, peak RSS (KiB) before, after.
    results = {mode: [s.out.split() for s in runs] for mode, runs in samples.items()}
    digests = {r[0] for runs in results.values() for r in runs}
    tput = {mode: [size / float(r[1]) / 1e6 for r in runs] for mode, runs in results.items()}
    bare, ours = statistics.median(tput["bare"]), statistics.median(tput["runner"])
    for mode, label in (("bare", "baseline  bare hashlib loop"), ("runner", "sha256_file                ")):
        runs = ", ".join(f"{t:.0f}" for t in tput[mode])
        print(f"   {label}  median {statistics.median(tput[mode]):7.0f} MB/s  (runs: {runs})")
    ratio = ours / bare
    print(f"   ratio {ratio:.1%} of bare (goal >= {GOAL:.0%}) -> {verdict(ratio >= GOAL)}; "
          f"same digest: {len(digests) == 1}")
    growth = {}
    for mode, runs in results.items():
        before, after = max(int(r[2]) for r in runs), max(int(r[3]) for r in runs)
        growth[mode] = (after - before) / 1024
        print(f"   peak RSS {mode:6}: {after / 1024:6.1f} MiB after hashing, {before / 1024:6.1f} MiB before "
              f"(+{growth[mode]:.1f} MiB for {size / 2**20:.0f} MiB hashed)")
    flat = growth["runner"] <= growth["bare"] + 1
    print(f"   memory flat (sha256_file grows no more than the bare loop, +1 MiB) -> {verdict(flat)}")
    path.unlink()


if __name__ == "__main__":
    run("bench_hash", __doc__, bench, Size("--size-mib", 1024, 64, "file size in MiB"), repeat=3)
