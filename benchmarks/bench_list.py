"""`runner run list` with 10,000 runs (a report: it always exits 0).

    .venv/bin/python benchmarks/bench_list.py [--quick] [--runs 10000] [--repeat 5] [--code DIR]

Goal: < 1 s, warm (the command run before in the same workspace). Baselines measured
in the same run, interleaved: `run list` with 10 runs, and json.loads of every RUN.json
in one process (child.py read-all: the floor of reading them all). Also printed: the
first listing in the workspace (cold: no cache yet, as after a fresh clone) and
`run list --json`. The RUN.json files are real ones (a run of the essay workflow
completed by the runner) copied with other ids, start times and statuses."""

from __future__ import annotations

from pathlib import Path

from common import (
    CHILD,
    Sample,
    Size,
    header,
    interleaved,
    make_workspace,
    median,
    ms,
    run,
    runner,
    stats,
    timed,
    verdict,
)
from sample_runs import real_records, vary

GOAL = 1.0  # seconds


def fill(root: Path, template: dict[str, bytes], count: int) -> int:
    """`count` generated runs' RUN.json files in `root`; their total size."""
    size = 0
    for n in range(count):
        for rel, data in vary(template, n)[1].items():
            if rel.endswith("RUN.json"):
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
                size += len(data)
    return size


def bench(tmp: Path, n_big: int, repeat: int) -> None:
    header(f"runner run list with {n_big} runs (< {GOAL:.0f} s)")
    template = real_records(tmp)
    big, small = make_workspace(tmp / "list"), make_workspace(tmp / "list-10")
    print(f"   {n_big} RUN.json files, {fill(big, template, n_big) / 1e6:.1f} MB")
    fill(small, template, 10)

    first = runner(big, "run", "list")  # no cache yet: every RUN.json decoded, as after a fresh clone
    rows = len(first.out.splitlines()) - 1
    if rows != n_big:
        print(f"   WARNING: run list printed {rows} rows, expected {n_big}")

    def floor() -> Sample:
        return Sample(float(timed([*CHILD, "read-all", str(big / "runs")]).out), 0.0)

    samples = interleaved([("small", lambda: runner(small, "run", "list")),
                           ("floor", floor),
                           ("list", lambda: runner(big, "run", "list")),
                           ("json", lambda: runner(big, "run", "list", "--json"))], repeat)
    for key, label in (("small", "baseline  run list, 10 runs"), ("floor", "baseline  json.loads of every RUN.json"),
                       ("list", f"run list, {n_big} runs, warm"), ("json", f"run list --json, {n_big} runs, warm")):
        print(f"   {label:40} {stats([s.wall for s in samples[key]])}")
    print("   (the json.loads floor is timed in its process: no start-up)")
    print(f"   {'the first run list (cold, no cache)':40} {ms(first.wall)}   CPU {ms(first.cpu)}")
    med = median(samples["list"])
    print(f"   warm: CPU {ms(median(samples['list'], 'cpu'))}; {med / median(samples['small']):.1f} x the 10-run "
          f"listing, {med / median(samples['floor']):.1f} x the json.loads floor; cold / warm {first.wall / med:.1f} x")
    print(f"   {med:.2f} s = {med / GOAL:.2f} x the goal -> {verdict(med < GOAL)} (cold: {verdict(first.wall < GOAL)})")


if __name__ == "__main__":
    run("bench_list", __doc__, bench, Size("--runs", 10_000, 500, "runs in the big workspace"), repeat=5)
