"""The history half of `runner verify`: walk the commits oldest first, keeping each
run's record files as they were at each commit, and check every commit that touched
a run's records:

- the change was made by a runner commit of that run (subject `runner: `, Run-Id trailer;
  a grouped commit names each of its operations' runs, one paragraph of trailers each),
  and not by a merge beyond what its parents had;
- attempt and decision files were never changed or deleted once committed;
- RUN.json lists exactly the attempt and decision files there are, with their sha256
  (the same check runs on the work tree);
- RUN.json only ever appended events.

Findings go to `ctx.add`; `ctx` is the verify.Audit that owns the blobs and the layout."""

from __future__ import annotations

from typing import Any, Protocol

from runner import records
from runner.git.history import Change, Commit

APPEND_ONLY = ("attempt", "decision")  # record kinds whose files never change once written
BEFORE = ""  # "added before the base revision" (verify --since), commit unknown


class Context(Protocol):
    runs_rel: str
    runs_layout: str  # where a run without records yet would be (records.layout_path)
    blobs: dict  # blob id -> verify.Blob (.doc, .sha256)

    def where(self, path: str) -> Any: ...

    def add(self, code: str, file: str, message: str, field: str | None = None,
            commit: str | None = None) -> None: ...


def at(commit: str | None) -> str:
    if commit is None:
        return "the work tree"
    return f"commit {commit[:12]}" if commit else "the base revision"


def not_runner(commit: Commit, run_id: str) -> str | None:
    """Why `commit` is not a runner commit of `run_id`, or None when it is one."""
    if not commit.subject.startswith("runner: "):
        return f"its subject {commit.subject[:60]!r} is not a runner subject"
    if run_id in commit.run_ids:
        return None
    if len(commit.operations) > 1:  # a grouped commit: one paragraph of trailers per operation
        return f"none of its {len(commit.operations)} operations has Run-Id {run_id}"
    trailer = commit.trailers.get("Run-Id")
    return f"its Run-Id trailer is {trailer!r}" if trailer else "it has no Run-Id trailer"


class History:
    def __init__(self, ctx: Context, strict: bool):
        self.ctx = ctx
        self.strict = strict  # the workspace commits its records: only runner commits may touch them
        self.files: dict[str, dict[str, str]] = {}  # run id -> {record path: blob id} at the last commit
        self.added: dict[str, str] = {}  # record path -> the commit that added it (BEFORE: before the base)
        self.last_doc: dict[str, Any] = {}  # run id -> RUN.json at the last commit that changed it
        self.record_commits: list[str] = []  # commits that touched a record in scope, oldest first
        self._seen_refs: set = set()  # agreement already checked (a ref and the blob it names)
        # Commits at the edge of a shallow clone: their parents are missing, so their
        # "changes" are the whole snapshot. They are taken as the base, like --since's.
        self.shallow: set[str] = set()

    def seed(self, tree: dict[str, str]) -> None:
        """Start from the records of the base revision (verify --since), trusted as checked."""
        for path, oid in tree.items():
            where = self.ctx.where(path)
            self.files.setdefault(where.run_id, {})[path] = oid
            self.added[path] = BEFORE
        for run_id, files in self.files.items():
            blob = self.ctx.blobs.get(files.get(self.summary(run_id), ""))
            if blob is not None and isinstance(blob.doc, dict):
                self.last_doc[run_id] = blob.doc

    def summary(self, run_id: str, files: dict[str, str] | None = None) -> str:
        """The path of the run's RUN.json: where `files` (else its files at the last
        commit) have its records, in either layout."""
        return f"{self.record_prefix(run_id, files)}/RUN.json"

    def record_prefix(self, run_id: str, files: dict[str, str] | None = None) -> str:
        known = self.files.get(run_id, {}) if files is None else files
        marker = f"{run_id}/record/"
        for path in known:
            at = path.find(marker)
            if at > 0:
                return path[:at + len(marker) - 1]
        return f"{self.ctx.runs_rel}/{records.layout_path(run_id, self.ctx.runs_layout)}/record"

    def replay(self, commits: list[Commit], scope: set[str] | None) -> None:
        for commit in commits:
            if commit.sha in self.shallow:
                self.seed({c.path: c.new for c in commit.changes if c.new and (where := self.ctx.where(c.path))
                           and (scope is None or where.run_id in scope)})
                continue
            touched = set()
            moved = self._moves(commit)
            for change in commit.changes:
                where = self.ctx.where(change.path)
                if where is None or (scope is not None and where.run_id not in scope):
                    continue
                touched.add(where.run_id)
                self._check_change(commit, change, where, moved)
                files = self.files.setdefault(where.run_id, {})
                if change.new is None:
                    files.pop(change.path, None)
                else:
                    files[change.path] = change.new
                    self.added.setdefault(change.path, self.added.get(moved.get(change.path, ""), commit.sha))
            if touched:
                self.record_commits.append(commit.sha)
            for run_id in sorted(touched):
                self._check_commit(run_id, commit.sha)

    def _check_commit(self, run_id: str, sha: str) -> None:
        summary = self.summary(run_id)
        blob = self.ctx.blobs.get(self.files[run_id].get(summary, ""))
        if blob is None:
            return  # no RUN.json at this commit: its deletion is a finding already
        if not isinstance(blob.doc, dict):
            self.ctx.add("unreadable", summary, "not a JSON object at this commit", None, sha)
            return
        self.check_agreement(run_id, blob.doc, self.files[run_id], sha)
        self.check_appended(summary, self.last_doc.get(run_id), blob.doc, sha)
        self.last_doc[run_id] = blob.doc

    def _moves(self, commit: Commit) -> dict[str, str]:
        """A record moved from one layout to the other by this commit: its old path and its
        new one, both ways (new -> old, old -> new). The same record (run, gate, kind,
        number) deleted at one path and added at another; an attempt or decision file
        with the very same bytes."""
        gone, came = {}, {}
        for change in commit.changes:
            where = self.ctx.where(change.path)
            if where is None or where.kind == "unknown":
                continue
            key = (where.run_id, where.kind, where.gate, where.number)
            (gone if change.new is None else came)[key] = change
        pairs = {}
        for key, old in gone.items():
            new = came.get(key)
            if new is not None and new.old is None and (key[1] not in APPEND_ONLY or new.new == old.old):
                pairs[new.path], pairs[old.path] = old.path, new.path
        return pairs

    def _check_change(self, commit: Commit, change: Change, where: Any, moved: dict[str, str]) -> None:
        path, sha, add = change.path, commit.sha, self.ctx.add
        if change.in_merge:
            add("merge-change", path, f"merge {sha[:12]} changed it ({change.status})", None, sha)
        elif self.strict and (why := not_runner(commit, where.run_id)):
            verb = {"A": "added", "D": "deleted"}.get(change.status, "changed")
            add("not-runner-commit", path, f"{verb} by commit {sha[:12]}, not a runner commit: {why}", None, sha)
        if change.new is None:
            if path not in moved:
                add("deleted", path, f"deleted by commit {sha[:12]}", None, sha)
        elif where.kind in APPEND_ONLY and path in self.added:
            add("modified", path, f"changed by commit {sha[:12]} after {at(self.added[path])} added it "
                "(attempt and decision files are append-only)", None, sha)

    def check_agreement(self, run_id: str, doc: dict, files: dict[str, str], commit: str | None) -> None:
        """RUN.json lists exactly the attempt and decision files there are, with their sha256."""
        summary, listed = self.summary(run_id, files), set()
        prefix = summary[:-len("/RUN.json")]
        try:
            for gi, gate in enumerate(doc.get("gates") or []):
                for kind, key, fields in (("attempt", "attempts", ("status", "finished_at")),
                                          ("decision", "decisions", ("verdict", "attempt"))):
                    for i, ref in enumerate(gate.get(key) or []):
                        expected = f"{prefix}/gates/{gate['gate']}/{kind}-{ref[kind]}.json"
                        listed.add(expected)
                        memo = (expected, files.get(expected), tuple(sorted(ref.items())))
                        if memo not in self._seen_refs:  # RUN.json repeats its refs at every commit
                            self._seen_refs.add(memo)
                            self._check_ref(summary, f"gates[{gi}].{key}[{i}]", ref, expected, files, fields, commit)
        except (KeyError, TypeError, AttributeError) as exc:
            if commit is not None:  # the work tree's own RUN.json is reported by the schema check
                self.ctx.add("schema", summary, f"malformed at this commit ({exc!r})", None, commit)
            return
        for path in sorted(files):
            where = self.ctx.where(path)
            memo = ("unlisted", path, files[path])
            if where.kind in APPEND_ONLY and path not in listed and memo not in self._seen_refs:
                self._seen_refs.add(memo)
                self.ctx.add("unlisted", path, f"RUN.json at {at(commit)} does not list this {where.kind}",
                             None, commit)

    def _check_ref(self, summary: str, ref_at: str, ref: dict, expected: str, files: dict[str, str],
                   fields: tuple[str, ...], commit: str | None) -> None:
        add = self.ctx.add
        if ref.get("file") != expected:
            add("ref-mismatch", summary, f"points to {ref.get('file')!r}, expected {expected!r}", f"{ref_at}.file",
                commit)
        blob = self.ctx.blobs.get(files.get(expected, ""))
        if blob is None:
            add("ref-missing", summary, f"lists {expected}, which does not exist there", ref_at, commit)
            return
        if blob.sha256 != ref.get("sha256"):
            add("ref-mismatch", summary, f"sha256 {str(ref.get('sha256'))[:12]}… but {expected} has "
                f"{blob.sha256[:12]}…", f"{ref_at}.sha256", commit)
        record = blob.doc if isinstance(blob.doc, dict) else {}
        for name in fields:
            if name in record and record[name] != ref.get(name):
                add("ref-mismatch", summary, f"{name} is {ref.get(name)!r} but {expected} says {record[name]!r}",
                    f"{ref_at}.{name}", commit)

    def check_appended(self, summary: str, before: dict | None, after: dict, commit: str | None) -> None:
        """Events are only ever appended: `before`'s are a prefix of `after`'s."""
        old, new = (before or {}).get("events") or [], after.get("events") or []
        if not isinstance(old, list) or not isinstance(new, list):
            return
        for i, event in enumerate(old):
            if i >= len(new):
                self.ctx.add("events-rewritten", summary, f"{at(commit)} dropped events {i + 1}..{len(old)}",
                             f"events[{i}]", commit)
                return
            if new[i] != event:
                self.ctx.add("events-rewritten", summary, f"{at(commit)} changed event {i + 1} "
                             "(events are append-only)", f"events[{i}]", commit)
                return
