"""Helpers of the robustness tests (crash safety, concurrency, hostile input): a workspace
with a 3-output agent gate and a human gate, and the invariants every test checks after
the dust settles."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from helpers import cli, git, porcelain

from runner import records, workspace
from runner.hashing import sha256_bytes
from runner.jsonio import canonical_bytes
from runner.models.base import to_data as dump
from runner.models.decision import Decision
from runner.models.run import Attempt, Run

OUTPUTS = ("one.md", "two.md", "three.md")

# A: an agent gate whose contract requires three outputs; H: a human gate (approve/reject).
# Neither blocks, so that a failed attempt never stops the others.
CONTRACT_A = {
    "gate": "A", "name": "Three outputs", "blocking": False,
    "required_outputs": {"all_of": [{"path": "{artifact_path}/" + name} for name in OUTPUTS]},
    "validations": [{"type": "file_exists", "target": "all_required"},
                    {"type": "contains_text", "target": "{artifact_path}/one.md", "patterns": ["one"]}],
}
WORKFLOW = {
    "workflow": "torture", "version": "1",
    "gates": [
        {"gate": "A", "kind": "agent", "agent": "writer", "contract": "contracts/A.contract.json"},
        {"gate": "H", "kind": "human", "name": "Editor review", "blocking": False},
    ],
}


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def set_config(root: Path, **values) -> None:
    config = json.loads((root / "runner.json").read_text())
    config.update(values)
    write_json(root / "runner.json", config)


def torture_workspace(root: Path, **config) -> Path:
    """`root` (an initialised workspace) with contract A and workflow `torture`, committed."""
    write_json(root / "contracts" / "A.contract.json", CONTRACT_A)
    write_json(root / "orchestration" / "workflows" / "torture.json", WORKFLOW)
    if config:
        set_config(root, **config)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: set up the workspace")
    return root


def start_torture_run(root: Path, k: int) -> str:
    """A run of `torture` whose three outputs (art/<k>/) exist and pass A's contract."""
    art = root / "art" / str(k)
    art.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        (art / name).write_text(f"{name[:-3]}\ncontent of run {k}\n")
    result = cli("run", "start", "--repo", root, "--workflow", "torture", "--slug", f"s{k}",
                 "--artifact-path", f"art/{k}", "--json", check=0)
    return result.json["run_id"]


# --- invariants -----------------------------------------------------------------------

def record_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "runs").glob("*/record/**/*") if p.is_file())


def parse_every_record(root: Path) -> dict[str, int]:
    """Every RUN.json, attempt-*.json and decision-*.json validates against its model (the
    loaders raise on anything else). Returns how many of each."""
    counts = {"run": 0, "attempt": 0, "decision": 0, "other": 0}
    for path in record_paths(root):
        if path.name == "RUN.json":
            records.load_model(path, Run, "run record")
            counts["run"] += 1
        elif path.name.startswith("attempt-"):
            records.load_model(path, Attempt, "attempt record")
            counts["attempt"] += 1
        elif path.name.startswith("decision-"):
            records.load_model(path, Decision, "decision record")
            counts["decision"] += 1
        else:
            counts["other"] += 1  # e.g. a temp file of an interrupted write
    return counts


def committed_records(root: Path) -> dict[str, dict[str, str]]:
    """For every attempt or decision file ever committed: {path: {commit: blob}}."""
    out = git(root, "log", "--format=%x00%H", "--raw", "--no-abbrev", "--no-renames", "--", "runs")
    seen: dict[str, dict[str, str]] = {}
    commit = None
    for line in out.splitlines():
        if line.startswith("\0"):
            commit = line[1:]
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            blob = meta.split()[3]
            name = Path(path).name
            if name.startswith(("attempt-", "decision-")):
                seen.setdefault(path, {})[commit] = blob
    return seen


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def assert_nothing_committed_was_lost(root: Path) -> int:
    """Every attempt or decision file in any commit of history is in HEAD with the same
    content (append-only files are never changed or removed once committed)."""
    head = {}
    for line in git(root, "ls-tree", "-r", "HEAD", "--", "runs").splitlines():
        meta, path = line.split("\t", 1)
        head[path] = meta.split()[2]
    history = committed_records(root)
    for path, versions in history.items():
        assert path in head, f"{path} was committed ({sorted(versions)}) but is not in HEAD"
        assert set(versions.values()) == {head[path]}, f"{path} changed after it was committed: {versions}"
        assert blob_id((root / path).read_bytes()) == head[path], f"{path} differs from HEAD in the work tree"
    return len(history)


def assert_runs_consistent(root: Path) -> None:
    """RUN.json agrees with the attempt and decision files on disk, and its events chain."""
    ws = workspace.find(root)
    for run_id in records.list_run_ids(ws):
        run = records.load_run(ws, run_id)
        assert [e.seq for e in run.events] == list(range(1, len(run.events) + 1)), run_id
        for prev, event in zip(run.events, run.events[1:]):
            assert event.prev == sha256_bytes(canonical_bytes(dump(prev))), (run_id, event.seq)
        for state in run.gates:
            numbers = [a.attempt for a in state.attempts]
            assert numbers == sorted(set(numbers)), (run_id, state.gate, numbers)
            assert numbers == records.attempt_numbers(ws, run_id, state.gate), (run_id, state.gate)
            if state.current is not None:
                assert state.current.attempt not in numbers
            for ref in state.attempts:
                assert sha256_bytes((root / ref.file).read_bytes()) == ref.sha256, ref.file
            gate_dir = records.gate_dir(ws, run_id, state.gate)
            on_disk = sorted(int(p.stem.split("-")[1]) for p in gate_dir.glob("decision-*.json"))
            assert sorted(d.decision for d in state.decisions) == on_disk, (run_id, state.gate)
            for ref in state.decisions:
                assert sha256_bytes((root / ref.file).read_bytes()) == ref.sha256, ref.file


def assert_all_committed(root: Path) -> None:
    assert not [line for line in porcelain(root) if "/record/" in line], porcelain(root)
    assert not (root / ".git" / "index.lock").exists()


def verify_available() -> bool:
    from runner.cli.main import LazyGroup

    if "verify" not in LazyGroup.COMMANDS:
        return False
    try:
        import runner.verify.audit  # noqa: F401
    except ImportError:
        return False
    return True


def run_verify(root: Path) -> dict:
    """`runner verify --json` (when the command exists): its report."""
    from helpers import RUNNER_BIN

    proc = subprocess.run([str(RUNNER_BIN), "verify", "--repo", str(root), "--json"], capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, json.dumps(report.get("findings"), indent=1)[:6000]
    return report
