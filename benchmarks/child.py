"""Programs the benchmarks run in a subprocess of their own (a fresh interpreter: its
imports, its peak RSS and its time are its own):

    python benchmarks/child.py PROGRAM ARGS...

Every use of the runner's internals by the four core benchmarks is in this file (the
`runner.` imports below), so that a change of the runner's API is fixed here, once. The runner
package comes from PYTHONPATH when common.py's --code sets it."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import resource
import sys
import time
from pathlib import Path

# Modules that `gate start` and `gate finish` should not pay for.
HEAVY = ("pydantic", "pydantic_core", "yaml", "jsonschema", "urllib.request", "http.client", "git",
         "concurrent.futures", "numpy", "cv2", "mediapipe", "email.message", "importlib.metadata")


def commit_module():
    """The module that defines commit_files and the user's index update: runner.git.commit since
    runner/git is a package, runner.git before."""
    try:
        return importlib.import_module("runner.git.commit")
    except ImportError:
        return importlib.import_module("runner.git")


def replace(original, wrapper) -> None:
    """Put `wrapper` wherever a loaded runner module holds `original` under its name
    (the module that defines it, and any that imported the name itself)."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "runner" and getattr(module, original.__name__, None) is original:
            setattr(module, original.__name__, wrapper)


def workspace_init(root: str) -> None:
    from runner import workspace

    workspace.init(Path(root))


def hash_file(path: str, mode: str) -> None:
    """Print: digest, seconds, peak RSS (KiB) before and after hashing `path`, with
    runner.hashing.sha256_file (mode "runner") or a bare hashlib loop (mode "bare")."""
    if mode == "runner":
        from runner.hashing import sha256_file
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "bare":
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        hexdigest = digest.hexdigest()
    else:
        hexdigest = sha256_file(path)
    elapsed = time.perf_counter() - started
    print(hexdigest, elapsed, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def commit(root: str, rel: str, repeat: str) -> None:
    """Time `repeat` typical gate-finish commits through runner's commit_files (RUN.json
    changed, a new attempt file); print {"total": [s], "index": [s of the user's index update]}."""
    from common import timing

    from runner.git import Identity

    git, base, index_s = commit_module(), Path(root), []
    index = getattr(git, "_index_with", None) or git._refresh_index  # the user's index update, timed apart
    replace(index, timing(index, index_s))
    author = Identity("Ada Tester", "ada@example.org")
    run_file = base / rel
    gates = run_file.parent / "gates" / "G9"
    gates.mkdir(parents=True, exist_ok=True)
    times = []
    for i in range(int(repeat) + 1):  # the first one warms the caches
        run_file.write_text(run_file.read_text() + " ")
        attempt = gates / f"attempt-{i + 1}.json"
        attempt.write_text(json.dumps({"attempt": i + 1}) + "\n")
        started = time.perf_counter()
        git.commit_files(base, base / ".git", [rel, attempt.relative_to(base).as_posix()],
                         f"runner: bench {i}\n\nOp: bench\n", author)
        times.append(time.perf_counter() - started)
    print(json.dumps({"total": times[1:], "index": index_s[1:]}))


def probe(*argv: str) -> None:
    """Run the CLI in this process with `argv`; each call of runner's commit_files is
    marked in the git shim's log ($BENCH_GIT_LOG), so that the git processes of each
    record commit can be told apart. Print the exit code and the heavy modules imported."""
    from runner.cli.main import main

    log, commit_files = os.environ["BENCH_GIT_LOG"], commit_module().commit_files

    def marked(*args, **kwargs):
        with open(log, "a") as fh:
            fh.write("[commit\n")
        try:
            return commit_files(*args, **kwargs)
        finally:
            with open(log, "a") as fh:
                fh.write("]commit\n")

    replace(commit_files, marked)
    rc = main(list(argv))
    heavy = [m for m in HEAVY if m in sys.modules]
    print("\nPROBE " + json.dumps({"rc": rc, "heavy": heavy, "modules": len(sys.modules)}))


def read_all(runs: str) -> None:
    """The floor of `run list`: json.loads of every RUN.json, in one process; print seconds."""
    started = time.perf_counter()
    for name in sorted(os.listdir(runs)):
        path = os.path.join(runs, name, "record", "RUN.json")
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                json.loads(fh.read())
    print(time.perf_counter() - started)


PROGRAMS = {"workspace-init": workspace_init, "hash": hash_file, "commit": commit, "probe": probe,
            "read-all": read_all}

if __name__ == "__main__":
    PROGRAMS[sys.argv[1]](*sys.argv[2:])
