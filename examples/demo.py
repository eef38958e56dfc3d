"""The demo, in a temporary git workspace.

    python examples/demo.py [video|essay]

video (the default, `make demo`): the video workflow on embedded inputs: plan, render
with ffmpeg, QC with ffprobe and mediapipe (the first job forgets the sound track, so QC
routes a retry), a producer's approval (given by this script, recorded as such),
publish; then the records, the QC report and `git log`.

essay: the research-essay workflow with outputs written by a stand-in agent: a pass, a
failure and its retry, then the records and `git log`."""

from __future__ import annotations

import json
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
    result = subprocess.run(argv, cwd=cwd, text=True, capture_output=True, stdin=subprocess.DEVNULL, check=False)
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
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copytree(HERE, root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def set_up(root: Path) -> None:
    """`runner init`, then the workspace committed, as the README says: the attempts record the
    SHA-256 of the contracts they were checked against."""
    runner("init", cwd=root)
    sh("git", "add", "-A", cwd=root)
    sh("git", "commit", "-q", "-m", "studio: workflows, contracts, prompts", cwd=root)


def essay(root: Path) -> None:
    art, slug = "essays/the-word-robot", "the-word-robot"
    write = [sys.executable, str(HERE / "write_outputs.py")]
    set_up(root)
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


def video(root: Path) -> None:
    art, slug = "videos/astronaut", "astronaut"
    set_up(root)
    runner("contracts", "validate", cwd=root)
    print("\n--- plan, render, QC: the first job forgets the sound, QC routes a retry of RENDER ---")
    out = runner("run", "video", "--slug", slug, "--artifact-path", art, cwd=root, ok=(3,))
    run_id = out.split("]")[0].lstrip("[")
    decision = root / art / "qc" / "quality_decision.json"
    print(f"\n--- {decision.relative_to(root)} (after the retry) ---\n{decision.read_text()}")
    report = json.loads((root / art / "qc" / "qc_report.json").read_text())
    print("--- qc_report.json: metrics ---")
    for key, value in report["metrics"].items():
        print(f"  {key:22} {value}")
    print("\n--- REVIEW waits for a person; here the demo script approves, and the record says so ---")
    runner("gate", "approve", "--run", run_id, "--gate", "REVIEW", "--by", "examples/demo.py (the demo script)",
           "--note", "approved by the demo script, not by a person who watched the video", cwd=root)
    runner("run", "resume", "--run", run_id, cwd=root)
    runner("run", "show", "--run", run_id, cwd=root)
    first_qc = root / "runs" / run_id / "record" / "gates" / "QC" / "attempt-1.json"
    attempt = json.loads(first_qc.read_text())
    print(f"\n--- {first_qc.relative_to(root)}: status {attempt['status']}, route {attempt['route']} ---")
    sh("git", "log", "--format=%h %s", cwd=root)
    sh("git", "status", "--short", cwd=root)


DEMOS = {"video": video, "essay": essay}


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "video"
    if which not in DEMOS:
        sys.exit(f"usage: demo.py [{'|'.join(DEMOS)}]")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    # The workflows' command gates run `python`: the one running this demo, with its packages.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    root = workspace()
    print(f"demo workspace: {root}")
    DEMOS[which](root)
    print(f"\nThe workspace stays at {root} for you to look at.")


if __name__ == "__main__":
    main()
