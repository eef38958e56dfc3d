"""`runner verify`: prove from the files and from git history that the records are
complete, unchanged and written by the runner. Returns a Report; never prints.

What is checked (each finding has one of the CODES below):
- every record in the work tree validates against its schema and agrees with its path;
- the events of every RUN.json form a hash chain, and its attempts, decisions and
  final status each have their event;
- every artifact an attempt hashed is still as recorded, unless a later attempt
  (of any run) recorded it as it is now;
- history (one `git log` pass): every record change was made by a runner commit of
  that run, attempt and decision files were never changed or deleted once committed,
  RUN.json agreed with the attempt and decision files at every commit, and its
  events were only ever appended;
- the contract hash of every attempt matches the contract at the attempt's commit
  (or, when the contract was committed only later, some version of it);
- nothing in the work tree is left uncommitted (unless the workspace commits nothing).

`since`: only the runs whose records, or tracked outputs they recorded, changed in a
commit after that revision or in the work tree; and of history only those commits, from
the records as they were where HEAD forked from it (trusted as checked then).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from runner import records
from runner.errors import NotFoundError
from runner.git import history, objects
from runner.paths import check_name
from runner.verify.history import History
from runner.verify.outputs import Outputs
from runner.verify.records import Records
from runner.verify.replay import Replay
from runner.verify.report import Finding, Report
from runner.verify.sources import Blob, Where
from runner.workspace import Workspace

# A record path under the runs dir, in either layout (records.layout_path).
RECORD = re.compile(r"^(?:\d{4}-\d{2}/[0-9a-z]/[0-9a-z]/)?(?P<run>[^/]+)/record/(?:(?P<summary>RUN\.json)|"
                    r"gates/(?P<gate>[^/]+)/(?P<kind>attempt|decision)-(?P<n>[1-9][0-9]*)\.json)$")
PATH_VALUE = re.compile(rb'"path": "([^"\\]*)"')  # a path with a quote or backslash is missed: rare
MAX_PATHSPECS = 200  # beyond, one pathspec for the runs dir, filtered here


def verify(ws: Workspace, run_id: str | None = None, since: str | None = None,
           allow_shallow: bool = False, require_signed: bool = False) -> Report:
    return Audit(ws, run_id, since, allow_shallow, require_signed).run()


class Audit:
    def __init__(self, ws: Workspace, run_id: str | None, since: str | None, allow_shallow: bool = False,
                 require_signed: bool = False):
        self.ws, self.root = ws, ws.root
        self.allow_shallow, self.require_signed = allow_shallow, require_signed
        self.runs_rel = ws.rel(ws.runs_dir).strip("/")
        self.runs_layout = ws.config.runs_layout
        self.run_id = check_name(run_id, "run id") if run_id else None
        self.since = since
        self.findings: list[Finding] = []
        self.blobs: dict[str, Blob] = {}  # git blob id -> content, from the work tree and from git
        self.work: dict[str, str] = {}  # record path -> blob id, in the work tree
        self.summaries: dict[str, str] = {}  # run id -> the path of its RUN.json in the work tree
        self.history = History(self, strict=ws.config.commit)
        self.outputs = Outputs(self)
        self._where: dict[str, Where | None] = {}

    # ------------------------------------------------------------------ orchestration

    def run(self) -> Report:
        head = history.resolve(self.root, "HEAD")
        base = history.resolve(self.root, self.since) if self.since is not None else None
        if self.since is not None and base is None:
            raise NotFoundError(f"unknown revision {self.since!r}",
                                "fetch it first; in CI: actions/checkout with fetch-depth: 0")
        scope = self._scope(head, base)
        pathspecs = self._pathspecs(scope)
        self._load_work_tree(scope)
        if head and pathspecs:
            self._read_history(head, base, scope, pathspecs)
        runs = sorted({self.where(p).run_id for p in self.work} | set(self.history.files))
        if self.run_id and self.run_id not in runs:
            raise NotFoundError(f"no run {self.run_id} in {self.runs_rel}/ or in its history",
                                "see `runner run list`")
        attempts = Records(self).check()
        self._check_work_tree_agreement()
        artifacts = self.outputs.check_artifacts(attempts)
        self.outputs.check_contracts(attempts, self.history.added)
        self.replayed = Replay(self).check(attempts, artifacts)
        self._check_committed(head, pathspecs, scope)
        if self.require_signed:
            self._check_signatures()
        edge = sorted(self.history.shallow) or None
        if edge and not self.allow_shallow:
            self.add("shallow", os.path.relpath(self.ws.git_dir / "shallow", self.root),
                     f"a shallow clone: nothing before {', '.join(c[:12] for c in edge)} can be checked; fetch the "
                     "whole history (`git fetch --unshallow`), or pass --allow-shallow to check only what is here")
        order = {r: i for i, r in enumerate(runs)}
        self.findings.sort(key=lambda f: (order.get(f.run_id, -1), f.file))
        return Report(runs, len(self.work), len(self.history.record_commits), artifacts, self.findings, self.run_id, self.since,
                      shallow_from=edge if self.allow_shallow else None)

    def _check_signatures(self) -> None:
        verdicts = history.signatures(self.root, self.history.record_commits)
        for sha in self.history.record_commits:
            verdict = verdicts.get(sha, "N")
            if verdict not in history.SIGNED:
                what = "is not signed" if verdict == "N" else f"has no good signature (git says {verdict})"
                self.add("signature", self.runs_rel, f"commit {sha[:12]} changed records and {what}", commit=sha)

    def _scope(self, head: str | None, base: str | None) -> set[str] | None:
        """The run ids to check, or None for every run. With --since: the runs whose
        records changed after the base or in the work tree (tracked files, and run
        folders not committed at all), and the runs that recorded a tracked output that
        changed there."""
        if self.run_id:
            return {self.run_id}
        if base is None:
            return None
        changed = set(history.work_tree_changes(self.root))
        if head:
            changed |= history.changed_paths(self.root, f"{base}..{head}", [])
        prefix = self.runs_rel + "/"
        runs = {where.run_id for p in changed if (where := self.where(p)) is not None}
        runs |= self._new_runs(head)
        outputs = {p for p in changed if not p.startswith(prefix)}
        return runs | (self._runs_recording(outputs) if outputs else set())

    def _new_runs(self, head: str | None) -> set[str]:
        """Run folders HEAD does not have (not committed at all)."""
        here = {run_id: self.ws.rel(Path(folder)) for run_id, folder in self._run_folders()
                if os.path.isdir(os.path.join(folder, "record"))}
        if not head or not here:
            return set(here)
        found = history.trees_at(self.root, head, [f"{rel}/record" for rel in here.values()])
        return {run_id for run_id, rel in here.items() if f"{rel}/record" not in found}

    def _run_folders(self) -> list[tuple[str, str]]:
        """(run id, folder) of every run folder in the work tree, either layout."""
        return records.find_runs(os.fspath(self.ws.runs_dir))

    def _runs_recording(self, paths: set[str]) -> set[str]:
        """The runs whose RUN.json names one of `paths` or a directory holding one
        (its artifacts index): a quick scan of the bytes, the full check comes after."""
        wanted = set()
        for path in paths:
            parts = path.split("/")
            wanted |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
        found = set()
        for run_id, folder in self._run_folders():
            try:
                with open(os.path.join(folder, "record", "RUN.json"), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            named = {m.decode("utf-8", "replace") for m in PATH_VALUE.findall(data)}
            if named & wanted:
                found.add(run_id)
        return found

    def _pathspecs(self, scope: set[str] | None) -> list[str]:
        if scope is None or 2 * len(scope) > MAX_PATHSPECS:
            return [self.runs_rel]
        # either layout: a run moved from one to the other has records in both in history
        return sorted({f"{self.runs_rel}/{records.layout_path(r, layout)}/record" for r in scope
                       for layout in records.LAYOUTS})

    def _read_history(self, head: str, base: str | None, scope: set[str] | None, pathspecs: list[str]) -> None:
        """One `git log` pass: the whole history, or with --since only the commits after
        the base, starting from the records the base holds (checked when it was new).
        The whole history is read without a pathspec: git then diffs each commit once
        instead of twice (once to filter, once to print), and the paths are filtered here."""
        commits = history.log(self.root, pathspecs if scope is not None else [],
                              f"{base}..{head}" if base else head)
        seed = {}
        fork = history.merge_base(self.root, base, head) if base else None
        if fork:  # where the new commits start from (the base itself, unless it moved on since)
            seed = {p: oid for p, oid in history.tree_blobs(self.root, fork, pathspecs).items()
                    if self._in_scope(p, scope)}
        wanted = {c.new for commit in commits for c in commit.changes if c.new and self._in_scope(c.path, scope)}
        wanted |= set(seed.values())
        for oid, data in objects.read_blobs(self.root, wanted - set(self.blobs)).items():
            if data is not None:
                self.blobs[oid] = Blob(data)
        self.history.seed(seed)
        shallow = self.ws.git_dir / "shallow"
        if shallow.is_file():
            self.history.shallow = set(shallow.read_text().split())
        self.history.replay(commits, scope)

    def _in_scope(self, path: str, scope: set[str] | None) -> bool:
        where = self.where(path)
        return where is not None and (scope is None or where.run_id in scope)

    def where(self, path: str) -> Where | None:
        if path not in self._where:
            self._where[path] = self._classify(path)
        return self._where[path]

    def _classify(self, path: str) -> Where | None:
        prefix = self.runs_rel + "/"
        if not path.startswith(prefix):
            return None
        rest = path[len(prefix):]
        m = RECORD.match(rest)
        if m is None:
            parts = rest.split("/")
            at = parts.index("record") if "record" in parts[1:] else 0
            return Where(parts[at - 1], "unknown") if at and len(parts) > at + 1 else None
        if m["summary"]:
            return Where(m["run"], "run")
        return Where(m["run"], m["kind"], m["gate"], int(m["n"]))

    def add(self, code: str, file: str, message: str, field: str | None = None, commit: str | None = None) -> None:
        where = self.where(file)
        self.findings.append(Finding(code, file, message, field, commit, where.run_id if where else None))

    # ------------------------------------------------------------------ the work tree

    def _load_work_tree(self, scope: set[str] | None) -> None:
        for run_id, folder in self._run_folders():
            if scope is not None and run_id not in scope:
                continue
            record = Path(folder) / "record"
            prefix = self.ws.rel(record)
            self.summaries[run_id] = f"{prefix}/RUN.json"
            if os.path.islink(record):
                self.add("unknown-file", prefix, "a symbolic link, not a directory of records (not read)")
                continue
            for dirpath, dirnames, filenames in os.walk(record):  # links to directories are not followed
                dirnames.sort()
                for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                    full = os.path.join(dirpath, name)
                    rel = f"{prefix}/{os.path.relpath(full, record).replace(os.sep, '/')}"
                    if os.path.islink(full):
                        self.add("unknown-file", rel, "a symbolic link, not a record (not read)")
                        continue
                    with open(full, "rb") as fh:
                        data = fh.read()
                    oid = history.blob_id(data)
                    self.blobs.setdefault(oid, Blob(data))
                    self.work[rel] = oid

    # ------------------------------------------------------------------ RUN.json in the work tree

    def _check_work_tree_agreement(self) -> None:
        """RUN.json in the work tree against the files there, when that state was not
        already checked as a commit."""
        by_run: dict[str, dict[str, str]] = {}
        for path, oid in self.work.items():
            by_run.setdefault(self.where(path).run_id, {})[path] = oid
        for run_id, files in sorted(by_run.items()):
            if files == self.history.files.get(run_id):
                continue  # checked as a commit
            summary = self.history.summary(run_id, files)
            blob = self.blobs.get(files.get(summary, ""))
            if blob is not None and isinstance(blob.doc, dict):
                self.history.check_agreement(run_id, blob.doc, files, None)
                self.history.check_appended(summary, self.history.last_doc.get(run_id), blob.doc, None)

    def _check_committed(self, head: str | None, pathspecs: list[str], scope: set[str] | None) -> None:
        """The work tree against HEAD: records not committed, committed records deleted."""
        committed = {p: oid for p, oid in (history.tree_blobs(self.root, head, pathspecs).items()
                                           if head and pathspecs else ()) if self._in_scope(p, scope)}
        if self.ws.config.commit:
            for path, oid in self.work.items():
                if path not in committed:
                    self.add("uncommitted", path, "not committed")
                elif committed[path] != oid:
                    self.add("uncommitted", path, "differs from HEAD")
        for path in sorted(set(committed) - set(self.work)):
            self.add("deleted", path, "committed in HEAD but missing from the work tree")
