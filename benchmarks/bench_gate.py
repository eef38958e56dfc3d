"""`runner gate start` and `runner gate finish` of a gate with 3 small outputs, commit
included, as real subprocesses of .venv/bin/runner (a report: it always exits 0).

    .venv/bin/python benchmarks/bench_gate.py [--quick] [--repeat N] [--keep] [--code DIR]

Goals:
  speed   the median wall time of each command <= 1.5 x the median of
          `python -c "import click"` (the start-up any click CLI pays), measured
          interleaved in the same run: baseline, command, baseline, command...
          Cold (the first start and finish in a fresh clone) as well as warm.
  git     at most 2 git processes per record commit, counted with a `git` shim first
          on PATH that logs each process it starts and execs the real git."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from common import (
    CHILD,
    PYTHON,
    Sample,
    clone,
    git,
    header,
    interleaved,
    make_workspace,
    median,
    ms,
    parse,
    pass_gate,
    runner,
    session,
    start_run,
    stats,
    timed,
    verdict,
    write_outputs,
)

GOAL = 1.5  # x the baseline
GIT_GOAL = 2  # git processes per record commit
GATE = "G2"  # CITATIONS.md, TIMELINE.md, FIGURES.md


def baseline() -> Sample:
    return timed([PYTHON, "-c", "import click"])


def prepare(tmp: Path) -> tuple[Path, str]:
    """A workspace whose run has passed G1, everything committed: the source of the clones."""
    seed = make_workspace(tmp / "seed")
    run_id = start_run(seed)
    pass_gate(seed, run_id, "G1")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "user: the outputs of G1")
    return seed, run_id


def fresh(seed: Path, path: Path) -> Path:
    """A fresh clone with the gate's outputs written and a user's change staged."""
    shutil.rmtree(path, ignore_errors=True)
    root = clone(seed, path)
    write_outputs(root, GATE)
    (root / "notes.txt").write_text("a user's staged change\n")
    git(root, "add", "notes.txt")
    return root


def measure(tmp: Path, seed: Path, run_id: str, repeat: int) -> dict[str, list[Sample]]:
    """Interleaved: in every round a fresh clone (cold) and the warm workspace, each
    command right after its own baseline."""
    warm = fresh(seed, tmp / "warm")
    cold = tmp / "cold"

    def gate(root: Path, command: str):
        return lambda: runner(root, "gate", command, "--run", run_id, "--gate", GATE)

    def new_clone() -> None:
        fresh(seed, cold)

    steps = [("clone", new_clone)]
    for kind, root in (("cold", cold), ("warm", warm)):
        for command in ("start", "finish"):
            steps += [(f"baseline {command} {kind}", baseline), (f"{command} {kind}", gate(root, command))]
    samples = interleaved(steps, repeat)
    out = samples["finish warm"][-1].out
    if "PASS" not in out:
        print(f"   WARNING: {GATE} did not pass:\n{out}")
    status = git(warm, "status", "--short").splitlines()
    print(f"   after the runs: records clean in `git status`: {not [s for s in status if 'runs/' in s]}; "
          f"the user's staged file still staged: {'A  notes.txt' in status}")
    return samples


def report(samples: dict[str, list[Sample]]) -> None:
    for kind in ("warm", "cold"):
        for command in ("start", "finish"):
            base, ours = samples[f"baseline {command} {kind}"], samples[f"{command} {kind}"]
            ratio = median(ours) / median(base)
            print(f"   gate {command:6} {kind}  wall {stats([s.wall for s in ours])}\n"
                  f"        baseline     wall {stats([s.wall for s in base])}\n"
                  f"        CPU (user+sys, git included): {ms(median(ours, 'cpu'))} vs baseline "
                  f"{ms(median(base, 'cpu'))} = {median(ours, 'cpu') / median(base, 'cpu'):.2f} x\n"
                  f"        ratio {ratio:.2f} x the baseline (goal <= {GOAL} x) -> {verdict(ratio <= GOAL)}")
    for command in ("start", "finish"):
        cold, warm = median(samples[f"{command} cold"]), median(samples[f"{command} warm"])
        print(f"   gate {command:6} cold / warm: {cold / warm:.2f} x")


def git_shim(tmp: Path) -> tuple[dict[str, str], Path]:
    """A `git` first on PATH that logs the subcommand of each process and execs the real git."""
    shim_dir, real = tmp / "git-shim", shutil.which("git")
    shim_dir.mkdir(exist_ok=True)
    log = shim_dir / "calls.log"
    (shim_dir / "git").write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in -c|*=*) ;; *) echo "$a" >> "$BENCH_GIT_LOG"; break;; esac; done\n'
        f'exec "{real}" "$@"\n')
    (shim_dir / "git").chmod(0o755)
    return {"PATH": f"{shim_dir}{os.pathsep}{os.environ.get('PATH', '')}", "BENCH_GIT_LOG": str(log)}, log


def count_git(tmp: Path, seed: Path, run_id: str) -> None:
    """The git processes of each command, and of each record commit in it (child.py's
    probe marks runner.git.commit_files in the log); the heavy modules it imports."""
    extra, log = git_shim(tmp)
    per_commit = []
    for kind, root in (("cold", fresh(seed, tmp / "probe")), ("warm", tmp / "warm")):
        for command in ("start", "finish"):
            log.write_text("")
            result = timed([*CHILD, "probe", "gate", command, "--run", run_id, "--gate", GATE], cwd=root,
                           ok=None, extra_env=extra)
            line = next((x for x in result.out.splitlines() if x.startswith("PROBE ")), None)
            if line is None:
                print(f"   gate {command:6} {kind}: the probe failed (exit {result.code}): "
                      f"{(result.err.strip().splitlines() or [''])[-1]}")
                continue
            info = json.loads(line[6:])
            calls, commits, inside = log.read_text().split(), [], None
            for call in calls:
                if call == "[commit":
                    inside = []
                elif call == "]commit":
                    commits.append(inside)
                    inside = None
                elif inside is not None:
                    inside.append(call)
            total = sum(c not in ("[commit", "]commit") for c in calls)
            per_commit += [len(c) for c in commits]
            print(f"   gate {command:6} {kind}: {total} git processes ({', '.join(c for c in calls if c not in ('[commit', ']commit'))})")
            for c in commits:
                print(f"        a record commit: {len(c)} of them ({', '.join(c)})")
            print(f"        {info.get('modules', '?')} modules; heavy ones imported: "
                  f"{', '.join(info.get('heavy', ['?'])) or 'none'}")
    worst = max(per_commit, default=0)
    print(f"   git processes per record commit: at most {worst} (goal <= {GIT_GOAL}) -> "
          f"{verdict(bool(per_commit) and worst <= GIT_GOAL)}")


def main() -> int:
    args = parse(__doc__)
    repeat = args.repeat or (5 if args.quick else 15)
    with session("bench_gate", args.keep, args.code) as tmp:
        header(f"runner gate start / finish, 3 small outputs, commit included "
               f"(<= {GOAL} x `python -c 'import click'`, cold and warm)")
        seed, run_id = prepare(tmp)
        report(measure(tmp, seed, run_id, repeat))
        header(f"git processes per record commit (<= {GIT_GOAL})")
        count_git(tmp, seed, run_id)
    return 0


if __name__ == "__main__":
    main()
