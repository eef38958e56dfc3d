"""`runner tick` in a workspace of idle runs (a report: it always exits 0).

    .venv/bin/python benchmarks/bench_tick.py [--quick] [--runs 2000] [--repeat 3] [--code DIR]

The console calls tick every few seconds, so a tick that finds nothing to do must cost
little more than reading the runs. Baselines measured in the same run, interleaved:
`run list --json` (every RUN.json read; warm: its cache filled) and `tick --no-resume`
(the deadlines only). Measured: `tick` (deadlines, then the runs that need no person).
The runs are real records copied with other ids (PASSED, FAILED, CANCELED: none to
continue, none overdue), committed, so that tick reads what a user's workspace holds."""

from __future__ import annotations

import json
from pathlib import Path

from common import Size, git, header, interleaved, make_workspace, median, ms, run, runner, stats
from sample_runs import real_records, vary

IDLE = ("PASSED", "FAILED", "CANCELED")


def fill(root: Path, template: dict[str, bytes], count: int) -> None:
    for n in range(count):
        for rel, data in vary(template, n)[1].items():
            if rel.endswith("RUN.json"):
                record = json.loads(data)
                record["status"] = IDLE[n % len(IDLE)]
                data = (json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "idle runs")


def bench(tmp: Path, count: int, repeat: int) -> None:
    header(f"runner tick with {count} idle runs")
    root = make_workspace(tmp / "tick")
    fill(root, real_records(tmp), count)
    first = runner(root, "tick", "--json")
    found = json.loads(first.out)
    if any(found.values()):
        print(f"   WARNING: tick found something to do: {found}")
    samples = interleaved([("list", lambda: runner(root, "run", "list", "--json")),
                           ("deadlines", lambda: runner(root, "tick", "--no-resume", "--json")),
                           ("tick", lambda: runner(root, "tick", "--json"))], repeat)
    for key, label in (("list", "baseline  run list --json"), ("deadlines", "baseline  tick --no-resume"),
                       ("tick", "tick (deadlines, then runs to continue)")):
        print(f"   {label:42} {stats([s.wall for s in samples[key]])}")
    med = median(samples["tick"])
    print(f"   tick: CPU {ms(median(samples['tick'], 'cpu'))}; {med / median(samples['deadlines']):.2f} x tick "
          f"--no-resume, {med / median(samples['list']):.2f} x run list --json")


if __name__ == "__main__":
    run("bench_tick", __doc__, bench, Size("--runs", 2000, 200, "idle runs in the workspace"), repeat=3)
