"""A decision with a patch, in the report of a real run: a diff of the file's bytes while
the patch waits for the run to resume, the patch's own lines once it was applied."""

from __future__ import annotations

import json

from helpers import ART, SLUG, cli, git, write_outputs

NOTES = f"{ART}/notes.md"


def _json(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_a_rejection_with_a_patch_is_shown_as_a_diff_before_and_after_it_is_applied(essay_ws, tmp_path):
    root = essay_ws
    _json(root / "contracts" / "P1.contract.json", {
        "gate": "P1", "required_outputs": {"all_of": [{"path": "{artifact_path}/notes.md"}]},
        "validations": [{"type": "contains_text", "target": "{artifact_path}/notes.md", "pattern": "## Summary"}]})
    _json(root / "orchestration" / "workflows" / "pat.json", {"workflow": "pat", "gates": [
        {"gate": "G1", "kind": "agent", "contract": "contracts/G1.contract.json"},
        {"gate": "P1", "kind": "agent", "approval": {"required": True}}]})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: a workflow with a reviewed gate")
    write_outputs(root, "G1")
    (root / NOTES).parent.mkdir(parents=True, exist_ok=True)
    (root / NOTES).write_text("# Notes\n\n## Summary\nThe word robot comes from R.U.R.\n")
    run_id = cli("run", "pat", "--repo", root, "--slug", SLUG, "--artifact-path", ART, "--json", check=3).json["run_id"]
    while cli("run", "resume", "--repo", root, "--run", run_id, "--json", check=3).json["waiting_for"] != "decision":
        pass
    patch = tmp_path / "fix.json"
    _json(patch, {"type": "text_replace", "target": NOTES, "replacements": [{"old": "R.U.R.", "new": "Capek's R.U.R."}]})
    cli("gate", "reject", "--repo", root, "--run", run_id, "--gate", "P1", "--note", "name the author",
        "--patch", patch, check=0)

    def diff():
        data = cli("report", "--repo", root, "--run", run_id, "--json", check=0).json
        (decision,) = next(g for g in data["gates"] if g["gate"] == "P1")["decisions"]
        (only,) = decision["diffs"]
        return data, only

    _, pending = diff()
    assert pending["source"] == "bytes" and pending["path"] == NOTES
    assert "-The word robot comes from R.U.R." in pending["diff"].splitlines()
    assert "+The word robot comes from Capek's R.U.R." in pending["diff"].splitlines()

    assert cli("run", "resume", "--repo", root, "--run", run_id).code in (0, 3)  # the patch applied, P1 checked again
    assert "Capek" in (root / NOTES).read_text()
    data, applied = diff()
    assert applied["source"] == "patch" and applied["sha256_before"] == pending["sha256_before"]
    assert applied["diff"].splitlines()[2:] == ["@@ text_replace @@", "-R.U.R.", "+Capek's R.U.R."]
    assert data["verify"]["ok"], data["verify"]["findings"]
