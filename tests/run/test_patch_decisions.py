"""Rejecting with a patch: the decision records the patch and each file's SHA-256 before and
after; resuming applies it and re-validates only that gate; a patch that touches anything
but the gate's outputs is refused and nothing is recorded."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import msgspec
import pytest
from helpers import ART, SLUG, write_outputs
from run_helpers import (add_workflow, attempt, commit_all, data_and_notes_contract, decision, decision_files, events,
                         head, load, rin, run_id_of, runner, write_json)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("runner.patches") is None, reason="runner.patches is not there yet"),
]

DATA = f"{ART}/data.json"
NOTES = f"{ART}/notes.md"
NOTES_TEXT = "# Notes\n\n## Summary\nThe word robot comes from R.U.R.\n"


@pytest.fixture
def patch_ws(essay_ws):
    root = essay_ws
    data_and_notes_contract(root)
    add_workflow(root, {"workflow": "pat", "gates": [
        {"gate": "G1", "kind": "agent", "contract": "contracts/G1.contract.json"},
        {"gate": "P1", "kind": "agent", "approval": {"required": True}}]})
    commit_all(root)
    return root


def _awaiting(root) -> str:
    """A `pat` run whose gate P1 passed its checks and waits for a decision."""
    write_outputs(root, "G1")
    write_json(root / DATA, {"title": "Robots", "count": 3})
    (root / NOTES).write_text(NOTES_TEXT)
    rid = run_id_of(rin(root, "run", "pat", "--slug", SLUG, "--artifact-path", ART, check=3))
    rin(root, "run", "resume", "--run", rid, check=3)
    assert "gate P1 waits for a decision" in rin(root, "run", "resume", "--run", rid, check=3).out
    return rid


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reject_with_a_json_patch_then_resume_applies_it_and_revalidates_only_that_gate(patch_ws):
    root = patch_ws
    rid = _awaiting(root)
    before = _sha(root / DATA)
    desk = root / "review"
    desk.mkdir()
    write_json(desk / "fix.json", [{"op": "replace", "path": "/title", "value": "Robots, 1920 to now"}])

    # Run from a sub-directory: --patch is the user's path, relative to where they are.
    out = runner(desk, "gate", "reject", "--run", rid, "--gate", "P1", "--patch", "fix.json",
                 "--note", "retitle", check=0)
    assert f"patch on {DATA}" in out.out
    d = decision(root, rid, "P1", 1)
    assert d.verdict == "reject" and d.note == "retitle" and d.attempt == 1
    assert d.patch == {"type": "json_patch", "target": DATA,
                       "operations": [{"op": "replace", "path": "/title", "value": "Robots, 1920 to now"}]}
    (patched,) = d.patched_files
    assert (patched.path, patched.sha256_before) == (DATA, before)
    assert _sha(root / DATA) == before  # nothing is touched before the resume
    assert load(root, rid).gate("P1").decisions[-1].patch_pending

    done = runner(root, "run", "resume", "--run", rid, check=0)
    assert f"run {rid} PASSED" in done.out
    assert json.loads((root / DATA).read_text()) == {"title": "Robots, 1920 to now", "count": 3}
    assert _sha(root / DATA) == patched.sha256_after
    run = load(root, rid)
    assert [(a.attempt, a.status) for a in run.gate("P1").attempts] == [(1, "PASS"), (2, "PASS")]
    assert [a.attempt for a in run.gate("G1").attempts] == [1]  # only P1 was validated again
    second = attempt(root, rid, "P1", 2)
    assert second.patch_of == 1 and next(a for a in second.artifacts if a.path == DATA).sha256 == patched.sha256_after
    assert decision_files(root, rid, "P1") == ["decision-1.json"]  # no second approval
    (ev,) = events(root, rid, "patch_applied")
    assert ev.data["files"] == [msgspec.to_builtins(patched)] and ev.data["decision"] == 1
    assert not run.gate("P1").decisions[-1].patch_pending


def test_reject_with_a_text_replace_whose_result_fails_validation(patch_ws):
    root = patch_ws
    rid = _awaiting(root)
    fix = root / "fix.json"  # a typed patch without a target: --target names it
    write_json(fix, {"type": "text_replace", "replacements": [
        {"old": "## Summary", "new": "## Recap"}, {"old": " comes from R.U.R.", "new": ""}]})
    rin(root, "gate", "reject", "--run", rid, "--gate", "P1", "--patch", fix, "--target", NOTES, check=0)
    d = decision(root, rid, "P1", 1)
    assert d.patch["type"] == "text_replace" and d.patch["target"] == NOTES
    assert d.patched_files[0].sha256_before == _sha(root / NOTES)
    assert (root / NOTES).read_text() == NOTES_TEXT

    failed = rin(root, "run", "resume", "--run", rid, check=1)
    assert "gate P1 failed" in failed.out and "contains_text" in failed.out
    assert (root / NOTES).read_text() == "# Notes\n\n## Recap\nThe word robot\n"
    assert _sha(root / NOTES) == d.patched_files[0].sha256_after
    second = attempt(root, rid, "P1", 2)
    assert second.status == "FAIL" and second.patch_of == 1
    assert load(root, rid).status == "FAILED"


@pytest.mark.parametrize("patch, target, message", [
    ({"type": "text_replace", "target": f"{ART}/G1-INTAKE.md", "replacements": [{"old": "Intake", "new": "X"}]},
     None, "is not an output of this gate"),
    ([{"op": "replace", "path": "/commit", "value": False}], "runner.json", "is not an output of this gate"),
    ([{"op": "replace", "path": "/missing", "value": 1}], None, "JSON Patch operation 0"),
])
def test_a_patch_outside_the_gate_or_that_does_not_fit_is_refused(patch_ws, patch, target, message):
    root = patch_ws
    rid = _awaiting(root)
    fix = write_json(root / "fix.json", patch)
    watched = [root / f"{ART}/G1-INTAKE.md", root / "runner.json", root / DATA, root / NOTES]
    hashes, commit = [_sha(p) for p in watched], head(root)
    out = rin(root, "gate", "reject", "--run", rid, "--gate", "P1", "--patch", fix,
              *(["--target", target] if target else []), check=4)
    assert message in out.err
    assert decision_files(root, rid, "P1") == [] and head(root) == commit
    assert [_sha(p) for p in watched] == hashes
    assert load(root, rid).gate("P1").status == "AWAITING_APPROVAL"


def test_a_patch_inserting_an_object_applies_exactly_as_it_was_accepted(patch_ws, tmp_path):
    """The docs' own example: a value whose keys are not in sorted order. The decision
    stores the patch with sorted keys; it is planned in that form, so resuming writes the
    bytes the decision recorded. The patch file lies outside the workspace: it is input."""
    root = patch_ws
    rid = _awaiting(root)
    write_json(root / DATA, {"title": "Robots", "count": 3, "beats": [{"id": "intro", "duration": 2}]})
    commit_all(root, "user: beats")
    fix = tmp_path / "fix.json"  # outside the workspace
    fix.write_text('[{"op": "add", "path": "/beats/-", "value": {"id": "credits", "duration": 4}}]')
    rin(root, "gate", "reject", "--run", rid, "--gate", "P1", "--patch", fix, "--target", DATA, check=0)
    recorded = decision(root, rid, "P1", 1).patched_files[0]
    rin(root, "run", "resume", "--run", rid, check=0)
    assert _sha(root / DATA) == recorded.sha256_after
    assert json.loads((root / DATA).read_text())["beats"][-1] == {"duration": 4, "id": "credits"}
    assert [e.type for e in events(root, rid)].count("patch_applied") == 1


def test_a_patch_whose_file_changed_since_the_decision_does_not_strand_the_run(patch_ws):
    root = patch_ws
    rid = _awaiting(root)
    desk = root / "review"
    desk.mkdir()
    write_json(desk / "fix.json", [{"op": "replace", "path": "/title", "value": "Robots, 1920 to now"}])
    rin(root, "gate", "reject", "--run", rid, "--gate", "P1", "--patch", desk / "fix.json", "--target", DATA, check=0)
    write_json(root / DATA, {"title": "Robots, fixed by hand", "count": 3})  # the person fixed it meanwhile
    out = rin(root, "run", "resume", "--run", rid, check=3).out
    assert "gate P1 attempt 2 waits for its outputs" in out  # a retry, as after any rejection
    [skipped] = events(root, rid, "patch_not_applied")
    assert "changed since the decision" in skipped.data["reason"]
    assert json.loads((root / DATA).read_text())["title"] == "Robots, fixed by hand"  # nothing overwritten
    done = rin(root, "run", "resume", "--run", rid, check=3).out  # the person's outputs are ready: validated
    assert "waits for a decision" in done
