"""Cost of a record commit with 10,000 runs in history against 10 runs (a report: it
always exits 0; information for the "batches" work item, which now owns the goal).

    .venv/bin/python benchmarks/bench_commit.py [--quick] [--runs 10000] [--repeat 30] [--code DIR]

Measured: runner.git.commit_files of a typical gate-finish commit (RUN.json changed, a
new attempt file, in an existing run), in child.py commit, in two workspaces whose
history holds 10 and 10,000 real runs; the two alternate. Printed: both medians and
their ratio (the former goal: <= 1.5 x), the part of each that is git's update of the
user's index, the runner's own part, what a plain `git update-index --add` of one file
costs in each (git's floor, which any `git add` pays), and the same commit with
`core.splitIndex`."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from common import CHILD, Size, git, header, make_workspace, ms, run, stats, timed
from sample_runs import real_records, vary

FORMER_GOAL = 1.5


def history_repo(path: Path, template: dict[str, bytes], n_runs: int, per_commit: int = 500) -> Path:
    """A workspace whose history already holds `n_runs` runs, built with one
    `git fast-import` stream (commits of `per_commit` runs each), checked out as a
    user's clone has it, its index settled past git's racy-timestamp window."""
    root = make_workspace(path)
    head = git(root, "rev-parse", "HEAD").strip()
    chunks: list[bytes] = []
    mark = 0
    for start in range(0, n_runs, per_commit):
        lines = []
        for n in range(start, min(start + per_commit, n_runs)):
            for rel, data in vary(template, n)[1].items():
                mark += 1
                chunks.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
                lines.append(b"M 100644 :%d %s\n" % (mark, rel.encode()))
        msg = f"runs {start}..{start + len(lines)}".encode()
        chunks.append(b"commit refs/heads/main\ncommitter Ada Tester <ada@example.org> 1700000000 +0000\n"
                      b"data %d\n%s\n" % (len(msg), msg))
        if start == 0:
            chunks.append(b"from %s\n" % head.encode())
        chunks.extend(lines)
        chunks.append(b"\n")
    git(root, "fast-import", "--quiet", "--force", input=b"".join(chunks))
    git(root, "reset", "--hard", "-q")
    time.sleep(1.1)
    git(root, "update-index", "-q", "--refresh", "--force-write-index")
    return root


def commits(root: Path, run_id: str, repeat: int) -> dict[str, list[float]]:
    """{"total": [s], "index": [s]} of `repeat` commits (child.py commit)."""
    out = timed([*CHILD, "commit", str(root), f"runs/{run_id}/record/RUN.json", str(repeat)], cwd=root).out
    return json.loads(out)


def git_add_one(root: Path, n: int) -> list[float]:
    """What git itself pays to add one file to this repository's index."""
    blob = git(root, "hash-object", "-w", "--stdin", input=b"bench\n").strip()
    info = [f"100644 {blob}\tbench-add/{time.monotonic_ns()}-{i}\n".encode() for i in range(n)]
    return [timed(["git", "update-index", "--add", "--index-info"], root, input=line).wall for line in info]


def bench(tmp: Path, n_big: int, repeat: int) -> None:
    header(f"record commit with {n_big} runs in history vs 10 runs (information; the former goal <= {FORMER_GOAL} x)")
    template = real_records(tmp)
    built = time.perf_counter()
    repos = {"10": (history_repo(tmp / "hist-10", template, 10), vary(template, 5)[0]),
             str(n_big): (history_repo(tmp / f"hist-{n_big}", template, n_big), vary(template, n_big // 2)[0])}
    big = repos[str(n_big)][0]
    print(f"   built both histories in {time.perf_counter() - built:.1f} s "
          f"({git(big, 'rev-list', '--count', 'HEAD').strip()} commits, "
          f"{len(git(big, 'ls-files').splitlines())} files in the big one)")
    totals = {k: [] for k in repos}
    index = {k: [] for k in repos}
    plain = {k: [] for k in repos}
    rounds = 3
    for r in range(rounds):
        for label, (root, run_id) in list(repos.items())[:: 1 if r % 2 == 0 else -1]:
            result = commits(root, run_id, max(1, repeat // rounds))
            totals[label] += result["total"]
            index[label] += result["index"]
            plain[label] += git_add_one(root, 5)
    (base, heavy), (b_ix, h_ix) = ([statistics.median(d[k]) for k in repos] for d in (totals, index))
    print(f"   {'baseline  10 runs':24} {stats(totals['10'])}")
    print(f"   {f'{n_big} runs':24} {stats(totals[str(n_big)])}")
    print(f"   ratio {heavy / base:.2f} x (information; the former goal <= {FORMER_GOAL} x, now the batches work item's)")
    print(f"   of which git's update of the user's index (update-index): {ms(b_ix)} vs {ms(h_ix)}")
    print(f"   the runner's own part: {ms(base - b_ix)} vs {ms(heavy - h_ix)} = {(heavy - h_ix) / (base - b_ix):.2f} x")
    print(f"   git's floor, `git update-index --add` of one file (any `git add` pays it): "
          f"{ms(statistics.median(plain['10']))} vs {ms(statistics.median(plain[str(n_big)]))}")
    run_big = repos[str(n_big)][1]
    print(f"   records clean in `git status` after the commits: "
          f"{not git(big, 'status', '--short', '--', f'runs/{run_big}').strip()}")
    # A user's choice in a very large workspace: git's split index, with which every index
    # write (theirs and the runner's) rewrites only the changed entries.
    split = {}
    for label, (root, run_id) in repos.items():
        git(root, "config", "core.splitIndex", "true")
        git(root, "update-index", "--split-index")
        split[label] = statistics.median(commits(root, run_id, max(3, repeat // rounds))["total"])
    print(f"   with `git config core.splitIndex true`: {ms(split['10'])} vs {ms(split[str(n_big)])} = "
          f"{split[str(n_big)] / split['10']:.2f} x")


if __name__ == "__main__":
    run("bench_commit", __doc__, bench, Size("--runs", 10_000, 500, "runs in the big history"), repeat=30)
