"""Records at scale: the cost of a record commit and the repository's growth per commit
from 10 to 100,000 runs, in the flat and the fan-out layout of runs/; what git's index
settings do to git's part; and recorded results per second with grouped commits (a
report: it always exits 0).

    .venv/bin/python benchmarks/bench_commit.py [--quick] [--runs 100000] [--repeat 12] [--code DIR]
    .venv/bin/python benchmarks/bench_commit.py --only groups|sizes|index

Measured:
- sizes: runner.git.commit_files of a typical gate-finish commit (RUN.json changed, a new
  attempt file, in an existing run; child.py commit) in workspaces holding 10, 1,000,
  10,000 and --runs runs, each layout; the part that is git's update of the user's
  index and the runner's own part, apart; the bytes of loose objects each commit adds
  (the repository's growth before `git gc` packs them) and what they add once packed.
  Ratios against 10 runs. The index update timed apart includes writing the new index
  into git's index.lock.
- index: git's part with 10,000 runs under index.skipHash, index version 4 and
  core.splitIndex, against the default, interleaved.
- groups: 1,000 gate finishes of a one-output contract (start, outputs, finish) through
  `Repo`, in commit groups of 50 against one commit each: results per second.

The big workspaces are written directly: one `git fast-import` stream of a real run's
record files (sample_runs.py) at every run's path, read into the index (`git read-tree`,
the index a clone has), and only the committed run checked out. Run ids are the
runner's own form, all in one month (a batch: the fan-out layout's worst case)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import CHILD, PYTHON, REPO, Size, children_cpu, git, header, make_workspace, ms, run, stats, timed
from sample_runs import real_records

sys.path.insert(0, str(REPO))
from runner.records import layout_path  # the layout under test: a pure function

GOAL_RATIO = 1.5  # commit cost and growth per commit, 100,000 runs against 10
GOAL_RATE = 200  # recorded results per second, grouped
# The flat layout is built up to 10,000 runs: git fast-import inserts into one tree of
# 100,000 entries for many minutes, and 10,000 already shows how it grows.
FLAT_MAX = 10_000
# "+split": with core.splitIndex, as `runner init` and the move set it for the fan-out layout
LAYOUTS = ("flat", "fanout", "fanout+split")
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def run_id(n: int) -> str:
    """The n-th run's id, as the runner makes them: a time in November 2026, a random-looking suffix."""
    suffix, value = "", (n * 2654435761) % 36 ** 6
    for _ in range(6):
        value, digit = divmod(value, 36)
        suffix += B36[digit]
    return f"run_202611{1 + n % 28:02d}T{n // 3600 % 24:02d}{n // 60 % 60:02d}{n % 60:02d}Z_item-{n}_{suffix}"


def big_repo(path: Path, template: dict[str, bytes], n_runs: int, layout: str) -> tuple[Path, str]:
    """A workspace whose HEAD holds `n_runs` runs (each the template's record files) in
    `layout`, in one commit; the index read from it; one run checked out. Returns the
    workspace and the RUN.json to commit in."""
    root = make_workspace(path)
    head = git(root, "rev-parse", "HEAD").strip()
    layout, _, split = layout.partition("+")
    old = template["__run_id__"].decode()
    files = {rel.split(f"{old}/", 1)[1]: data for rel, data in template.items() if rel != "__run_id__"}
    chunks = [b"blob\nmark :%d\ndata %d\n%s\n" % (i + 1, len(data), data) for i, data in enumerate(files.values())]
    msg = f"{n_runs} runs".encode()
    chunks.append(b"commit refs/heads/main\ncommitter Ada Tester <ada@example.org> 1700000000 +0000\n"
                  b"data %d\n%s\nfrom %s\n" % (len(msg), msg, head.encode()))
    for n in range(n_runs):
        folder = f"runs/{layout_path(run_id(n), layout)}/"
        chunks += [b"M 100644 :%d %s%s\n" % (i + 1, folder.encode(), rel.encode()) for i, rel in enumerate(files)]
    chunks.append(b"\n")
    git(root, "fast-import", "--quiet", "--force", input=b"".join(chunks))
    if split:  # as `runner init` sets it for a fan-out workspace
        git(root, "config", "core.splitIndex", "true")
    git(root, "read-tree", "HEAD")
    git(root, "config", "gc.auto", "0")  # growth is measured in loose objects: nothing packs them meanwhile
    target = f"runs/{layout_path(run_id(n_runs // 2), layout)}"
    git(root, "checkout", "HEAD", "--", target)
    if split:  # a fresh split: the shared part holds every entry, the split part none yet
        git(root, "update-index", "--split-index")
    return root, f"{target}/record/RUN.json"


def loose_bytes(root: Path) -> int:
    objects = root / ".git" / "objects"
    return sum(f.stat().st_size for d in objects.iterdir() if len(d.name) == 2 for f in d.iterdir())


def packed_bytes(root: Path) -> int:
    """The size of the repository's objects once `git repack -a -d` packed them all."""
    git(root, "repack", "-a", "-d", "-q")
    fields = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    return int(fields["size-pack"]) * 1024 + int(fields["size"]) * 1024


def commits(root: Path, rel: str, repeat: int, packed: bool = False) -> tuple[dict[str, list[float]], float, float]:
    """{"total": [s], "index": [s]} of `repeat` commits (child.py commit); the loose bytes
    each added on average (the first, a warm-up, included); with `packed`, what each
    added to the repository once packed (`git repack -a -d` before and after), else 0."""
    pack_before = packed_bytes(root) if packed else 0
    before = loose_bytes(root)
    out = json.loads(timed([*CHILD, "commit", str(root), rel, str(repeat)], cwd=root).out)
    loose = (loose_bytes(root) - before) / (repeat + 1)
    return out, loose, (packed_bytes(root) - pack_before) / (repeat + 1) if packed else 0.0


def sizes(tmp: Path, template: dict[str, bytes], counts: list[int], repeat: int) -> None:
    header(f"record commit and growth per commit, {counts[0]} to {counts[-1]} runs, flat and fan-out "
           f"(goal for the fan-out layout: <= {GOAL_RATIO} x from {counts[0]} to {counts[-1]})")
    rows = {}
    for layout in LAYOUTS:
        for n in counts if layout != "flat" else [c for c in counts if c <= FLAT_MAX]:
            built = time.perf_counter()
            root, rel = big_repo(tmp / f"{layout}-{n}", template, n, layout)
            build_s = time.perf_counter() - built
            result, growth, packed = commits(root, rel, repeat, packed=True)
            total, index = statistics.median(result["total"]), statistics.median(result["index"])
            rows[layout, n] = (total, index, growth, packed)
            print(f"   {layout:12} {n:>7} runs (built in {build_s:5.1f} s): total {stats(result['total'])}; "
                  f"git's index update {ms(index)}, the runner's own part {ms(total - index)}; per commit "
                  f"+{growth / 1024:.1f} KiB loose objects, +{packed / 1024:.1f} KiB once packed", flush=True)
            subprocess.run(["rm", "-rf", str(root)], check=False)
    for layout in LAYOUTS:
        base_n, top_n = min(n for lay, n in rows if lay == layout), max(n for lay, n in rows if lay == layout)
        (t0, i0, g0, p0), (t1, i1, g1, p1) = rows[layout, base_n], rows[layout, top_n]
        print(f"   {layout}: {top_n} vs {base_n} runs: the runner's own part {(t1 - i1) / (t0 - i0):.2f} x, "
              f"growth per commit {g1 / g0:.2f} x loose, {p1 / max(p0, 1):.2f} x packed; git's index update "
              f"{i1 / i0:.2f} x, total {t1 / t0:.2f} x")


INDEX_VARIANTS = {
    "default": [],
    "index.skipHash": [["config", "index.skipHash", "true"], ["update-index", "--force-write-index"]],
    "index version 4": [["update-index", "--index-version", "4"]],
    "core.splitIndex": [["config", "core.splitIndex", "true"], ["update-index", "--split-index"]],
    "skipHash + version 4": [["config", "index.skipHash", "true"], ["update-index", "--index-version", "4"]],
}


def update_index_cpu(root: Path, n: int) -> float:
    """CPU seconds of the update-index a record commit runs (one new entry, on a hard
    link of the index, as runner.git.commit does), less sensitive to a loaded machine
    than its wall time."""
    blob = git(root, "hash-object", "-w", "--stdin", input=f"bench {n}\n".encode()).strip()
    copy = root / ".git" / "bench-index.tmp"
    copy.unlink(missing_ok=True)
    os.link(root / ".git" / "index", copy)
    try:
        return timed(["git", "update-index", "--add", "--index-info"], root, extra_env={"GIT_INDEX_FILE": str(copy)},
                     input=f"100644 {blob}\tbench/{n}.json\n".encode()).cpu
    finally:
        copy.unlink(missing_ok=True)


def index_settings(tmp: Path, template: dict[str, bytes], n: int, repeat: int) -> None:
    header(f"git's part of a record commit with {n} runs under git's index settings (fan-out layout)")
    repos = {}
    for name, commands in INDEX_VARIANTS.items():
        root, rel = big_repo(tmp / f"index-{name.replace(' ', '-')}", template, n, "fanout")
        for command in commands:
            git(root, *command)
        repos[name] = (root, rel)
    files = len(git(repos["default"][0], "ls-files").splitlines())
    print(f"   {files} files in the index")
    index = {name: [] for name in repos}
    totals = {name: [] for name in repos}
    for r in range(3):
        for name, (root, rel) in list(repos.items())[:: 1 if r % 2 == 0 else -1]:
            result, _, _ = commits(root, rel, max(2, repeat // 3))
            index[name] += result["index"]
            totals[name] += result["total"]
    cpu = {name: [] for name in repos}
    for r in range(max(6, repeat)):
        for name, (root, _) in list(repos.items())[:: 1 if r % 2 == 0 else -1]:
            cpu[name].append(update_index_cpu(root, r))
    base, base_cpu = statistics.median(index["default"]), statistics.median(cpu["default"])
    for name in repos:
        value, used = statistics.median(index[name]), statistics.median(cpu[name])
        print(f"   {name:22} git's index update {ms(value)} ({value / base:.2f} x the default; CPU of "
              f"update-index alone {ms(used)}, {used / base_cpu:.2f} x); whole commit "
              f"{ms(statistics.median(totals[name]))}")
    print(f"   records kept out of the index: git's part 0, the commit is the runner's own part "
          f"({ms(statistics.median(totals['default']) - base)})")


GROUP_CHILD = """
import json, sys, time
from pathlib import Path
from runner import Repo
root, n, size = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
repo = Repo(root)
runs = []
with repo.commit_group():
    for i in range(n):
        runs.append(repo.start_run("trivial", slug=f"item-{i}", artifact_path=f"out/{i}").run_id)
for i, run_id in enumerate(runs):
    (root / "out" / str(i)).mkdir(parents=True, exist_ok=True)
    (root / "out" / str(i) / "out.txt").write_text(run_id)
def phase(op, size):
    started, cpu = time.perf_counter(), time.process_time()
    for k in range(0, n, size or 1):
        if size:
            with repo.commit_group():
                for run_id in runs[k:k + size]:
                    op(run_id, "G1")
        else:
            op(runs[k], "G1")
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}
start = phase(lambda run_id, gate: repo.gate_start(run_id, gate, agent="maker"), size)
print(json.dumps({"start": start, "finish": phase(repo.gate_finish, size)}))
"""
TRIVIAL = {"workflow": "trivial", "version": "1", "gates": [
    {"gate": "G1", "name": "Make", "kind": "agent", "agent": "maker", "contract": "contracts/T1.contract.json"}]}
CONTRACT = {"gate": "G1", "name": "Make", "blocking": True,
            "required_outputs": {"all_of": [{"path": "{artifact_path}/out.txt", "description": "the output"}]},
            "validations": [{"type": "file_exists", "target": "all_required"}]}


def trivial_workspace(path: Path) -> Path:
    root = make_workspace(path)
    (root / "orchestration" / "workflows" / "trivial.json").write_text(json.dumps(TRIVIAL))
    (root / "contracts" / "T1.contract.json").write_text(json.dumps(CONTRACT))
    with open(root / ".gitignore", "a") as fh:
        fh.write("out/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "trivial workflow")
    return root


def groups(tmp: Path, n: int, size: int = 50) -> None:
    header(f"{n} gate finishes (a one-output contract), commit groups of {size} vs one commit each "
           f"(goal: >= {GOAL_RATE} results/s grouped)")
    rates = {}
    for label, group in (("grouped", size), ("one commit each", 0)):
        root = trivial_workspace(tmp / f"group-{group}")
        cpu_before = children_cpu()
        out = timed([PYTHON, "-c", GROUP_CHILD, str(root), str(n), str(group)], cwd=root)
        result = json.loads(out.out)
        rates[label] = n / result["finish"]["wall"]
        print(f"   {label:16} {rates[label]:6.1f} recorded results/s (gate finish: {ms(result['finish']['wall'] / n)} "
              f"each, of which this process's CPU {ms(result['finish']['cpu'] / n)}); gate start "
              f"{n / result['start']['wall']:.1f}/s; CPU of the children (git, the checks' forks) "
              f"{ms((children_cpu() - cpu_before - result['finish']['cpu'] - result['start']['cpu']) / n)} "
              "per start and finish", flush=True)
        commits_made = int(git(root, "rev-list", "--count", "HEAD"))
        verify = subprocess.run([str(Path(PYTHON).parent / "runner"), "verify", "--repo", str(root)],
                                capture_output=True, check=False, text=True)
        print(f"   {'':16} {commits_made} commits in all; runner verify "
              f"{'passes' if verify.returncode == 0 else 'FAILS: ' + verify.stdout[:600] + verify.stderr[-300:]}")
    print(f"   grouped / one commit each: {rates['grouped'] / rates['one commit each']:.2f} x")


def bench(tmp: Path, n_big: int, repeat: int) -> None:
    only = os.environ.get("BENCH_ONLY", "")
    quick = n_big < 10_000
    if only in ("", "groups"):
        groups(tmp, 200 if quick else 1000)
    if only in ("", "sizes", "index"):
        template = real_records(tmp)
        if only in ("", "sizes"):
            counts = [10, 1000, 10_000, n_big] if not quick else [10, n_big]
            sizes(tmp, template, sorted(set(counts)), repeat)
        if only in ("", "index"):
            index_settings(tmp, template, min(n_big, 10_000), repeat)


if __name__ == "__main__":
    if "--only" in sys.argv:
        at = sys.argv.index("--only")
        os.environ["BENCH_ONLY"] = sys.argv[at + 1]
        del sys.argv[at:at + 2]
    run("bench_commit", __doc__, bench, Size("--runs", 100_000, 2000, "runs in the biggest workspace"), repeat=12)
