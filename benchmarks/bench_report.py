"""Time of `runner report --html` on the 6-gate video demo run (a report, not a test: it
always exits 0).

    .venv/bin/python benchmarks/bench_report.py [--repeat 5]

The run: orchestration/workflows/video.json as `make demo` runs it (plan, render, QC
routes a retry of the render, QC passes, review approved, publish): 6 gates, 8 attempts,
3 videos. Measured interleaved, each as a real `runner` process: `report --html` (the
page with its contact sheets), `report --json`, and as the baseline `verify --run` (the
audit the report includes) and `run show --json` (a plain read of the run). Goal: the
report under 3 s."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from common import (
    PYTHON,
    REPO,
    RUNNER,
    header,
    interleaved,
    make_repo,
    median,
    ms,
    parse,
    runner,
    session,
    sh,
    timed,
    verdict,
)

GOAL_S = 3.0
ART = "videos/astronaut"


def video_run(root: Path) -> str:
    """The demo's run, PASSED, in a fresh workspace (as examples/demo.py makes it)."""
    make_repo(root)
    for folder in ("contracts", "orchestration"):
        shutil.copytree(REPO / folder, root / folder)
    # the schemas the QC contract checks against, as the record types make them now
    sh([PYTHON, "-c", "import sys, pathlib, runner.schemas as s; s.write(pathlib.Path(sys.argv[1]))",
        str(root / "schemas")])
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    runner(root, "init")
    paused = timed([*RUNNER, "run", "video", "--slug", "astronaut", "--artifact-path", ART], root, ok=(0, 1, 3))
    if "REVIEW" not in paused.out:
        raise SystemExit(f"the demo run did not reach REVIEW:\n{paused.out}{paused.err}")
    run_id = paused.out.split("]")[0].lstrip("[")
    runner(root, "gate", "approve", "--run", run_id, "--gate", "REVIEW", "--by", "the benchmark",
           "--note", "approved by benchmarks/bench_report.py")
    done = runner(root, "run", "resume", "--run", run_id)
    assert "PASSED" in done.out, done
    return run_id


def main() -> int:
    args = parse(__doc__)
    # The workflow's command gates run `python`: this venv's, with scikit-image.
    os.environ["PATH"] = f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with session("report", args.keep, args.code) as tmp:
        root = tmp / "studio"
        header("the video demo run")
        run_id = video_run(root)
        page = tmp / "report.html"
        steps = [
            ("report --html", lambda: runner(root, "report", "--run", run_id, "--html", str(page))),
            ("report --json", lambda: runner(root, "report", "--run", run_id, "--json")),
            ("verify --run", lambda: runner(root, "verify", "--run", run_id)),
            ("run show --json", lambda: runner(root, "run", "show", "--run", run_id, "--json")),
        ]
        samples = interleaved(steps, args.repeat or (2 if args.quick else 5), alternate=True)
        size = page.stat().st_size
        print(f"   {run_id}: page {size / 1e3:.0f} kB")
        base = median(samples["verify --run"])
        for name, found in samples.items():
            print(f"   {name:16} median {ms(median(found))}  cpu {ms(median(found, 'cpu'))}  "
                  f"x{median(found) / base:5.2f} of verify --run")
        took = median(samples["report --html"])
        print(f"   goal: report --html under {GOAL_S:.0f} s: {took:.2f} s, {verdict(took < GOAL_S)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
