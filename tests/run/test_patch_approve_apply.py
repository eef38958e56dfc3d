"""Seed 002's patches as its users use them: approve with a patch (applied at once onto the
bytes the decision saw, validated as a new attempt, the run goes on with the patched
outputs), a patch applied directly as its own attempt (`runner patch apply`), typed
patches from options, and a typed patch without a target on a gate with one output."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import ART, PYTHON, SLUG
from run_helpers import (
    C1_CONTRACT,
    add_workflow,
    attempt,
    commit_all,
    data_and_notes_contract,
    decision,
    decision_files,
    events,
    head,
    load,
    rin,
    run_id_of,
    runner,
    write_json,
)

from runner.jsonio import canonical_bytes

pytestmark = pytest.mark.slow

DATA = f"{ART}/data.json"
NOTES = f"{ART}/notes.md"
NOTES_TEXT = "# Notes\n\n## Summary\nThe word robot comes from R.U.R.\n"
# C1 copies data.json's title into built.txt: what a later gate makes of P1's outputs.
COPY_TITLE = ("import json, pathlib, sys; a = pathlib.Path(sys.argv[1]); "
              "(a / 'built.txt').write_text(json.loads((a / 'data.json').read_text())['title'] + '\\n')")


@pytest.fixture
def edit_ws(ws_root):
    root = ws_root
    data_and_notes_contract(root)
    write_json(root / "contracts" / "S1.contract.json", {
        "gate": "S1", "name": "Notes", "blocking": True,
        "required_outputs": {"all_of": [{"path": "{artifact_path}/notes.md"}]},
        "validations": [{"type": "contains_text", "target": "{artifact_path}/notes.md", "pattern": "## Summary"}]})
    write_json(root / "contracts" / "C1.contract.json", C1_CONTRACT)
    copy = {"gate": "C1", "kind": "command", "timeout_s": 30, "command": [str(PYTHON), "-c", COPY_TITLE, "{artifact_path}"]}
    add_workflow(root, {"workflow": "edit", "gates": [
        {"gate": "P1", "kind": "agent", "approval": {"required": True}}, copy]})
    add_workflow(root, {"workflow": "single", "gates": [{"gate": "S1", "kind": "agent", "approval": {"required": True}}]})
    commit_all(root)
    return root


def _awaiting(root, workflow: str = "edit", gate: str = "P1", data: dict | None = None) -> str:
    """A run whose first gate passed its checks and waits for a decision."""
    write_json(root / DATA, data or {"title": "Robots", "count": 3})
    (root / NOTES).write_text(NOTES_TEXT)
    rid = run_id_of(rin(root, "run", workflow, "--slug", SLUG, "--artifact-path", ART, check=3))
    assert f"gate {gate} waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    return rid


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _no_findings(root) -> None:
    report = runner(root, "verify", "--json", check=0).json
    assert report["findings"] == []


def test_approve_with_a_patch_applies_it_at_once_and_the_run_goes_on_with_the_patched_outputs(edit_ws, tmp_path):
    root = edit_ws
    rid = _awaiting(root)
    before = _sha(root / DATA)
    fix = tmp_path / "fix.json"  # input: read from anywhere
    fix.write_text('[{"op": "replace", "path": "/title", "value": "Robots, 1920 to now"}]')

    out = runner(root, "gate", "approve", "--run", rid, "--gate", "P1", "--patch", fix, "--note", "retitled", check=0)
    assert f"approved by Ada Tester (decision 1, patch on {DATA})" in out.out
    assert "patched outputs: attempt 2 PASS" in out.out
    d = decision(root, rid, "P1", 1)
    assert (d.verdict, d.note, d.attempt) == ("approve", "retitled", 1)
    assert d.patch == {"type": "json_patch", "target": DATA,
                       "operations": [{"op": "replace", "path": "/title", "value": "Robots, 1920 to now"}]}
    (patched,) = d.patched_files
    assert (patched.path, patched.sha256_before, patched.sha256_after) == (DATA, before, _sha(root / DATA))
    assert json.loads((root / DATA).read_text()) == {"title": "Robots, 1920 to now", "count": 3}

    run = load(root, rid)
    p1 = run.gate("P1")
    assert p1.status == "PASS" and [(a.attempt, a.status) for a in p1.attempts] == [(1, "PASS"), (2, "PASS")]
    assert not p1.decisions[-1].patch_pending and decision_files(root, rid, "P1") == ["decision-1.json"]
    second = attempt(root, rid, "P1", 2)
    assert second.patch_of == 1
    assert next(a for a in second.artifacts if a.path == DATA).sha256 == patched.sha256_after
    (applied,) = events(root, rid, "patch_applied")
    assert applied.data["decision"] == 1 and applied.data["files"][0]["sha256_after"] == patched.sha256_after

    assert f"run {rid} PASSED" in rin(root, "run", "resume", "--run", rid, check=0).out
    assert (root / ART / "built.txt").read_text() == "Robots, 1920 to now\n"  # the later gate used them
    _no_findings(root)


def test_approve_with_typed_options_on_a_gate_with_one_output_needs_no_target(edit_ws):
    root = edit_ws
    rid = _awaiting(root, "single", "S1")
    out = runner(root, "gate", "approve", "--run", rid, "--gate", "S1", "--patch-type", "text_replace",
                 "--replace", "R.U.R.", "Capek's R.U.R. (1920)", "--json", check=0)
    assert out.json["patch"] == {"type": "text_replace", "target": NOTES,
                                 "replacements": [{"old": "R.U.R.", "new": "Capek's R.U.R. (1920)"}]}
    assert (root / NOTES).read_text() == NOTES_TEXT.replace("R.U.R.", "Capek's R.U.R. (1920)")
    assert load(root, rid).gate("S1").status == "PASS"
    assert attempt(root, rid, "S1", 2).patch_of == 1


def test_approve_with_a_patch_whose_result_fails_its_checks_exits_1(edit_ws):
    root = edit_ws
    rid = _awaiting(root)
    out = rin(root, "gate", "approve", "--run", rid, "--gate", "P1", "--patch-type", "text_replace",
              "--replace", "## Summary", "## Recap", "--target", NOTES, check=1)
    assert "patched outputs: attempt 2 FAIL" in out.out
    second = attempt(root, rid, "P1", 2)
    assert (second.status, second.patch_of) == ("FAIL", 1) and "contains_text" in second.failure_reason
    run = load(root, rid)
    assert run.gate("P1").status == "FAIL" and run.status == "FAILED"
    assert decision(root, rid, "P1", 1).verdict == "approve"  # the decision stands; the checks decide the rest


def test_an_approval_whose_validation_was_interrupted_is_finished_by_resume(edit_ws):
    """The decision (patch applied, still pending) was committed but the command died before
    the patched attempt: `run resume` validates the patched outputs, once."""
    from runner import Repo
    from runner.run import decisions

    root = edit_ws
    rid = _awaiting(root)
    repo = Repo(root)
    decisions.decide(repo.session, rid, "P1", "approve", patch=[{"op": "replace", "path": "/count", "value": 7}])
    state = load(root, rid).gate("P1")
    assert state.status == "PASS" and state.decisions[-1].patch_pending
    assert json.loads((root / DATA).read_text())["count"] == 7  # applied under the decision's lock

    assert f"run {rid} PASSED" in rin(root, "run", "resume", "--run", rid, check=0).out
    run = load(root, rid)
    assert [(a.attempt, a.status) for a in run.gate("P1").attempts] == [(1, "PASS"), (2, "PASS")]
    assert attempt(root, rid, "P1", 2).patch_of == 1 and len(events(root, rid, "patch_applied")) == 1
    _no_findings(root)


def test_a_patch_applied_without_a_decision_is_an_attempt_of_its_own(edit_ws, tmp_path):
    root = edit_ws
    rid = _awaiting(root)
    before = _sha(root / NOTES)
    fix = tmp_path / "fix.yaml"
    fix.write_text("type: section_replace\ntarget: essays/robot/notes.md\nsection: '## Summary'\n"
                   "content: Robot comes from the Czech robota, forced labour.\n")
    out = runner(root, "patch", "apply", "--run", rid, "--gate", "P1", "--patch", fix, "--note", "etymology",
                 check=0)
    assert f"{rid} P1 attempt 2: PASS (waits for a decision), patched: {NOTES}" in out.out
    assert (root / NOTES).read_text() == "# Notes\n\n## Summary\nRobot comes from the Czech robota, forced labour.\n"

    second = attempt(root, rid, "P1", 2)
    assert (second.status, second.patch_of, second.agent) == ("PASS", None, "patch")
    run = load(root, rid)
    (inv,) = [i for i in run.invocations if i.id in second.invocation_ids]
    assert (inv.agent, inv.status, inv.actor.name, inv.attempt) == ("patch", "SUCCESS", "Ada Tester", 2)
    stored = {"type": "section_replace", "target": NOTES, "section": "## Summary",
              "content": "Robot comes from the Czech robota, forced labour."}
    assert inv.patch.patch == stored and inv.patch.note == "etymology"
    assert inv.patch.sha256 == hashlib.sha256(canonical_bytes(stored)).hexdigest()
    assert [(f.path, f.sha256_before, f.sha256_after) for f in inv.patch.files] == [(NOTES, before, _sha(root / NOTES))]
    assert next(a for a in second.artifacts if a.path == NOTES).sha256 == _sha(root / NOTES)
    p1 = run.gate("P1")
    assert p1.status == "AWAITING_APPROVAL" and p1.waiting.attempt == 2  # a person decides again
    assert [e.data["reason"] for e in events(root, rid, "decision_superseded")] == ["a patch was applied to its outputs"]
    assert decision_files(root, rid, "P1") == []

    rin(root, "gate", "approve", "--run", rid, "--gate", "P1", check=0)
    assert decision(root, rid, "P1", 1).attempt == 2
    assert f"run {rid} PASSED" in rin(root, "run", "resume", "--run", rid, check=0).out
    _no_findings(root)


def test_a_patch_fixes_a_failed_gate_and_its_run_goes_on(edit_ws):
    root = edit_ws
    write_json(root / DATA, {"title": "Robots", "count": 0})  # the schema wants count >= 1
    (root / NOTES).write_text(NOTES_TEXT)
    rid = run_id_of(rin(root, "run", "edit", "--slug", SLUG, "--artifact-path", ART, check=3))
    rin(root, "run", "resume", "--run", rid, check=1)
    assert load(root, rid).status == "FAILED"
    out = rin(root, "patch", "apply", "--run", rid, "--gate", "P1", "--patch-type", "json_patch",
              "--op", '{"op": "replace", "path": "/count", "value": 2}', "--json", check=0)
    assert (out.json["attempt"], out.json["status"]) == (2, "PASS")
    run = load(root, rid)
    assert run.status == "RUNNING" and run.gate("P1").status == "AWAITING_APPROVAL"
    assert json.loads((root / DATA).read_text())["count"] == 2


def test_a_patch_that_fails_the_checks_is_recorded_as_a_failed_attempt(edit_ws):
    root = edit_ws
    rid = _awaiting(root)
    out = rin(root, "patch", "apply", "--run", rid, "--gate", "P1", "--patch-type", "json_patch",
              "--op", '{"op": "remove", "path": "/title"}', check=1)
    assert "P1 attempt 2: FAIL" in out.out
    assert attempt(root, rid, "P1", 2).status == "FAIL" and load(root, rid).gate("P1").status == "FAIL"


@pytest.mark.parametrize("args, code, message", [
    (["--patch-type", "text_replace", "--replace", "not in the file", "x", "--target", NOTES], 4,
     "replacement 0: 'not in the file' does not occur in essays/robot/notes.md"),
    (["--patch-type", "text_replace", "--replace", "Robots", "Droids"], 4,
     f"the text_replace patch has no target and the gate has 2 outputs: {DATA}, {NOTES}"),
    (["--patch-type", "text_replace", "--target", NOTES, "--replace", "Robots", "Droids", "--target", "runner.json"], 4,
     "runner.json is not an output of this gate"),
    (["--replace", "a", "b"], 2, "--replace needs --patch-type"),
    (["--patch-type", "text_replace", "--beat", "intro=3"], 2, "--beat does not go with --patch-type text_replace"),
    (["--patch-type", "duration_adjust", "--beat", "intro"], 2, "--beat 'intro' is not ID=SECONDS"),
    (["--patch-type", "json_patch", "--op", "{oops"], 2, "--op '{oops' is not JSON"),
    ([], 2, "no patch given"),
])
def test_a_patch_that_does_not_fit_records_nothing(edit_ws, args, code, message):
    root = edit_ws
    rid = _awaiting(root)
    hashes, commit = (_sha(root / DATA), _sha(root / NOTES)), head(root)
    out = runner(root, "patch", "apply", "--run", rid, "--gate", "P1", *args, check=code)
    assert message in out.err and len(out.err.strip().splitlines()) <= 2  # one line, and a hint
    assert head(root) == commit and (_sha(root / DATA), _sha(root / NOTES)) == hashes
    assert [a.attempt for a in load(root, rid).gate("P1").attempts] == [1]


def test_a_gate_without_an_attempt_or_with_one_running_cannot_be_patched(edit_ws):
    root = edit_ws
    rid = run_id_of(rin(root, "run", "edit", "--slug", SLUG, "--artifact-path", ART, check=3))  # P1 runs
    out = rin(root, "patch", "apply", "--run", rid, "--gate", "P1", "--patch-type", "text_replace",
              "--replace", "a", "b", check=4)
    assert "gate P1 attempt 1 is still running" in out.err
    out = rin(root, "patch", "apply", "--run", rid, "--gate", "C1", "--patch-type", "text_replace",
              "--replace", "a", "b", check=4)
    assert "gate C1 has no attempt yet" in out.err
