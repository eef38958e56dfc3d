"""Speed of `runner verify` (a report, not a test: it always exits 0).

    .venv/bin/python benchmarks/bench_verify.py [--runs 1000] [--repeat 3] [--history per-run|per-op|both]
                                                [--profile] [--keep]

Goals (from the issue "Audit you can trust"):

  whole   `runner verify` over 1,000 runs x 5 attempts with 3 small artifacts each
          (5,000 attempt files, 15,000 outputs): < 10 s.
  since   `runner verify --since REV` where REV..HEAD holds one new run: < 1 s.

The records are made with the real models (runner.models.run, session.append_event for
the hash chain, the canonical JSON writer) and committed with `git fast-import`, not by
5,000 runner calls. Every commit is a runner commit of one run (subject `runner: <id>`,
a Run-Id trailer): a commit holding the records of many runs cannot be a runner commit
of each, and verify would rightly report every record. Two histories:

  per-run  one commit per run holding its final records (1,000 commits);
  per-op   what the runner really leaves: a commit for the start, one per attempt
           (the attempt file and RUN.json) and one for the completion, so 7 commits
           and 7 versions of RUN.json per run (7,000 commits) that verify reads back.

The new run of the `since` case is committed with runner.git.commit_files, the
runner's own commit path, and its outputs in a commit of the user's (so that --since
also scans the runs for ones that recorded a changed output). Timings are wall times of the installed console script
(interpreter start-up included), medians of --repeat runs; the baseline is
`runner --version`. The load average is printed because other processes move the figures."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

from common import REPO, RUNNER, git, header, make_repo, session, stats, timed

sys.path.insert(0, str(REPO))  # the runner's models are used in this process

from runner import __version__, jsonio, workspace  # noqa: E402
from runner.git import Identity, trailers  # noqa: E402
from runner.git.commit import commit_files
from runner.hashing import sha256_bytes  # noqa: E402
from runner.models.base import to_data  # noqa: E402
from runner.models.run import (  # noqa: E402
    Actor,
    Artifact,
    ArtifactIndexEntry,
    Attempt,
    AttemptRef,
    ContractRef,
    GateState,
    Run,
    ValidationResult,
    WorkflowRef,
)
from runner.run.transitions import append_event

GATES = ("G1", "G2", "G3", "G4", "G5")
OUTPUTS = 3
ACTOR = Actor(name="Ada Tester", email="ada@example.org")
GOALS = {"whole": 10.0, "since": 1.0}


# --------------------------------------------------------------------------- helpers

def verify(root: Path, *args: str) -> tuple[float, float, int, list[str]]:
    """(wall s, CPU s of the runner and its git processes, exit code, last stderr line)."""
    sample = timed([*RUNNER, *args], root, ok=None)
    return sample.wall, sample.cpu, sample.code, sample.err.strip().splitlines()[-1:]


# --------------------------------------------------------------------------- records

def contract_bytes(gate: str) -> bytes:
    return jsonio.dumps({"gate": gate, "name": f"Gate {gate}", "required_outputs": [f"{{artifact_path}}/{gate}-1.md"],
                         "validations": [{"type": "file_exists", "target": f"{{artifact_path}}/{gate}-1.md"}]}).encode()


def make_run(n: int, contracts: dict[str, str]) -> tuple[str, dict[str, bytes], list[tuple[str, dict[str, bytes]]]]:
    """Run n: its outputs (path -> bytes), and its commits [(message, {record path: bytes})]."""
    run_id = f"run_20250101T000000Z_essay-{n}_{n:06x}"
    art = f"essays/e{n}"
    rec = f"runs/{run_id}/record"
    run = Run(run_id=run_id, workflow=WorkflowRef(name="bench", version="1", slug=f"e{n}", artifact_path=art),
              status="RUNNING", started_at="2025-01-01T00:00:00.000Z", created_by=ACTOR, runner_version=__version__,
              gates=[GateState(gate=g, name=f"Gate {g}") for g in GATES])
    append_event(run, "run_started", ACTOR, workflow="bench", depth="standard")
    outputs: dict[str, bytes] = {}
    commits = [(message(run_id, "start (bench)", "QUEUED", "run-start"),
                {f"{rec}/RUN.json": jsonio.dumps(to_data(run)).encode()})]
    for k, gate in enumerate(GATES):
        state = run.gates[k]
        append_event(run, "gate_started", ACTOR, gate=gate, attempt=1, agent="writer")
        artifacts, checks = [], []
        for j in range(1, OUTPUTS + 1):
            path = f"{art}/{gate}-{j}.md"
            data = (f"# Run {n}, gate {gate}, output {j}\n\n" + "Some content of a small output.\n" * 12).encode()
            outputs[path] = data
            artifacts.append(Artifact(path=path, exists=True, sha256=sha256_bytes(data), size=len(data), kind="file"))
            checks.append(ValidationResult(index=j - 1, type="file_exists", status="PASS", target=path,
                                           message=f"{path} exists", details={"present": [path]}))
        attempt = Attempt(run_id=run_id, gate=gate, attempt=1, status="PASS", started_at="2025-01-01T00:00:01.000Z",
                          finished_at=f"2025-01-01T00:00:0{k + 2}.000Z", agent="writer", started_by=ACTOR,
                          finished_by=ACTOR, runner_version=__version__, depth="standard",
                          contract=ContractRef(path=f"contracts/{gate}.contract.json", sha256=contracts[gate]),
                          required_outputs=[a.path for a in artifacts], artifacts=artifacts, validations=checks)
        attempt_bytes = jsonio.dumps(to_data(attempt)).encode()
        attempt_path = f"{rec}/gates/{gate}/attempt-1.json"
        state.attempts.append(AttemptRef(attempt=1, status="PASS", file=attempt_path,
                                         sha256=sha256_bytes(attempt_bytes), finished_at=attempt.finished_at))
        state.status = "PASS"
        run.artifacts_index += [ArtifactIndexEntry(path=a.path, sha256=a.sha256, size=a.size, gate=gate, attempt=1)
                                for a in artifacts]
        append_event(run, "gate_finished", ACTOR, gate=gate, attempt=1, status="PASS")
        commits.append((message(run_id, f"gate {gate} attempt 1 PASS", "PASS", "gate-finish", gate),
                        {attempt_path: attempt_bytes, f"{rec}/RUN.json": jsonio.dumps(to_data(run)).encode()}))
    run.status, run.finished_at = "PASSED", "2025-01-01T00:00:09.000Z"
    append_event(run, "run_completed", ACTOR, status="PASSED")
    commits.append((message(run_id, "complete PASSED", "PASSED", "run-complete"),
                    {f"{rec}/RUN.json": jsonio.dumps(to_data(run)).encode()}))
    return run_id, outputs, commits


def message(run_id: str, subject: str, status: str, op: str, gate: str | None = None) -> str:
    fields = {"Run-Id": run_id, "Gate": gate, "Attempt": 1 if gate else None, "Status": status, "Op": op,
              "Actor": f"{ACTOR.name} <{ACTOR.email}>", "Runner-Version": __version__}
    return f"runner: {run_id} {subject}\n\n{trailers(fields)}\n"


def build(root: Path, n_runs: int, history: str) -> dict[str, str]:
    """A workspace with `n_runs` runs in its history and its work tree."""
    make_repo(root)
    workspace.init(root)
    contracts = {}
    for gate in GATES:
        data = contract_bytes(gate)
        (root / "contracts" / f"{gate}.contract.json").write_bytes(data)
        contracts[gate] = sha256_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: set up the workspace")
    head = git(root, "rev-parse", "HEAD").strip()
    stream, when = [], 1700000000
    for n in range(n_runs):
        _run_id, outputs, commits = make_run(n, contracts)
        for path, data in outputs.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if history == "per-run":
            final: dict[str, bytes] = {}
            for _, files in commits:
                final.update(files)
            commits = [(commits[-1][0], final)]
        for msg, files in commits:
            when += 1
            stream.append(b"commit refs/heads/main\ncommitter Ada Tester <ada@example.org> %d +0000\ndata %d\n%s\n"
                          % (when, len(msg.encode()), msg.encode()))
            if head:
                stream.append(b"from %s\n" % head.encode())
                head = ""
            for path, data in sorted(files.items()):
                stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
            stream.append(b"\n")
    git(root, "fast-import", "--quiet", "--force", input=b"".join(stream))
    git(root, "reset", "--hard", "-q")  # the records into the work tree and the index, as a checkout has them
    time.sleep(1.1)  # past the racy-git window, so that the index's stat data is trusted
    git(root, "update-index", "-q", "--refresh")
    return contracts


def add_run(root: Path, n: int, contracts: dict[str, str]) -> str:
    """One more run, committed the runner's way (runner.git.commit_files)."""
    run_id, outputs, commits = make_run(n, contracts)
    for path, data in outputs.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    for msg, files in commits:
        for path, data in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        commit_files(root, root / ".git", sorted(files), msg, Identity(ACTOR.name, ACTOR.email))
    git(root, "add", *outputs)  # the outputs too, as a pull request would have them: --since then also
    git(root, "commit", "-q", "-m", f"user: the outputs of {run_id}")  # looks for runs that recorded them
    return run_id


# --------------------------------------------------------------------------- the benchmark

def bench(tmp: Path, n_runs: int, history: str, repeat: int, profile: bool) -> dict:
    header(f"runner verify, {n_runs} runs x {len(GATES)} attempts x {OUTPUTS} outputs, history {history}")
    root = tmp / f"ws-{history}"
    started = time.perf_counter()
    contracts = build(root, n_runs, history)
    print(f"   built in {time.perf_counter() - started:.1f} s: {git(root, 'rev-list', '--count', 'HEAD').strip()} "
          f"commits, {len(git(root, 'ls-files', 'runs').splitlines())} record files")
    baseline = [verify(root, "--version")[0] for _ in range(repeat)]
    whole, whole_cpu, codes, last = [], [], set(), []
    for _ in range(repeat):
        seconds, cpu, code, last = verify(root, "verify")
        whole.append(seconds)
        whole_cpu.append(cpu)
        codes.add(code)
    print(f"   baseline  runner --version    {stats(baseline)}")
    print(f"   verify (whole)              {stats(whole)}   exit {sorted(codes)}")
    print(f"                         CPU   {stats(whole_cpu)}   {' '.join(last)}")
    if profile:
        _profile(root)
    base = git(root, "rev-parse", "HEAD").strip()
    add_run(root, n_runs, contracts)
    since, since_cpu, codes = [], [], set()
    for _ in range(max(repeat, 5)):
        seconds, cpu, code, last = verify(root, "verify", "--since", base)
        since.append(seconds)
        since_cpu.append(cpu)
        codes.add(code)
    print(f"   verify --since (1 new run)  {stats(since)}   exit {sorted(codes)}")
    print(f"                         CPU   {stats(since_cpu)}   {' '.join(last)}")
    figures = {"whole": statistics.median(whole), "since": statistics.median(since)}
    cpu = {"whole": statistics.median(whole_cpu), "since": statistics.median(since_cpu)}
    for name, value in figures.items():
        goal = GOALS[name]
        print(f"   {name:6} wall {value:6.2f} s = {value / goal:.2f} x the goal ({goal:.0f} s) -> "
              f"{'MET' if value < goal else 'NOT MET'};  CPU {cpu[name]:6.2f} s = {cpu[name] / goal:.2f} x the goal")
    print(f"   whole / since = {figures['whole'] / figures['since']:.1f} x;  "
          f"since / runner --version = {figures['since'] / statistics.median(baseline):.1f} x")
    return figures


def _profile(root: Path) -> None:
    try:  # the layout since runner/verify is a package
        from runner.verify.audit import verify
    except ImportError:  # the layout before
        from runner.verify import verify

    ws = workspace.find(root)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(verify, ws)
    print(f"   in process: {time.perf_counter() - started:.2f} s; the top of the profile:")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    print("\n".join("      " + line for line in out.getvalue().splitlines()[6:30] if line.strip()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", choices=("per-run", "per-op", "both"), default="both")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one whole verify")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    args = parser.parse_args()
    with session("bench_verify", args.keep) as tmp:
        for history in (("per-run", "per-op") if args.history == "both" else (args.history,)):
            bench(tmp, args.runs, history, args.repeat, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
