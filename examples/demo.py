"""The demo: a temporary git workspace, the essay workflow driven gate by gate with
outputs written by a script, a failure and its retry, then the records and `git log`.

Run it with `make demo` (which installs everything first)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RUNNER = [sys.executable, "-m", "runner"]


def sh(*argv: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> str:
    shown = " ".join(a if " " not in a else repr(a) for a in argv)
    print(f"\n$ {shown}")
    result = subprocess.run(argv, cwd=cwd, text=True, capture_output=True, stdin=subprocess.DEVNULL)
    out = (result.stdout + result.stderr).rstrip()
    if out:
        print(out)
    if result.returncode not in ok:
        sys.exit(f"demo: unexpected exit {result.returncode} from: {shown}")
    print(f"(exit {result.returncode})")
    return result.stdout


def runner(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> str:
    return sh(*RUNNER, *args, cwd=cwd, ok=ok)


def workspace() -> Path:
    root = Path(tempfile.mkdtemp(prefix="runner-demo-")) / "studio"
    root.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Demo Producer"],
                 ["config", "user.email", "producer@example.org"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copytree(REPO / "orchestration", root / "orchestration")
    return root


def essay(root: Path) -> None:
    art, slug = "essays/the-word-robot", "the-word-robot"
    write = [sys.executable, str(HERE / "write_outputs.py")]
    runner("init", cwd=root)
    runner("contracts", "validate", cwd=root)
    out = runner("run", "essay", "--slug", slug, "--artifact-path", art, cwd=root, ok=(3,))
    run_id = out.split("]")[0].lstrip("[")
    print("\n--- the prompt packet the agent receives (first lines) ---")
    packet = root / "runs" / run_id / "logs" / "gates" / "G1" / "prompt-1.txt"
    print("\n".join(packet.read_text().splitlines()[:16]))
    sh(*write, "G1", "--artifact-path", art, "--slug", slug, cwd=root)
    runner("invocation", "record", "--run", run_id, "--gate", "G1", "--agent", "essay-orchestrator",
           "--model", "demo-model", cwd=root)
    runner("run", "resume", "--run", run_id, cwd=root, ok=(3,))
    print("\n--- G2: the agent writes too little research; the gate fails ---")
    sh(*write, "G2", "--artifact-path", art, "--slug", slug, "--incomplete", cwd=root)
    runner("run", "resume", "--run", run_id, cwd=root, ok=(1,))
    print("\n--- retry: resume starts attempt 2 of G2; the agent completes the research ---")
    runner("run", "resume", "--run", run_id, cwd=root, ok=(3,))
    sh(*write, "G2", "--artifact-path", art, "--slug", slug, cwd=root)
    runner("run", "resume", "--run", run_id, cwd=root, ok=(3,))
    sh(*write, "G3", "--artifact-path", art, "--slug", slug, cwd=root)
    runner("run", "resume", "--run", run_id, cwd=root)
    runner("run", "show", "--run", run_id, cwd=root)
    attempt = root / "runs" / run_id / "record" / "gates" / "G2" / "attempt-1.json"
    print(f"\n--- {attempt.relative_to(root)} ---\n{attempt.read_text()[:1500]}...")
    sh("git", "log", "--format=%h %s", cwd=root)
    sh("git", "status", "--short", cwd=root)


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    root = workspace()
    print(f"demo workspace: {root}")
    essay(root)
    print(f"\nThe workspace stays at {root} for you to look at.")


if __name__ == "__main__":
    main()
