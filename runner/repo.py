"""The front door: `Repo(path)` binds a workspace, and every operation the CLI, the HTTP
console, the batch coordinator and the tests perform is one method of it.

    from runner import Repo

    repo = Repo("path/to/workspace", actor="Ada <ada@example.org>")
    run = repo.start_run("essay", slug="robot", artifact_path="essays/robot")
    repo.gate_start(run.run_id, "G1", agent="writer")
    attempt = repo.gate_finish(run.run_id, "G1")        # hashed, checked, committed
    print(attempt.status, [a.sha256 for a in attempt.artifacts])

Reads take no lock and need no identity. Writes run as `actor` (default: the git
identity, as git names a commit's author), hold the workspace lock and end in one
record commit, unless `commit=False`. Errors are `runner.errors.RunnerError`s, each
with a one-line message, a hint and an exit code; nothing here prints, prompts or exits.

The modules behind the less frequent operations (the driver, verify, doctor, media)
are imported by the method that needs them, so that `gate start` and `gate finish`
load only what they use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner import records, workspace
from runner.models.decision import Decision
from runner.models.run import Attempt, Invocation, OpenAttempt, Run
from runner.run import attempts, decisions, lifecycle
from runner.run.session import Group, Session, group, open_session

if TYPE_CHECKING:
    from runner.contracts.evaluate import ProgressFactory
    from runner.models.recast import Publication, RecastLifecycle
    from runner.models.report import RunReport
    from runner.patches.catalog import PatchType
    from runner.run.decisions import Waiting
    from runner.run.doctor import Finding as DoctorFinding
    from runner.run.driver import Outcome
    from runner.run.importing import ImportedRun
    from runner.run.listing import RunSummary
    from runner.run.recast import Reingested
    from runner.run.recast_inbox import PickedUp
    from runner.run.ticking import Ticked
    from runner.steps.base import Produced
    from runner.verify.declarations import Finding as DeclarationFinding
    from runner.verify.report import Report


class Repo:
    """A workspace (a git repository, with an optional runner.json), found from `path`
    upward (default: the current directory)."""

    def __init__(self, path: str | Path | None = None, *, actor: str | None = None, commit: bool = True,
                 offline: bool = False, progress: ProgressFactory | None = None) -> None:
        self.ws = workspace.find(Path(path) if path is not None else None)
        self._actor, self._commit, self._offline, self._progress = actor, commit, offline, progress

    @classmethod
    def init(cls, path: str | Path, example: str | None = None, **options: Any) -> tuple[Repo, list[str]]:
        """Make a git repository a workspace (idempotent), with an example workflow and its
        files when `example` names one ("essay", "video"); the repo, and the files created."""
        changed = workspace.init(Path(path), example=example)
        repo = cls(path, **options)
        if repo.ws.config.runs_layout == "fanout":  # a workspace for many runs (docs/scale-records.md)
            from runner import git

            git.split_index(repo.root)
        return repo, changed

    @property
    def root(self) -> Path:
        return self.ws.root

    @cached_property
    def session(self) -> Session:
        """Who acts and how (identity, commits, network checks), resolved on the first write."""
        return open_session(self.ws.root, self._actor, no_commit=not self._commit, offline=self._offline,
                            progress=self._progress)

    def __repr__(self) -> str:
        return f"Repo({str(self.ws.root)!r})"

    @contextmanager
    def commit_group(self) -> Iterator[Group]:
        """Every write inside is recorded as it is alone (files, locks, pending marks) but
        committed once, at the end, in one commit that keeps each operation's trailers:

            with repo.commit_group() as group:
                for run_id in finished:
                    repo.gate_finish(run_id, "G1")
            print(group.commits)   # the commit made (none when nothing was written)

        An error inside commits what was done before it, then propagates."""
        with group(self.session) as opened:
            yield opened

    # ---------------------------------------------------------------- reading

    def run(self, run_id: str) -> Run:
        return records.load_run(self.ws, run_id)

    def runs(self, status: str | None = None, stale_after_s: float | None = None) -> list[RunSummary]:
        """Every run, oldest first, as the summary `run list` shows."""
        from runner.run import listing

        return listing.list_runs(self.ws, status, stale_after_s)

    def attempt(self, run_id: str, gate: str, number: int) -> Attempt:
        return records.load_attempt(self.ws, run_id, gate, number)

    def decision(self, run_id: str, gate: str, number: int) -> Decision:
        path = records.gate_dir(self.ws, run_id, gate) / f"decision-{number}.json"
        return records.load_model(path, Decision, "decision record")

    def inbox(self) -> list[Waiting]:
        """Every gate waiting for a person, across all runs, oldest first."""
        return decisions.inbox(self.ws)

    def overdue(self, run: Run) -> list[str]:
        """Gates of `run` whose deadline passed without `tick` applying it."""
        return decisions.overdue(run)

    def tip(self) -> str | None:
        """The commit the workspace's branch points to (None before the first commit).
        Every record commit moves it; read from the ref files, without running git, so a
        watcher can ask often."""
        from runner.git import refs

        git_dir = self.ws.git_dir
        return refs.read_ref(git_dir, refs.head_ref(git_dir))

    # ---------------------------------------------------------------- runs

    def start_run(self, workflow: str, slug: str, artifact_path: str | None = None, depth: str = "standard",
                  prompt: str | None = None) -> Run:
        """Create a run of a workflow (QUEUED), without driving it."""
        return lifecycle.start_run(self.session, workflow, slug, artifact_path, depth, prompt)

    def drive(self, workflow: str, slug: str, artifact_path: str | None = None, depth: str = "standard",
              prompt: str | None = None, start_from: str | None = None) -> Outcome:
        """Start a run and go as far as possible without a person."""
        from runner.run import driver

        return driver.start(self.session, workflow, slug, artifact_path, depth, prompt, start_from)

    def resume(self, run_id: str, ready: bool = False) -> Outcome:
        """Continue a run where it stopped (`ready`: the failed gate's outputs are fixed)."""
        from runner.run import driver

        return driver.resume(self.session, run_id, ready)

    def advance(self, run_id: str, proceed: bool = False) -> Outcome:
        """Go on from where the run is, as far as possible without a person."""
        from runner.run import driver

        return driver.advance(self.session, run_id, proceed)

    def complete_run(self, run_id: str, status: str | None = None, reason: str | None = None) -> Run:
        return lifecycle.complete_run(self.session, run_id, status, reason)

    def cancel_run(self, run_id: str, reason: str | None = None) -> Run:
        return lifecycle.cancel_run(self.session, run_id, reason)

    # ---------------------------------------------------------------- gates

    def gate_start(self, run_id: str, gate: str, agent: str | None = None, force: bool = False) -> OpenAttempt:
        return attempts.gate_start(self.session, run_id, gate, agent, force)

    def gate_finish(self, run_id: str, gate: str) -> Attempt:
        """Hash the outputs, run the contract, record the attempt (PASS or FAIL)."""
        return attempts.gate_finish(self.session, run_id, gate)

    def gate_fail(self, run_id: str, gate: str, reason: str) -> Attempt:
        return attempts.gate_fail(self.session, run_id, gate, reason)

    def finish_step(self, run_id: str, gate: str, produced: Produced) -> Attempt:
        """Finish the open attempt with what its step produced elsewhere (a batch worker,
        whose outputs are already in the workspace): hashed and checked here as by
        `gate_finish`; `produced.failure` fails it whatever the checks say, its route is
        followed, and what it ran is recorded as its invocation."""
        return attempts.gate_finish(self.session, run_id, gate, failure=produced.failure, route=produced.route,
                                    ran=produced.ran)

    def record_invocation(self, run_id: str, gate: str, agent: str, status: str = "SUCCESS",
                          model: str | None = None) -> Invocation:
        return attempts.record_invocation(self.session, run_id, gate, agent, status, model)

    def decide(self, run_id: str, gate: str, verdict: str, *, by: str | None = None, note: str | None = None,
               patch: Any = None, patch_file: Path | None = None, target: str | None = None,
               attempt: int | None = None) -> Decision:
        """Approve or reject the attempt that waits for a decision (`by`: "Name <email>"),
        optionally with a patch to its outputs (`patch`: a JSON Patch list or a typed patch
        dict; or `patch_file`). An approval applies the patch at once and validates the
        patched outputs as a new attempt; a rejection's patch is applied when the run resumes.
        `attempt`: the attempt the person looked at; refused (StateError) when another waits."""
        from runner.run import patching

        return patching.decide(self.session, run_id, gate, verdict, by=by, note=note, patch=patch,
                               patch_file=patch_file, target=target, attempt=attempt)

    def approve(self, run_id: str, gate: str, **options: Any) -> Decision:
        return self.decide(run_id, gate, "approve", **options)

    def reject(self, run_id: str, gate: str, **options: Any) -> Decision:
        return self.decide(run_id, gate, "reject", **options)

    def apply_patch(self, run_id: str, gate: str, patch: Any, target: str | None = None,
                    note: str | None = None) -> Attempt:
        """Apply a patch to a gate's outputs without a decision, as a new attempt of the gate
        (hashed and checked like any; a gate that needs approval waits again)."""
        from runner.run import patching

        return patching.apply_direct(self.session, run_id, gate, patch, target, note)

    def patch_types(self) -> list[PatchType]:
        """Every patch type with its fields, its command-line options and a worked example."""
        from runner.patches import catalog

        return catalog.patch_types()

    def tick(self, resume: bool = True) -> Ticked:
        """Apply every expired deadline in the workspace (idempotent); with `resume`, then
        continue every run whose next step needs no person. Safe beside other commands."""
        from runner.run import ticking

        return ticking.tick(self.session, resume)

    # ---------------------------------------------------------------- media steps on demand

    def recast_export(self, run_id: str) -> RecastLifecycle:
        from runner.run import recast

        return recast.export(self.session, run_id)

    def recast_pack(self, run_id: str) -> str:
        """Where the run's re-cast pack is written (workspace-relative): the recast gate's
        params.out, default {artifact_path}/recast."""
        from runner.run import recast

        s = self.session
        run = records.load_run(s.ws, run_id)
        return s.ws.rel(recast.pack_dir(s, run, recast.gates(s, run)[0]))

    def recast_reingest(self, run_id: str, video: str) -> Reingested:
        from runner.run import recast

        return recast.reingest(self.session, run_id, video)

    def recast_pick_up(self, inbox: str | None = None) -> list[PickedUp]:
        """Re-ingest the video of every re-cast pointer (viggle_reingest_pointer.v1) in the
        inbox folder (default sandbox/inbox) whose run's pack waits; each pointer once."""
        from runner.run import recast_inbox

        return recast_inbox.pick_up(self.session, inbox)

    def register_publication(self, run_id: str, platform: str, url: str, video: str | None = None) -> Publication:
        from runner.run import handoff

        return handoff.register(self.session, run_id, platform, url, video)

    # ---------------------------------------------------------------- audit and repair

    def verify(self, run_id: str | None = None, since: str | None = None, allow_shallow: bool = False,
               require_signed: bool = False) -> Report:
        """Prove from the files and git history that the records are complete, unchanged
        and made by the runner. A shallow clone is a finding unless `allow_shallow`; with
        `require_signed`, so is every commit that changed a record without a good signature."""
        from runner.verify import audit

        return audit.verify(self.ws, run_id, since, allow_shallow, require_signed)

    def report(self, run_id: str) -> RunReport:
        """Everything `runner report` shows of one run (records, outputs' pictures, QC
        metrics, verify's verdict); reads only. `runner.report.write_html` renders it."""
        from runner import report

        return report.gather(self.ws, run_id)

    def validate_declarations(self, paths: list[Path] | None = None) -> tuple[int, list[DeclarationFinding]]:
        """Check contracts and workflows: (files checked, findings)."""
        from runner.verify import declarations

        return declarations.validate(self.ws, paths)

    def import_esy(self, runs_dir: str | Path) -> list[ImportedRun]:
        """Convert the Esy runner's run records in `runs_dir` (<run-id>/record/RUN.json and
        attempt files) into runner records, one commit per run; what could not be carried
        is named per field in each result."""
        from runner.run import importing

        return importing.import_esy(self.session, Path(runs_dir))

    def doctor(self, fix: bool = False) -> list[DoctorFinding]:
        """Find (and with `fix`, repair) what an interrupted command left."""
        from runner.run import doctor

        return doctor.diagnose(self.session, fix)
