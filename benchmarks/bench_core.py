"""Speed goals of the core, measured (a report, not a test: it always exits 0).

    .venv/bin/python benchmarks/bench_core.py [--only gate,hash,commit,list] [--quick]

Goals (each printed with a baseline measured in the same run and the ratio against
the goal):

  gate    `runner gate start` and `runner gate finish` of a gate with 3 small
          outputs, commit included, as real subprocesses of .venv/bin/runner:
          median wall time <= 150 ms each. Baseline: the bare interpreter start-up.
  hash    runner.hashing.sha256_file on a 1 GiB file: >= 85 % of a bare hashlib
          loop's throughput, memory flat (peak RSS from resource.getrusage).
  commit  runner.git.commit_files with 10,000 runs already recorded in history:
          <= 1.5 x the cost with 10 runs.
  list    `runner run list` with 10,000 runs: < 1 s.

Every section builds its own temporary git workspace (deleted at the end unless
--keep). Timings are medians of interleaved repetitions; the load average is
printed, because other processes on a small machine move the figures."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUNNER = str(BIN / "runner") if (BIN / "runner").exists() else None
PYTHON = sys.executable
sys.path.insert(0, str(REPO))

HEAVY = ("pydantic", "pydantic_core", "yaml", "jsonschema", "urllib.request", "http.client", "git",
         "concurrent.futures", "numpy", "cv2", "mediapipe", "email.message", "importlib.metadata")


# --------------------------------------------------------------------------- helpers

CODE: str | None = None  # --code: another checkout's runner package to measure instead


def env() -> dict[str, str]:
    """An isolated git (no global or system config), as the tests use."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TEMPLATE_DIR=str(_template()))
    if CODE:
        e["PYTHONPATH"] = CODE + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    # Byte code cached as on a user's machine (a session may set PYTHONDONTWRITEBYTECODE,
    # which makes every command compile runner's modules again), kept out of the checkout.
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYTHONPYCACHEPREFIX"] = str(_template().parent / (_template().name + "-pycache"))
    return e


_TEMPLATE: Path | None = None


def _template() -> Path:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Path(tempfile.mkdtemp(prefix="bench-git-template-"))
    return _TEMPLATE


def sh(argv: list[str], cwd: Path | None = None, input: bytes | None = None, check: bool = True) -> str:
    result = subprocess.run(argv, cwd=cwd, input=input, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{result.stderr.decode()}")
    return result.stdout.decode()


def git(root: Path, *args: str, input: bytes | None = None) -> str:
    return sh(["git", *args], cwd=root, input=input)


def make_repo(path: Path) -> Path:
    """Same set-up as tests/conftest.py make_repo."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Ada Tester")
    git(path, "config", "user.email", "ada@example.org")
    return path


def make_workspace(path: Path) -> Path:
    """A runner workspace with the essay workflow, committed."""
    make_repo(path)
    code = "import sys; from pathlib import Path; from runner import workspace; workspace.init(Path(sys.argv[1]))"
    sh([PYTHON, "-c", code, str(path)], cwd=path)
    shutil.copytree(REPO / "contracts", path / "contracts", dirs_exist_ok=True)
    shutil.copytree(REPO / "orchestration", path / "orchestration", dirs_exist_ok=True)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "workspace")
    return path


CPU: list[float] = []  # CPU seconds (user + system) of the last runner() call, git children included


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def runner(root: Path, *args: str, check: bool = True) -> tuple[float, str]:
    """Run `runner ARGS` as a real subprocess; (wall seconds, stdout)."""
    argv = [RUNNER, *args] if RUNNER else [PYTHON, "-m", "runner", *args]
    cpu = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=root, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    CPU[:] = [_children_cpu() - cpu]
    if check and result.returncode not in (0, 1):
        raise SystemExit(f"failed: runner {' '.join(args)}\n{result.stderr.decode()}")
    return elapsed, result.stdout.decode()


def write_outputs(root: Path, gate: str) -> None:
    sh([PYTHON, str(REPO / "examples" / "write_outputs.py"), gate, "--artifact-path", "essays/robot",
        "--slug", "robot"], cwd=root)


def timed(argv: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:7.1f} ms"


def stats(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    return f"median {ms(statistics.median(values))}  min {ms(values[0])}  p90 {ms(p90)}  (n={len(values)})"


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def header(title: str) -> None:
    print(f"\n== {title}\n   {load()}", flush=True)


# --------------------------------------------------------------------------- goal 1

def bench_gate(tmp: Path, repeat: int) -> dict:
    header("goal 1: runner gate start / gate finish, 3 small outputs, commit included (<= 150 ms each)")
    root = make_workspace(tmp / "gate")
    (root / "notes.txt").write_text("a user's staged change\n")
    git(root, "add", "notes.txt")
    _, out = runner(root, "run", "start", "--workflow", "essay", "--slug", "robot", "--artifact-path", "essays/robot")
    run_id = out.strip()
    write_outputs(root, "G1")
    runner(root, "gate", "start", "--run", run_id, "--gate", "G1")
    runner(root, "gate", "finish", "--run", run_id, "--gate", "G1")
    write_outputs(root, "G2")  # CITATIONS.md, TIMELINE.md, FIGURES.md
    starts, finishes, bare, version, cpu_s, cpu_f = [], [], [], [], [], []
    for i in range(repeat + 1):
        b = timed([PYTHON, "-c", "pass"])
        v = timed([RUNNER, "--version"] if RUNNER else [PYTHON, "-m", "runner", "--version"])
        s, _ = runner(root, "gate", "start", "--run", run_id, "--gate", "G2")
        cs = CPU[0]
        f, out = runner(root, "gate", "finish", "--run", run_id, "--gate", "G2")
        cf = CPU[0]
        if i == 0:
            if "PASS" not in out:
                raise SystemExit(f"G2 did not pass:\n{out}")
            continue  # warm-up (page cache, .pyc)
        bare.append(b)
        version.append(v)
        starts.append(s)
        finishes.append(f)
        cpu_s.append(cs)
        cpu_f.append(cf)
    status = git(root, "status", "--short")
    record_dirty = [line for line in status.splitlines() if "runs/" in line]
    staged = any(line.startswith("A  notes.txt") for line in status.splitlines())
    print(f"   baseline  python -c pass          {stats(bare)}")
    print(f"   baseline  runner --version        {stats(version)}")
    print(f"   gate start                        {stats(starts)}")
    print(f"   gate finish                       {stats(finishes)}")
    print(f"   CPU time (runner + its git processes): start {stats(cpu_s)}")
    print(f"                                          finish {stats(cpu_f)}")
    s_med, f_med = statistics.median(starts), statistics.median(finishes)
    print(f"   start:  {s_med / 0.150:.2f} x the goal -> {verdict(s_med <= 0.150)};  "
          f"above bare start-up: {ms(s_med - statistics.median(bare))}")
    print(f"   finish: {f_med / 0.150:.2f} x the goal -> {verdict(f_med <= 0.150)};  "
          f"above bare start-up: {ms(f_med - statistics.median(bare))}")
    scale = _machine_scale(statistics.median(bare))
    goal = 0.150 * scale
    print(f"   this machine against the goal's reference (imports of GitPython and jsonschema, about 85 ms each "
          f"there): {scale:.2f} x as slow; the goal scaled: {ms(goal)} -> start {verdict(s_med <= goal)}, "
          f"finish {verdict(f_med <= goal)}")
    print(f"   after the runs: records clean in `git status`: {not record_dirty}; "
          f"user's staged file still staged: {staged}")
    _gate_details(root, run_id)
    return {"start_s": s_med, "finish_s": f_med, "bare_s": statistics.median(bare)}


def _machine_scale(bare: float) -> float:
    """How much slower this machine imports than the one the goal was written on, where
    importing GitPython and jsonschema each took about 85 ms (over the bare start-up)."""
    ratios = []
    for module in ("git", "jsonschema"):
        times = [timed([PYTHON, "-c", f"import {module}"]) for _ in range(7)]
        ratios.append((statistics.median(times[1:]) - bare) / 0.085)
    for module, ratio in zip(("GitPython", "jsonschema"), ratios):
        print(f"   reference import {module:10}        {ms(ratio * 0.085)} over bare start-up")
    return statistics.mean(ratios)


def _gate_details(root: Path, run_id: str) -> None:
    """Which heavy modules each command imports, and how many git processes it starts."""
    probe = (
        "import sys, json\n"
        "from runner.cli.main import main\n"
        "rc = main(sys.argv[1:])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('\\nPROBE ' + json.dumps({'rc': rc, 'heavy': heavy, 'modules': len(sys.modules)}))\n"
    )
    shim_dir = root.parent / "git-shim"
    shim_dir.mkdir(exist_ok=True)
    real_git = shutil.which("git")
    log = shim_dir / "calls.log"
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\nfor a in "$@"; do case "$a" in -c|*=*) ;; *) echo "$a" >> "{log}"; break;; esac; done\n'
                    f'exec "{real_git}" "$@"\n')
    shim.chmod(0o755)
    for command in ("start", "finish"):
        log.write_text("")
        e = env()
        e["PATH"] = f"{shim_dir}{os.pathsep}{e.get('PATH', '')}"
        result = subprocess.run([PYTHON, "-c", probe, "gate", command, "--run", run_id, "--gate", "G2"],
                                cwd=root, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = next((l for l in result.stdout.decode().splitlines() if l.startswith("PROBE ")), None)
        info = json.loads(line[6:]) if line else {"heavy": "?", "modules": "?"}
        calls = log.read_text().split()
        print(f"   gate {command:6}: {len(calls)} git processes ({', '.join(calls)}); "
              f"{info['modules']} modules; heavy ones imported: {', '.join(info['heavy']) or 'none'}")


# --------------------------------------------------------------------------- goal 2

HASH_CHILD = r"""
import hashlib, resource, sys, time
path, mode, chunk = sys.argv[1], sys.argv[2], 1 << 20
if mode == "runner":
    from runner.hashing import sha256_file
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if mode == "bare":
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    digest = h.hexdigest()
else:
    digest = sha256_file(path)
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(digest, elapsed, before, after)
"""


def bench_hash(tmp: Path, repeat: int, size_mib: int) -> dict:
    header(f"goal 2: sha256_file on a {size_mib} MiB file (>= 85 % of a bare hashlib loop, memory flat)")
    path = tmp / "big.bin"
    block = os.urandom(1 << 20)
    with open(path, "wb") as fh:
        for i in range(size_mib):
            fh.write(i.to_bytes(8, "little") + block[8:])
    size = path.stat().st_size
    results: dict[str, list[tuple[float, int, int]]] = {"bare": [], "runner": []}
    digests = set()
    for i in range(repeat + 1):
        for mode in ("bare", "runner") if i % 2 == 0 else ("runner", "bare"):
            out = subprocess.run([PYTHON, "-c", HASH_CHILD, str(path), mode], cwd=tmp, env=env(),
                                 stdout=subprocess.PIPE, check=True).stdout.decode().split()
            digests.add(out[0])
            if i:  # the first round warms the page cache
                results[mode].append((float(out[1]), int(out[2]), int(out[3])))
    tput = {m: [size / r[0] / 1e6 for r in rs] for m, rs in results.items()}
    bare, ours = statistics.median(tput["bare"]), statistics.median(tput["runner"])
    print(f"   baseline  bare hashlib loop   median {bare:7.0f} MB/s  (runs: {', '.join(f'{t:.0f}' for t in tput['bare'])})")
    print(f"   sha256_file                   median {ours:7.0f} MB/s  (runs: {', '.join(f'{t:.0f}' for t in tput['runner'])})")
    ratio = ours / bare
    print(f"   ratio {ratio * 100:.1f} % of bare (goal >= 85 %) -> {verdict(ratio >= 0.85)}; same digest: {len(digests) == 1}")
    for mode in ("bare", "runner"):
        before = max(r[1] for r in results[mode])
        after = max(r[2] for r in results[mode])
        print(f"   peak RSS {mode:6}: {after / 1024:6.1f} MiB after hashing, {before / 1024:6.1f} MiB before "
              f"(+{(after - before) / 1024:.1f} MiB for {size / 2**20:.0f} MiB hashed)")
    path.unlink()
    return {"ratio": ratio}


# --------------------------------------------------------------------------- shared: real records

def real_records(tmp: Path) -> dict[str, bytes]:
    """A run of the essay workflow taken through G1..G3 and completed by the runner:
    its record files (workspace-relative path -> bytes), used as templates."""
    root = make_workspace(tmp / "template")
    _, out = runner(root, "run", "start", "--workflow", "essay", "--slug", "robot", "--artifact-path", "essays/robot")
    run_id = out.strip()
    for gate in ("G1", "G2", "G3"):
        write_outputs(root, gate)
        runner(root, "gate", "start", "--run", run_id, "--gate", gate)
        runner(root, "gate", "finish", "--run", run_id, "--gate", gate)
    runner(root, "run", "complete", "--run", run_id)
    record = root / "runs" / run_id / "record"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(record.rglob("*.json"))}
    files["__run_id__"] = run_id.encode()
    return files


STATUSES = ("PASSED", "PASSED", "PASSED", "FAILED", "RUNNING", "CANCELED")


def vary(template: dict[str, bytes], n: int) -> tuple[str, dict[str, bytes]]:
    """The n-th generated run: the template with another id, start time and status."""
    old = template["__run_id__"].decode()
    day = 1 + n % 28
    stamp = f"2025{1 + n // 1000 % 12:02d}{day:02d}T{n // 3600 % 24:02d}{n // 60 % 60:02d}{n % 60:02d}Z"
    new = f"run_{stamp}_essay-{n}_{n:06x}"
    out = {}
    for rel, data in template.items():
        if rel == "__run_id__":
            continue
        text = data.decode().replace(old, new)
        if rel.endswith("RUN.json"):
            run = json.loads(text)
            run["started_at"] = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
            run["status"] = STATUSES[n % len(STATUSES)]
            text = json.dumps(run, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        out[rel.replace(old, new)] = text.encode()
    return new, out


# --------------------------------------------------------------------------- goal 3

def history_repo(path: Path, template: dict[str, bytes], n_runs: int, per_commit: int = 500) -> Path:
    """A workspace whose history already holds `n_runs` runs, built with one
    `git fast-import` stream (commits of `per_commit` runs each), then the index reset
    to HEAD as a user's checkout would have it."""
    root = make_workspace(path)
    head = git(root, "rev-parse", "HEAD").strip()
    chunks: list[bytes] = []
    mark = 0
    for start in range(0, n_runs, per_commit):
        lines = []
        for n in range(start, min(start + per_commit, n_runs)):
            _, files = vary(template, n)
            for rel, data in files.items():
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
    # A user's checkout: every recorded file in the work tree and the index (with its
    # cache-tree), written once more after the racy-git window so that it is settled.
    git(root, "reset", "--hard", "-q")
    time.sleep(1.1)
    git(root, "update-index", "-q", "--refresh", "--force-write-index")
    return root


COMMIT_CHILD = r"""
import json, sys, time
from pathlib import Path
from runner import git
root = Path(sys.argv[1]); rel = sys.argv[2]; repeat = int(sys.argv[3])
author = git.Identity("Ada Tester", "ada@example.org")
index_s = []
_refresh = git._refresh_index


def timed_refresh(*args, **kwargs):  # the user's index update, timed apart
    started = time.perf_counter()
    try:
        return _refresh(*args, **kwargs)
    finally:
        index_s.append(time.perf_counter() - started)


git._refresh_index = timed_refresh
run_file = root / rel
gates = run_file.parent / "gates" / "G9"
gates.mkdir(parents=True, exist_ok=True)
times = []
for i in range(repeat + 1):
    run_file.write_text(run_file.read_text() + " ")
    attempt = gates / f"attempt-{i + 1}.json"
    attempt.write_text(json.dumps({"attempt": i + 1}) + "\n")
    paths = [rel, attempt.relative_to(root).as_posix()]
    started = time.perf_counter()
    git.commit_files(root, root / ".git", paths, f"runner: bench {i}\n\nOp: bench\n", author)
    if i:
        times.append(time.perf_counter() - started)
print(json.dumps({"total": times, "index": index_s[1:]}))
"""


def _git_add_one(root: Path, n: int) -> list[float]:
    """What git itself pays to add one file to this repository's index."""
    blob = git(root, "hash-object", "-w", "--stdin", input=b"bench\n").strip()
    times = []
    for _ in range(n):
        name = f"bench-add/{time.monotonic_ns()}"
        started = time.perf_counter()
        sh(["git", "update-index", "--add", "--index-info"], cwd=root, input=f"100644 {blob}\t{name}\n".encode())
        times.append(time.perf_counter() - started)
    return times


def bench_commit(tmp: Path, repeat: int, n_big: int) -> dict:
    header(f"goal 3: git.commit_files with {n_big} runs in history (<= 1.5 x the cost with 10 runs)")
    template = real_records(tmp)
    built = time.perf_counter()
    small = history_repo(tmp / "hist-10", template, 10)
    big = history_repo(tmp / f"hist-{n_big}", template, n_big)
    print(f"   built both histories in {time.perf_counter() - built:.1f} s "
          f"({git(big, 'rev-list', '--count', 'HEAD').strip()} commits, "
          f"{len(git(big, 'ls-files').splitlines())} files in the big one)")
    # A typical gate-finish commit: RUN.json changed and a new attempt file, in an existing run.
    rel_small = vary(template, 5)[0]
    rel_big = vary(template, n_big // 2)[0]
    for root, run_id in ((small, rel_small), (big, rel_big)):
        git(root, "checkout", "HEAD", "--", f"runs/{run_id}")
    times = {"10": [], str(n_big): []}
    index = {"10": [], str(n_big): []}
    plain = {"10": [], str(n_big): []}
    rounds = 3
    for r in range(rounds):
        for label, root, run_id in (("10", small, rel_small), (str(n_big), big, rel_big))[:: 1 if r % 2 == 0 else -1]:
            out = subprocess.run([PYTHON, "-c", COMMIT_CHILD, str(root), f"runs/{run_id}/record/RUN.json",
                                  str(max(1, repeat // rounds))], cwd=tmp, env=env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            if out.returncode:
                raise SystemExit(out.stderr.decode())
            result = json.loads(out.stdout)
            times[label] += result["total"]
            index[label] += result["index"]
            plain[label] += _git_add_one(root, 5)
    base, heavy = statistics.median(times["10"]), statistics.median(times[str(n_big)])
    print(f"   baseline  10 runs          {stats(times['10'])}")
    print(f"   {n_big:>6} runs               {stats(times[str(n_big)])}")
    ratio = heavy / base
    print(f"   ratio {ratio:.2f} x (goal <= 1.5 x) -> {verdict(ratio <= 1.5)}")
    b_ix, h_ix = statistics.median(index["10"]), statistics.median(index[str(n_big)])
    print(f"   of which the update of the user's index (git update-index): {ms(b_ix)} vs {ms(h_ix)}")
    print(f"   without it: {ms(base - b_ix)} vs {ms(heavy - h_ix)} = {(heavy - h_ix) / (base - b_ix):.2f} x")
    print(f"   git's own floor, `git update-index --add` of one file (any `git add` pays it): "
          f"{ms(statistics.median(plain['10']))} vs {ms(statistics.median(plain[str(n_big)]))}")
    status = git(big, "status", "--short", "--", f"runs/{rel_big}")
    print(f"   records clean in `git status` after the commits: {not status.strip()}")
    # What a user of a very large workspace can choose: git's split index, with which
    # every index write (theirs and the runner's) rewrites only the changed entries.
    split = {}
    for label, root, run_id in (("10", small, rel_small), (str(n_big), big, rel_big)):
        git(root, "config", "core.splitIndex", "true")
        git(root, "update-index", "--split-index")
        out = subprocess.run([PYTHON, "-c", COMMIT_CHILD, str(root), f"runs/{run_id}/record/RUN.json",
                              str(max(3, repeat // rounds))], cwd=tmp, env=env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        if out.returncode:
            raise SystemExit(out.stderr.decode())
        split[label] = json.loads(out.stdout)["total"]
    s_base, s_heavy = statistics.median(split["10"]), statistics.median(split[str(n_big)])
    print(f"   with `git config core.splitIndex true` (a user's choice): {ms(s_base)} vs {ms(s_heavy)} = "
          f"{s_heavy / s_base:.2f} x")
    return {"ratio": ratio, "small_s": base, "big_s": heavy}


# --------------------------------------------------------------------------- goal 4

def bench_list(tmp: Path, repeat: int, n_big: int) -> dict:
    header(f"goal 4: runner run list with {n_big} runs (< 1 s)")
    template = real_records(tmp)
    root = make_workspace(tmp / "list")
    small = make_workspace(tmp / "list-10")
    for target, count in ((root, n_big), (small, 10)):
        for n in range(count):
            _, files = vary(template, n)
            for rel, data in files.items():
                if rel.endswith("RUN.json"):
                    p = target / rel
                    p.parent.mkdir(parents=True, exist_ok=True)
                    p.write_bytes(data)
    size = sum(p.stat().st_size for p in (root / "runs").glob("*/record/RUN.json"))
    print(f"   {n_big} RUN.json files, {size / 1e6:.1f} MB")
    read_only = (
        "import json, os, sys, time\n"
        "t = time.perf_counter(); runs = sys.argv[1]\n"
        "for name in sorted(os.listdir(runs)):\n"
        "    p = os.path.join(runs, name, 'record', 'RUN.json')\n"
        "    if os.path.isfile(p):\n"
        "        json.loads(open(p, 'rb').read())\n"
        "print(time.perf_counter() - t)\n"
    )
    times = {"list": [], "json": [], "small": [], "floor": []}
    for i in range(repeat + 1):
        lst, out = runner(root, "run", "list")
        js, _ = runner(root, "run", "list", "--json")
        sm, _ = runner(small, "run", "list")
        floor = float(sh([PYTHON, "-c", read_only, str(root / "runs")]))
        if i == 0:
            first = lst  # no cache yet: every RUN.json decoded, as after a fresh clone
            rows = len(out.splitlines()) - 1
            if rows != n_big:
                print(f"   WARNING: run list printed {rows} rows, expected {n_big}")
            continue
        times["list"].append(lst)
        times["json"].append(js)
        times["small"].append(sm)
        times["floor"].append(floor)
    print(f"   baseline  run list, 10 runs            {stats(times['small'])}")
    print(f"   baseline  json.loads of every RUN.json {stats(times['floor'])}  (in-process, no start-up)")
    print(f"   run list, {n_big} runs              {stats(times['list'])}")
    print(f"   run list --json, {n_big} runs       {stats(times['json'])}")
    print(f"   the first run list (no cache yet)     {ms(first)}")
    med = statistics.median(times["list"])
    print(f"   {med:.2f} s = {med / 1.0:.2f} x the goal -> {verdict(med < 1.0)}")
    return {"list_s": med}


# --------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="gate,hash,commit,list", help="comma-separated sections")
    parser.add_argument("--repeat", type=int, default=0, help="repetitions per measurement (default per section)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not the goals)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    parser.add_argument("--code", help="measure the runner package of another checkout (its root folder), "
                                       "e.g. an export of the previous commit, with this venv")
    args = parser.parse_args()
    global CODE
    CODE = str(Path(args.code).resolve()) if args.code else None
    only = set(args.only.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="bench-core-"))
    n_big = 500 if args.quick else 10_000
    print(f"bench_core: python {sys.version.split()[0]}, git {sh(['git', '--version']).split()[-1]}, {load()}")
    where = sh([PYTHON, "-c", "import runner, os; print(os.path.dirname(os.path.dirname(runner.__file__)))"], cwd=tmp)
    print(f"measuring the runner package of {where.strip()}")
    results = {}
    try:
        if "gate" in only:
            results["gate"] = bench_gate(tmp, args.repeat or (5 if args.quick else 15))
        if "hash" in only:
            results["hash"] = bench_hash(tmp, args.repeat or 3, 64 if args.quick else 1024)
        if "commit" in only:
            results["commit"] = bench_commit(tmp, args.repeat or (6 if args.quick else 30), n_big)
        if "list" in only:
            results["list"] = bench_list(tmp, args.repeat or 5, n_big)
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if _TEMPLATE is not None:
            shutil.rmtree(_TEMPLATE, ignore_errors=True)
            shutil.rmtree(_TEMPLATE.parent / (_TEMPLATE.name + "-pycache"), ignore_errors=True)
    print(f"\ndone; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
