"""The outputs an attempt hashed, checked against the files now."""

from __future__ import annotations

from helpers import cli, git, write_outputs
from verify_helpers import findings, finish_run, verify


def test_a_clean_workspace_verifies(done):
    root, run_id = done
    result = verify(root, check=0)
    report = result.json
    assert report["ok"] is True and report["findings"] == []
    assert report["runs"] == [run_id]
    assert report["counts"]["records"] == 5  # RUN.json, 3 attempts, 1 decision
    assert report["counts"]["commits"] == 9  # every runner commit of the run
    statuses = {a["path"]: a["status"] for a in report["artifacts"]}
    assert statuses["essays/robot/SPEC.md"] == "unchanged"
    assert statuses["essays/robot/research/CLAIMS.md"] == "absent"  # recorded as absent: nothing to compare


def test_an_output_edited_after_its_attempt_is_found(done):
    root, run_id = done
    (root / "essays/robot/SPEC.md").write_text("# Spec, rewritten by hand\n")
    result = verify(root, check=1)
    [finding] = findings(result)
    assert finding["code"] == "artifact-changed"
    assert finding["file"] == f"runs/{run_id}/record/gates/G3/attempt-1.json"
    assert finding["field"] == "artifacts[0].sha256"
    assert "essays/robot/SPEC.md changed since the attempt" in finding["message"]
    [spec] = [a for a in result.json["artifacts"] if a["path"] == "essays/robot/SPEC.md"]
    assert spec["status"] == "changed" and spec["current"] != spec["recorded"]


def test_an_output_re_recorded_by_a_later_attempt_of_the_same_run_is_not_a_finding(essay_ws_committed):
    root = essay_ws_committed
    run_id = finish_run(root, complete=False)
    layers = "".join(f"## Layer {i}\nMore.\n\n" for i in range(1, 7))
    (root / "essays/robot/SPEC.md").write_text("# Spec for robot\n\n" + layers)
    assert verify(root, check=1).json["findings"][0]["code"] == "artifact-changed"
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G3", check=0)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G3", check=0)
    result = verify(root, check=0)
    spec = {a["attempt"]: a["status"] for a in result.json["artifacts"] if a["path"] == "essays/robot/SPEC.md"}
    assert spec == {1: "re-recorded", 2: "unchanged"}


def test_an_output_re_recorded_by_a_later_run_is_not_a_finding(done):
    root, first = done
    (root / "essays/robot/research/CITATIONS.md").write_text(
        "# Citations\n\n" + "".join(f"### Source {i}\n- https://example.org/other/{i}\n" for i in range(1, 7)))
    assert {f["code"] for f in verify(root, check=1).json["findings"]} == {"artifact-changed"}
    second = cli("run", "start", "--repo", root, "--workflow", "essay", "--slug", "robot",
                 "--artifact-path", "essays/robot", "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", root, "--run", second, "--gate", "G2", "--force", check=0)
    cli("gate", "finish", "--repo", root, "--run", second, "--gate", "G2", check=0)
    result = verify(root, check=0)
    statuses = {(a["run_id"], a["path"]): a["status"] for a in result.json["artifacts"]}
    assert statuses[(first, "essays/robot/research/CITATIONS.md")] == "re-recorded"
    assert statuses[(second, "essays/robot/research/CITATIONS.md")] == "unchanged"


def test_a_deleted_output_is_found(done):
    root, run_id = done
    (root / "essays/robot/G1-INTAKE.md").unlink()
    [finding] = findings(verify(root, check=1))
    assert finding["code"] == "artifact-missing"
    assert finding["file"] == f"runs/{run_id}/record/gates/G1/attempt-1.json"
    assert finding["message"] == "essays/robot/G1-INTAKE.md no longer exists"


def test_each_changed_output_is_reported_per_artifact(done):
    root, run_id = done
    write_outputs(root, "G2", incomplete=True)  # CITATIONS.md shorter, FIGURES.md gone (not an artifact)
    (root / "essays/robot/SPEC.md").unlink()
    result = verify(root, check=1)
    got = {(f["code"], f["file"].rsplit("/", 2)[-2]) for f in findings(result)}
    assert got == {("artifact-changed", "G2"), ("artifact-missing", "G3")}
    git(root, "status")  # the workspace is still a sound repository
