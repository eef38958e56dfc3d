"""What the benchmarks share: the options, an isolated git, one template workspace
copied for each use, `runner` run as a real subprocess with its CPU time, interleaved
repetitions and their medians, the load average.

Each bench_*.py is a report, not a test: it prints its figures as ratios against a
baseline measured in the same run, and always exits 0. Programs that must run in a
subprocess of their own live in child.py (the one place that imports runner internals)."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).parent / "runner"
RUNNER = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "runner"]
CHILD = [PYTHON, str(Path(__file__).resolve().parent / "child.py")]

_CODE: str | None = None  # --code: the root of another checkout whose runner package is measured
_TMP: Path | None = None  # this run's temporary folder (git template, byte code, workspaces)


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and the processes it waited for (git)
    out: str = ""
    code: int = 0
    err: str = ""


# --------------------------------------------------------------------------- options, session

def parse(doc: str, add: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not the goal")
    parser.add_argument("--repeat", type=int, default=0, help="repetitions (default: the bench's own)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    parser.add_argument("--code", help="measure the runner package of another checkout (its root folder) "
                                       "with this venv, e.g. a `git worktree` of an older commit")
    if add:
        add(parser)
    return parser.parse_args()


@contextmanager
def session(name: str, keep: bool = False, code: str | None = None) -> Iterator[Path]:
    """A temporary folder for the whole run, removed at the end unless `keep`."""
    global _CODE, _TMP
    _CODE = str(Path(code).resolve()) if code else None
    _TMP = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    (_TMP / "git-template").mkdir()
    print(f"{name}: python {sys.version.split()[0]}, git {sh(['git', '--version']).split()[-1]}, {load()}")
    where = sh([PYTHON, "-c", "import os, runner; print(os.path.dirname(os.path.dirname(runner.__file__)))"], _TMP)
    print(f"measuring the runner package of {where.strip()}", flush=True)
    # Byte code as on a user's machine: runner's modules compiled, and those of a command's start-up.
    timed([PYTHON, "-m", "compileall", "-q", str(Path(where.strip()) / "runner")], ok=None)
    sh([*RUNNER, "--version"])
    try:
        yield _TMP
    finally:
        if keep:
            print(f"\nkept {_TMP}")
        else:
            shutil.rmtree(_TMP, ignore_errors=True)
        print(f"\ndone; {load()}")


class Size(NamedTuple):
    """The one size a bench is measured at, and its option."""
    flag: str  # e.g. "--runs"
    full: int  # the goal's size
    quick: int  # with --quick
    what: str


def run(name: str, doc: str, bench: Callable[[Path, int, int], None], size: Size, repeat: int) -> int:
    """The main() of a bench measured at one size: bench(tmp, size, repetitions) in a session."""
    args = parse(doc, lambda p: p.add_argument(size.flag, type=int, default=0,
                                               help=f"{size.what} (default {size.full}; {size.quick} with --quick)"))
    with session(name, args.keep, args.code) as tmp:
        bench(tmp, getattr(args, size.flag[2:].replace("-", "_")) or (size.quick if args.quick else size.full),
              args.repeat or repeat)
    return 0


# --------------------------------------------------------------------------- processes

def env() -> dict[str, str]:
    """An isolated git (no global or system config, an empty template), as the tests
    use; byte code cached as on a user's machine (a session may set
    PYTHONDONTWRITEBYTECODE, which makes every command compile runner's modules again),
    in one folder kept from run to run, out of the checkout."""
    assert _TMP is not None, "inside `with session(...)` only"
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TEMPLATE_DIR=str(_TMP / "git-template"))
    if _CODE:
        e["PYTHONPATH"] = _CODE + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "bench-pycache")
    return e


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_total() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + children_cpu()


def timed(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] | None = (0,),
          extra_env: dict[str, str] | None = None, input: bytes | None = None) -> Sample:
    """Run argv once: its wall time, its CPU time (with its children's), stdout and exit
    code. An exit code not in `ok` stops the benchmark (None: any code is a result)."""
    e = env() | (extra_env or {})
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=e, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    if ok is not None and result.returncode not in ok:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stderr.decode()}")
    return Sample(wall, children_cpu() - cpu, result.stdout.decode(), result.returncode,
                  result.stderr.decode(errors="replace"))


def sh(argv: list[str], cwd: Path | None = None, input: bytes | None = None) -> str:
    if _TMP is None:  # before the session: the plain environment
        return subprocess.run(argv, cwd=cwd, input=input, capture_output=True, check=True).stdout.decode()
    return timed(argv, cwd, input=input).out


def git(root: Path, *args: str, input: bytes | None = None) -> str:
    return sh(["git", *args], cwd=root, input=input)


def runner(root: Path, *args: str) -> Sample:
    """`runner ARGS` as a real subprocess of the venv's console script (exit 1, a gate
    that failed, is a result, not an error)."""
    return timed([*RUNNER, *args], cwd=root, ok=(0, 1))


def child(program: str, *args: str, cwd: Path | None = None) -> str:
    """stdout of one of child.py's programs."""
    return sh([*CHILD, program, *args], cwd=cwd)


# --------------------------------------------------------------------------- workspaces

def _identity(path: Path) -> Path:
    git(path, "config", "user.name", "Ada Tester")
    git(path, "config", "user.email", "ada@example.org")
    return path


def make_repo(path: Path) -> Path:
    """Same set-up as tests/helpers.py make_repo, in the isolated git."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return _identity(path)


def make_workspace(path: Path) -> Path:
    """A runner workspace with the essay workflow, committed: a copy of one template
    built once per run."""
    assert _TMP is not None
    template = _TMP / "workspace-template"
    if not template.exists():
        make_repo(template)
        child("workspace-init", str(template), cwd=template)
        shutil.copytree(REPO / "contracts", template / "contracts", dirs_exist_ok=True)
        shutil.copytree(REPO / "orchestration", template / "orchestration", dirs_exist_ok=True)
        git(template, "add", "-A")
        git(template, "commit", "-q", "-m", "workspace")
    shutil.copytree(template, path, symlinks=True)
    return path


def clone(source: Path, path: Path) -> Path:
    """A fresh clone of `source`, as a user has it: no caches, an index just written."""
    sh(["git", "clone", "-q", str(source), str(path)])
    return _identity(path)


def start_run(root: Path) -> str:
    out = runner(root, "run", "start", "--workflow", "essay", "--slug", "robot", "--artifact-path", "essays/robot")
    return out.out.strip()


def write_outputs(root: Path, gate: str) -> None:
    sh([PYTHON, str(REPO / "examples" / "write_outputs.py"), gate, "--artifact-path", "essays/robot",
        "--slug", "robot"], cwd=root)


def pass_gate(root: Path, run_id: str, gate: str) -> str:
    """Outputs written, `gate start` and `gate finish`; the finish's stdout."""
    write_outputs(root, gate)
    runner(root, "gate", "start", "--run", run_id, "--gate", gate)
    return runner(root, "gate", "finish", "--run", run_id, "--gate", gate).out


# --------------------------------------------------------------------------- timing and figures

Step = Callable[[], "Sample | None"]


def interleaved(steps: list[tuple[str, Step]], repeat: int, warmup: int = 1,
                alternate: bool = False) -> dict[str, list[Sample]]:
    """Each round runs every step once, in order (reversed on odd rounds if
    `alternate`), so that a baseline and the command it is set against see the same
    machine; the first `warmup` rounds (page cache, byte code) are left out. A step that
    returns None is set-up, not a measurement."""
    samples: dict[str, list[Sample]] = {}
    for i in range(warmup + repeat):
        for name, step in steps[::-1] if alternate and i % 2 else steps:
            sample = step()
            if sample is not None and i >= warmup:
                samples.setdefault(name, []).append(sample)
    return samples


def timing(fn: Callable, into: list[float]) -> Callable:
    """`fn`, wrapped so that the seconds of each call are appended to `into`."""
    def timed_call(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    return timed_call


def median(samples: list[Sample], field: str = "wall") -> float:
    return statistics.median(getattr(s, field) for s in samples)


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
