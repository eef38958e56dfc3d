"""Helpers of the human-in-the-loop tests: workspaces with agent, human and command gates,
the `runner` console script as a subprocess with no terminal (stdin /dev/null or closed), the same on a
pseudo-terminal, and checks of what was recorded (records and `git log`)."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from pathlib import Path

import msgspec
from helpers import (  # tests/conftest.py puts tests/ on sys.path
    ART,
    PYTHON,
    RUNNER_BIN,
    SLUG,
    Result,
    assert_clean_stderr,
    changed_files,
    cli,
    git,
    porcelain,
    trailers,
)

RUN_ID = re.compile(r"\[(run_[A-Za-z0-9._-]+)\]")
IDENTITY = ("Ada Tester", "ada@example.org")  # what make_repo configures

# A command gate's program: writes {artifact_path}/built.txt (checked by contracts/C1).
BUILD = "import pathlib, sys; p = pathlib.Path(sys.argv[1]); p.mkdir(parents=True, exist_ok=True); " \
        "(p / 'built.txt').write_text('built\\n'); print('built', p)"

MIX = {
    "workflow": "mix", "version": "1", "description": "an agent, a person and a command",
    "gates": [
        {"gate": "G1", "name": "Intake", "kind": "agent", "agent": "essay-orchestrator",
         "contract": "contracts/G1.contract.json", "prompt_template": "G1"},
        {"gate": "H1", "name": "Editor review", "kind": "human"},
        {"gate": "C1", "name": "Build", "kind": "command", "timeout_s": 30,
         "command": [str(PYTHON), "-c", BUILD, "{artifact_path}"]},
    ],
}
C1_CONTRACT = {
    "gate": "C1", "name": "Build", "blocking": True,
    "required_outputs": {"all_of": [{"path": "{artifact_path}/built.txt", "description": "the build stamp"}]},
    "validations": [{"type": "file_exists", "target": "all_required"}],
}
G1_TEMPLATE = ("Write the intake of {slug} into {artifact_path}/G1-INTAKE.md\n"
               "(gate {gate}, attempt {attempt}, depth {depth}, agent {agent}, run {run_id}).\n")


# --- workspaces ---------------------------------------------------------------------------

def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def data_and_notes_contract(root: Path) -> None:
    """Gate P1's contract: data.json valid against a schema, notes.md with a summary (the
    outputs the patch tests change)."""
    write_json(root / "schemas" / "data.schema.json", {
        "type": "object", "required": ["title", "count"],
        "properties": {"title": {"type": "string", "minLength": 1}, "count": {"type": "integer", "minimum": 1}}})
    write_json(root / "contracts" / "P1.contract.json", {
        "gate": "P1", "name": "Data and notes", "blocking": True,
        "required_outputs": {"all_of": [{"path": "{artifact_path}/data.json"}, {"path": "{artifact_path}/notes.md"}]},
        "validations": [
            {"type": "json_schema", "target": "{artifact_path}/data.json", "schema": "schemas/data.schema.json"},
            {"type": "contains_text", "target": "{artifact_path}/notes.md", "pattern": "## Summary"}]})


def add_workflow(root: Path, workflow: dict) -> None:
    write_json(root / "orchestration" / "workflows" / f"{workflow['workflow']}.json", workflow)


def commit_all(root: Path, message: str = "user: set up the workspace") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return head(root)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


# --- running the CLI --------------------------------------------------------------------

def runner(root: Path, *args, check: int | None = None, stdin: str = "devnull", timeout: float = 60) -> Result:
    """`runner ARGS` as a real subprocess in `root`, without a terminal: stdin is /dev/null
    or (stdin="closed") not open at all."""
    kwargs = {"stdin": subprocess.DEVNULL} if stdin == "devnull" else {"preexec_fn": lambda: os.close(0)}
    proc = subprocess.run([str(RUNNER_BIN), *map(str, args)], cwd=root, capture_output=True, text=True,
                          timeout=timeout, **kwargs)
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    assert_clean_stderr(result)
    if check is not None:
        assert result.code == check, result
    return result


def rin(root: Path, *args, check: int | None = None) -> Result:
    """`runner ARGS --repo ROOT` in this process (fast; stdin is not a terminal)."""
    return cli(*args, "--repo", root, check=check)


def run_id_of(result: Result) -> str:
    found = RUN_ID.search(result.out)
    assert found, result
    return found.group(1)


def load(root: Path, run_id: str):
    from runner import Repo

    return Repo(root).run(run_id)


def attempt(root: Path, run_id: str, gate: str, n: int):
    from runner import Repo

    return Repo(root).attempt(run_id, gate, n)


def decision(root: Path, run_id: str, gate: str, n: int):
    from runner import Repo

    return Repo(root).decision(run_id, gate, n)


def decision_files(root: Path, run_id: str, gate: str, runs_dir: str = "runs") -> list[str]:
    return sorted(p.name for p in (root / runs_dir / run_id / "record" / "gates" / gate).glob("decision-*.json"))


def events(root: Path, run_id: str, type_: str | None = None) -> list:
    return [e for e in load(root, run_id).events if type_ is None or e.type == type_]


def wait_until_deadline(root: Path, run_id: str, gate: str) -> None:
    from runner.timeutil import now, parse

    deadline = parse(load(root, run_id).gate(gate).waiting.deadline)
    time.sleep(max(0.0, (deadline - now()).total_seconds()) + 0.05)


# --- what git recorded ------------------------------------------------------------------

def check_history(root: Path, run_id: str, base: str, runs_dir: str = "runs") -> list[str]:
    """The commits after `base` are the run's record changes, one commit each: each commit
    touches only this run's record files, its RUN.json parses and extends the previous one's
    events (never rewrites them) by at least one; attempt and decision files are added once
    and never modified; and nothing recorded is left uncommitted. Returns the commits."""
    from runner.models.run import Run

    record = f"{runs_dir}/{run_id}/record"
    revs = git(root, "rev-list", "--reverse", f"{base}..HEAD").split()
    assert revs, "no record commit"
    previous: list = []
    for rev in revs:
        assert all(f.startswith(record + "/") for f in changed_files(root, rev)), (rev, changed_files(root, rev))
        assert trailers(root, rev)["Run-Id"] == run_id
        run = _decode_json(Run, git(root, "show", f"{rev}:{record}/RUN.json"))
        assert len(run.events) > len(previous), f"{rev} records no event"
        assert [msgspec.to_builtins(e) for e in run.events[: len(previous)]] == previous, f"{rev} rewrote events"
        previous = [msgspec.to_builtins(e) for e in run.events]
    modified = git(root, "log", "--diff-filter=MD", "--name-only", "--format=", f"{base}..HEAD", "--",
                   f"{record}/gates")
    assert modified.strip() == "", f"append-only records changed: {modified}"
    assert [line for line in porcelain(root) if record in line] == []
    return revs


# --- a pseudo-terminal --------------------------------------------------------------------

class Pty:
    """`runner ARGS` with stdin, stdout and stderr on a pseudo-terminal."""

    def __init__(self, root: Path, *args: str):
        master, slave = os.openpty()
        self.proc = subprocess.Popen([str(RUNNER_BIN), *map(str, args)], cwd=root, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True)
        os.close(slave)
        self.fd, self.text, self.seen = master, "", 0

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed its side
            data = b""
        self.text += data.decode(errors="replace").replace("\r\n", "\n")
        return bool(data)

    def expect(self, needle: str, timeout: float = 30) -> str:
        """Wait for `needle` after what was already matched; return the text up to it."""
        end = time.monotonic() + timeout
        while needle not in self.text[self.seen:]:
            if time.monotonic() > end or not self._read(min(0.2, max(0.0, end - time.monotonic()))) \
                    and self.proc.poll() is not None:
                raise AssertionError(f"{needle!r} not seen; output so far:\n{self.text}")
        at = self.text.index(needle, self.seen) + len(needle)
        chunk, self.seen = self.text[self.seen:at], at
        return chunk

    def drain(self, seconds: float) -> None:
        """Collect what the program prints during `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._read(max(0.0, end - time.monotonic()))

    def send(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def wait(self, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read(0.1)
        while self._read(0.05) and self.proc.poll() is not None and select.select([self.fd], [], [], 0)[0]:
            pass
        code = self.proc.wait(timeout=1)
        assert "Traceback" not in self.text, self.text
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.fd)


__all__ = ["ART", "SLUG", "IDENTITY", "cli", "git"]


def _decode_json(kind, text):
    return msgspec.json.decode(text, type=kind)
