"""Cost of the original factory's eight metrics: `runner.media.qc()` with a reference
image (all metrics) against today's QC without them, on the same 60 s 720p clip, in the
same run (a report, not a test: it always exits 0).

    .venv/bin/python benchmarks/bench_qc_metrics.py [--repeat 2] [--seconds 60] [--baseline REV]

"Today's QC" is the runner package of git revision REV (default: the parent of the commit
that added the metrics), extracted with `git archive` into a temporary folder; both run as
subprocesses, interleaved (old, new, old, new, ...), so the load of the machine falls on
both alike. Printed: wall and CPU per run, their medians and the ratio new/old (goal: at
most 1.5), the time of each metric (from the report's `metric_*` stages) per second of
video, and the peak memory (ru_maxrss) of QC on clips of a third and of the full length
(goal: flat in the clip's length)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_qc import make_clip
from common import PYTHON, REPO

BASELINE = "6264dcb^"  # the commit before the metrics came
CHILD = """
import json, resource, sys, time
from pathlib import Path
from runner.media import default_policy, qc
extra = {"reference": Path(sys.argv[2])} if len(sys.argv) > 2 else {}
wall, cpu = time.perf_counter(), time.process_time()
report = qc(Path(sys.argv[1]), default_policy(), **extra)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": time.perf_counter() - wall,
                  "cpu": time.process_time() - cpu + usage.ru_utime + usage.ru_stime,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "stages": report.stage_seconds, "frames": report.metrics.frames_sampled}))
"""


def run(code_root: Path, clip: Path, reference: Path | None) -> dict:
    argv = [PYTHON, "-c", CHILD, str(clip)] + ([str(reference)] if reference else [])
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=code_root, check=False)
    if done.returncode != 0:
        raise SystemExit(f"qc failed in {code_root}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-qc-metrics-"))
    try:
        old = root / "baseline"
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "runner"], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        clip = make_clip(root, args.seconds)
        reference = root / "astronaut.png"  # the photo that sways in the clip: the hero image
        print(f"clip: {args.seconds} s 1280x720 30 fps; baseline {args.baseline}; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f}")
        olds, news = [], []
        for _ in range(args.repeat):
            olds.append(run(old, clip, None))
            news.append(run(REPO, clip, reference))
            print(f"  today's qc wall {olds[-1]['wall']:.2f} s cpu {olds[-1]['cpu']:.2f} s | with the metrics "
                  f"wall {news[-1]['wall']:.2f} s cpu {news[-1]['cpu']:.2f} s", flush=True)
        for what in ("wall", "cpu"):
            a, b = statistics.median(r[what] for r in olds), statistics.median(r[what] for r in news)
            print(f"median {what}: today {a:.2f} s, with the metrics {b:.2f} s, ratio {b / a:.2f} (goal <= 1.5)")
        stages = news[-1]["stages"]
        print("per metric, seconds per second of video (main thread, beside the pose workers):")
        for name, seconds in sorted(stages.items()):
            if name.startswith("metric_") or name == "reference":
                print(f"  {name:34s} {seconds / args.seconds * 1000:8.2f} ms/s  ({seconds:.3f} s)")
        print(f"  frames sampled {news[-1]['frames']}; analysis {stages['analysis']:.2f} s, "
              f"pose {stages['pose']:.2f} s")
        (root / "short").mkdir()
        short = make_clip(root / "short", args.seconds // 3)
        small = run(REPO, short, reference)["rss_mb"]
        full = statistics.median(r["rss_mb"] for r in news)
        print(f"peak memory: {args.seconds // 3} s clip {small:.0f} MB, {args.seconds} s clip {full:.0f} MB "
              f"(ratio {full / small:.2f}; today's QC {statistics.median(r['rss_mb'] for r in olds):.0f} MB)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
