"""`runner doctor [--fix]`: find what an interrupted or killed command left behind, and
repair it without deleting any record:

- an attempt or decision file written but RUN.json not updated (killed between the two
  atomic writes): RUN.json is brought in line with the file;
- an attempt left open by a runner process that died: ended ABANDONED, with an event;
- record files changed but not committed: committed;
- leftover temp files of an atomic write or of a commit's trees (their writer dead), and a
  lock file naming a dead process;
- runs in the flat layout when runner.json asks for the fan-out one: moved, in one
  commit (run/relayout.py).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from runner import git, jsonio, locking, records
from runner.errors import RunnerError
from runner.git import commit, objects, refs
from runner.models.decision import Decision
from runner.models.run import Actor, DecisionRef, GateState, Run
from runner.paths import is_safe_name
from runner.run.attempts import close, new_attempt, register
from runner.run.owners import alive, hostname
from runner.run.session import Session, transaction
from runner.run.transitions import append_event
from runner.workspace import ignore_fanout_logs

DOCTOR = Actor(name="runner doctor")


@dataclass
class Finding:
    # interrupted-finish | interrupted-decision | abandoned | uncommitted | temp-file | stale-lock |
    # stale-git-lock | malformed | flat-layout | logs-not-ignored
    kind: str
    path: str
    message: str
    fixed: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def diagnose(s: Session, fix: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    findings += _stale_lock(s, fix)
    for run_id in _run_ids(s):
        if not is_safe_name(run_id):
            findings.append(Finding("malformed", f"{s.ws.config.runs_dir}/{run_id}",
                                    "not a valid run id, so not a run: rename or remove this folder"))
            continue
        findings += _temp_files(s, run_id, fix)
        try:
            findings += _reconcile(s, run_id, fix)
        except RunnerError as exc:
            findings.append(Finding("malformed", s.ws.rel(records.run_file(s.ws, run_id)), exc.message))
    findings += _tree_dirs(s, fix)
    findings += _git_locks(s, fix)
    findings += _layout(s, fix)  # before the uncommitted records: a move half done is finished as a move
    findings += _uncommitted(s, fix)
    return findings


def _run_ids(s: Session) -> list[str]:
    """Every folder holding a record/ folder: the runs of either layout, and the flat
    folders whose name is no run id (reported as malformed)."""
    runs = s.ws.runs_dir
    if not runs.is_dir():
        return []
    unsafe = [p.name for p in runs.iterdir() if not is_safe_name(p.name) and (p / "record").is_dir()]
    return sorted(dict.fromkeys([run_id for run_id, folder in records.find_runs(os.fspath(runs))
                                 if os.path.isdir(os.path.join(folder, "record"))] + unsafe))


def _layout(s: Session, fix: bool) -> list[Finding]:
    from runner.run import relayout

    if s.ws.config.runs_layout != "fanout":
        return []
    if not (relayout.flat_runs(s) or relayout.pending(s)):
        if not relayout.logs_ignored(s.ws):
            if fix:
                ignore_fanout_logs(s.ws)
            return [Finding("logs-not-ignored", ".gitignore", "git does not ignore the logs folders of the fan-out "
                            "layout" + ("; the line is added (commit it)" if fix else ": `runner doctor --fix` adds it"),
                            fixed=fix)]
        return []
    count = len(relayout.flat_runs(s))
    if fix:
        count = len(relayout.move(s, DOCTOR))
    return [Finding("flat-layout", s.ws.config.runs_dir, f"{count} runs in the flat layout, but runner.json asks "
                    "for the fan-out one" + ("; moved in one commit" if fix else
                                            ": `runner doctor --fix` moves them in one commit"), fixed=fix)]


def _temp_files(s: Session, run_id: str, fix: bool) -> list[Finding]:
    out = []
    for path in sorted(records.record_dir(s.ws, run_id).rglob(".*.tmp")):
        # A temp file is never a record: the atomic rename did not happen, so the record
        # it was meant to replace is intact. One whose writer still runs is left alone.
        if _writer_alive(path):
            continue
        if fix:
            path.unlink()
        out.append(Finding("temp-file", s.ws.rel(path), "leftover of an interrupted write" +
                           ("; removed" if fix else ""), fixed=fix))
    return out


def _tree_dirs(s: Session, fix: bool) -> list[Finding]:
    """The folders a record commit writes its trees through (commit.TREES, a temp name)."""
    out = []
    for path in sorted(s.ws.git_dir.glob(f".{commit.TREES}.*.tmp")):
        if _writer_alive(path):
            continue
        if fix:
            for item in path.iterdir():
                item.unlink()
            path.rmdir()
        out.append(Finding("temp-file", os.path.relpath(path, s.ws.root), "leftover of an interrupted commit" +
                           ("; removed" if fix else ""), fixed=fix))
    return out


STALE_AFTER_S = 5.0  # a git command holds its locks for milliseconds


def _git_locks(s: Session, fix: bool) -> list[Finding]:
    """git's own lock files (the index, HEAD, the branch, packed-refs) that no running git
    holds: a git or runner process killed while holding one leaves it, and every later
    commit fails until it is removed."""
    git_dir = s.ws.git_dir
    common = objects.common_dir(git_dir)
    candidates = [git_dir / "index.lock", git_dir / "HEAD.lock", common / "packed-refs.lock"]
    ref = refs.head_ref(git_dir)
    if ref.startswith("refs/"):
        candidates.append(common / f"{ref}.lock")
    busy = _git_running_in(s.ws.root)
    out = []
    for lock in candidates:
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            continue
        if busy or age < STALE_AFTER_S:
            continue
        if fix:
            lock.unlink(missing_ok=True)
        out.append(Finding("stale-git-lock", os.path.relpath(lock, s.ws.root),
                           f"git lock file {age:.0f} s old and no git process runs in this repository"
                           + ("; removed" if fix else "; `runner doctor --fix` removes it"), fixed=fix))
    return out


def _git_running_in(root: Path) -> bool:
    """Whether a git process runs with its working directory in `root` (Linux /proc;
    elsewhere assume one might, and leave the locks alone)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return True
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "git" and Path(os.readlink(entry / "cwd")).is_relative_to(root):
                return True
        except OSError:
            continue
    return False


def _writer_alive(path: Path) -> bool:
    """Whether the process whose pid the temp name carries (jsonio.temp_path) still runs."""
    pid = jsonio.temp_owner(path)
    return pid is not None and alive(pid)


def _reconcile(s: Session, run_id: str, fix: bool) -> list[Finding]:
    found: list[Finding] = []
    with transaction(s, run_id, "doctor") as tx:
        run = tx.load_run()
        for state in run.gates:
            gate = state.gate
            known = {a.attempt for a in state.attempts}
            for number in records.attempt_numbers(s.ws, run_id, gate):
                if number in known:
                    continue
                path = records.attempt_file(s.ws, run_id, gate, number)
                found.append(Finding("interrupted-finish", s.ws.rel(path),
                                     "attempt file written but RUN.json not updated", fixed=fix))
                if fix:
                    attempt = records.load_attempt(s.ws, run_id, gate, number)
                    state.current = None
                    register(tx, run, state, attempt, path)
                    tx.written.append(path)
            found += _orphan_decisions(s, tx, run, state, fix)
            current = state.current
            if current is not None and current.pid and current.host == hostname() \
                    and not alive(current.pid):
                rel = s.ws.rel(records.attempt_file(s.ws, run_id, gate, current.attempt))
                found.append(Finding("abandoned", rel, f"attempt {current.attempt} of {gate} is open but its "
                                     f"process {current.pid} died", fixed=fix))
                if fix:
                    attempt = new_attempt(s, run, gate, current, "ABANDONED",
                                          f"process {current.pid} on {current.host} died")
                    append_event(run, "attempt_abandoned", DOCTOR, gate=gate, attempt=current.attempt,
                                 pid=current.pid)
                    close(tx, run, state, attempt)
        if fix and tx.written:
            append_event(run, "doctor_repaired", DOCTOR, findings=len(found))
            tx.subject, tx.trailers = "repaired by doctor", {"Status": run.status, "Op": "doctor"}
            tx.save_run(run)
    return found


def _orphan_decisions(s: Session, tx, run: Run, state: GateState, fix: bool) -> list[Finding]:
    out = []
    known = {d.decision for d in state.decisions}
    directory = records.gate_dir(s.ws, run.run_id, state.gate)
    for path in sorted(directory.glob("decision-*.json")) if directory.is_dir() else []:
        decision = records.load_model(path, Decision, "decision record")
        if decision.decision in known:
            continue
        out.append(Finding("interrupted-decision", s.ws.rel(path), "decision file written but RUN.json not updated",
                           fixed=fix))
        if fix:
            from runner.hashing import sha256_file

            state.decisions.append((DecisionRef(
                decision=decision.decision, attempt=decision.attempt, verdict=decision.verdict, by=decision.by.name,
                file=s.ws.rel(path), sha256=sha256_file(path), patch_pending=bool(decision.patched_files))))
            state.decisions.sort(key=lambda d: d.decision)
            attempts = state.attempts
            if state.current is None and attempts and attempts[-1].attempt == decision.attempt:
                state.waiting = None  # it decided the attempt that still waits (else the gate moved on)
                state.status = "PASS" if decision.verdict == "approve" else "FAIL"
            append_event(run, "decision", decision.by, gate=state.gate, attempt=decision.attempt,
                         verdict=decision.verdict, decision=decision.decision, recovered=True,
                         patch=bool(decision.patched_files) or None)
            tx.written.append(path)
    return out


def _uncommitted(s: Session, fix: bool) -> list[Finding]:
    if not s.commit:
        return []
    out = git.git(s.ws.root, "status", "--porcelain", "-z", "--untracked-files=all", "--", s.ws.config.runs_dir)
    paths = []
    for entry in out.split("\0"):
        if len(entry) > 3 and "/record/" in entry[3:] and not entry[3:].endswith(".tmp") \
                and is_safe_name(_run_of(s, entry[3:])):
            paths.append(entry[3:])
    if not paths:
        return []
    refused: set[str] = set()
    if fix:
        by_run: dict[str, list[str]] = {}
        for p in paths:
            by_run.setdefault(_run_of(s, p), []).append(p)
        for run_id, files in by_run.items():
            try:
                with transaction(s, run_id, "doctor commit") as tx:
                    if records.run_file(s.ws, run_id).exists():
                        tx.load_run()  # a RUN.json the runner did not write is never committed for it
                    tx.written += [s.ws.path(f) for f in files if s.ws.path(f).exists()]
                    tx.subject, tx.trailers = "uncommitted records committed by doctor", {"Op": "doctor"}
            except RunnerError:
                refused.update(files)
    return [Finding("uncommitted", p, "record file changed but not committed"
                    + ("; not the runner's bytes, left for you (see the finding above)" if p in refused else ""),
                    fixed=fix and p not in refused) for p in paths]


def _run_of(s: Session, path: str) -> str:
    """The run id of a record path (the folder that holds its record/), either layout."""
    parts = Path(path).relative_to(s.ws.config.runs_dir).parts
    return parts[parts.index("record") - 1] if "record" in parts[1:] else parts[0]


def _stale_lock(s: Session, fix: bool) -> list[Finding]:
    path = s.ws.git_dir / "runner.lock"
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return []
    pid = info.get("pid")
    if not pid or info.get("host") != hostname() or alive(pid) or pid == os.getpid():
        return []
    if fix:
        with locking.hold(path, s.ws.config.lock_timeout_s, "doctor"):
            pass  # taking and releasing the lock clears the dead holder's note
    return [Finding("stale-lock", s.ws.rel(path) if path.is_relative_to(s.ws.root) else str(path),
                    f"lock names process {pid}, which died at {info.get('since')}; the lock itself is free",
                    fixed=fix)]
