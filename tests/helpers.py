"""Helpers shared by the CLI and integration tiers: run the CLI (in process or as a real
subprocess), set up the example essay workflow, write a gate's outputs, read git state."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ESY = SHARED / "conformance" / "esy"


def requires_shared():
    """Tests that read ../shared/ skip where it is absent."""
    return pytest.mark.skipif(not ESY.is_dir(), reason=f"the reference files of ../shared are not here ({ESY})")

RUNNER_BIN = REPO / ".venv" / "bin" / "runner"
if not RUNNER_BIN.exists():  # installed elsewhere (e.g. CI without the project venv)
    RUNNER_BIN = Path(shutil.which("runner") or RUNNER_BIN)
PYTHON = REPO / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)

SLUG = "robot"
ART = "essays/robot"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Result(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


def assert_clean_stderr(result: Result) -> None:
    """Whatever happened, the user never sees a traceback and never hits the bug exit."""
    assert "Traceback" not in result.err, result
    assert result.code != 70, result


def cli(*args: str, check: int | None = None) -> Result:
    """`runner ARGS` in this process (fast): runner.cli.main.main returns the exit code."""
    from runner.cli.main import main

    with CliRunner().isolation() as (out, err, _mixed):
        code = main([str(a) for a in args])
    result = Result(code, out.getvalue().decode(), err.getvalue().decode())
    assert_clean_stderr(result)
    if check is not None:
        assert result.code == check, result
    return result


def runner_proc(*args: str, cwd: Path, check: int | None = None, env: dict | None = None,
                timeout: float = 60) -> Result:
    """`runner ARGS` as a real subprocess of the installed console script."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([str(RUNNER_BIN), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    assert_clean_stderr(result)
    if check is not None:
        assert result.code == check, result
    return result


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Ada Tester")
    git(path, "config", "user.email", "ada@example.org")
    return path


def git_ok(root: Path, *args: str) -> bool:
    return subprocess.run(["git", *args], cwd=root, capture_output=True).returncode == 0


def commit_count(root: Path) -> int:
    if not git_ok(root, "rev-parse", "-q", "--verify", "HEAD"):
        return 0
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def changed_files(root: Path, rev: str = "HEAD") -> list[str]:
    """Files a commit touched (the root commit included)."""
    out = git(root, "diff-tree", "--root", "--no-commit-id", "-r", "--name-only", rev)
    return sorted(line for line in out.splitlines() if line)


def trailers(root: Path, rev: str = "HEAD") -> dict[str, str]:
    out = git(root, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    fields = {}
    for line in out.splitlines():
        if ": " in line:
            key, value = line.split(": ", 1)
            fields[key] = value
    return fields


def subject(root: Path, rev: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%s", rev).strip()


def porcelain(root: Path) -> list[str]:
    return [line for line in git(root, "status", "--porcelain", "--untracked-files=all").splitlines() if line]


# --- the example essay workflow (contracts/ and orchestration/workflows/essay.json) -----------

def install_essay(root: Path) -> Path:
    """Copy the project's example contracts, 3-gate workflow and its prompt templates into a workspace."""
    for gate in ("G1", "G2", "G3"):
        contract = REPO / "contracts" / f"{gate}.contract.json"
        target = root / "contracts" / contract.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(contract, target)
    workflows = root / "orchestration" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "orchestration" / "workflows" / "essay.json", workflows / "essay.json")
    prompts = root / "orchestration" / "prompts"  # the templates the workflow names
    prompts.mkdir(parents=True, exist_ok=True)
    for gate in ("G1", "G2", "G3"):
        shutil.copyfile(REPO / "orchestration" / "prompts" / f"{gate}.md", prompts / f"{gate}.md")
    skill = "orchestration/skills/spec-writing/SKILL.md"  # the skill G3's contract injects
    (root / skill).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / skill, root / skill)
    return root


SOURCES = "\n".join(f"### Source {i}\n- https://example.org/source/{i}\n" for i in range(1, 7))


def write_outputs(root: Path, gate: str, art: str = ART, slug: str = SLUG, incomplete: bool = False) -> None:
    """What examples/write_outputs.py writes, rooted at `root` (no chdir)."""
    base = root / art
    research = base / "research"
    if gate == "G1":
        _write(base / "G1-INTAKE.md", f"---\nstatus: APPROVED\nslug: {slug}\n---\n# Intake\nScope agreed.\n")
    elif gate == "G2":
        sources = SOURCES.split("### Source 3")[0] if incomplete else SOURCES
        _write(research / "CITATIONS.md", f"# Citations\n\n{sources}")
        _write(research / "TIMELINE.md", "# Timeline\n- 1920: the word robot appears in R.U.R.\n")
        if not incomplete:
            _write(research / "FIGURES.md", "# Figures\n- Karel Capek, playwright\n")
        else:
            (research / "FIGURES.md").unlink(missing_ok=True)
    elif gate == "G3":
        layers = "".join(f"## Layer {i}\nContent of layer {i}.\n\n" for i in range(1, 7 if not incomplete else 4))
        _write(base / "SPEC.md", f"# Spec for {slug}\n\n{layers}")
    else:
        raise ValueError(gate)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def start_run(root: Path, *extra: str, slug: str = SLUG, art: str | None = ART, workflow: str = "essay") -> str:
    args = ["run", "start", "--repo", root, "--workflow", workflow, "--slug", slug, "--json", *extra]
    if art is not None:
        args += ["--artifact-path", art]
    return cli(*args, check=0).json["run_id"]


def pass_gate(root: Path, run_id: str, gate: str, art: str = ART, slug: str = SLUG) -> Result:
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", gate, "--agent", "writer", check=0)
    write_outputs(root, gate, art, slug)
    return cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", gate, "--json", check=0)


def record_files(root: Path, runs_dir: str = "runs") -> list[Path]:
    return sorted(p for p in (root / runs_dir).rglob("record/**/*") if p.is_file())
