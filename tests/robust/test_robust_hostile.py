"""Hostile input: paths that leave the workspace (`..`, absolute paths, symbolic links that
point outside) from contracts, workflows, flags and patch files are refused with exit 4,
for reading and for writing, and nothing is written outside; gate ids, slugs and run ids
are checked before they become paths (a bad flag value is a usage error, exit 2; a bad
id in a workflow file is exit 4); a `command` gate's argv is data, never shell code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PYTHON, cli, git, porcelain, runner_proc
from robust_helpers import CONTRACT_A, OUTPUTS, WORKFLOW, start_torture_run, torture_workspace, write_json

from runner import Repo, records, workspace

USAGE, ERROR = 2, 4


class Scene:
    """A committed workspace `ws/` with the torture workflow, beside a folder `outside/`
    that holds what a hostile path would read (a file that would pass A's checks)."""

    def __init__(self, root: Path):
        self.root = root
        self.outside = root.parent / "outside"
        self.outside.mkdir()
        (self.outside / "secret.md").write_text("one\nthe secret\n")
        write_json(self.outside / "A.contract.json", CONTRACT_A)
        (self.outside / "prompt.md").write_text("the outside prompt\n")
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, bytes | None]:
        """Everything beside the workspace (the tmp folder): name -> bytes."""
        out = {}
        for path in sorted(self.root.parent.rglob("*")):
            if self.root in path.parents or path == self.root:
                continue
            out[str(path)] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        return out

    def assert_nothing_outside_changed(self) -> None:
        assert self.snapshot() == self.before

    def contract(self, **changes) -> None:
        write_json(self.root / "contracts" / "A.contract.json", {**CONTRACT_A, **changes})

    def workflow(self, name: str, gates: list[dict]) -> None:
        write_json(self.root / "orchestration" / "workflows" / f"{name}.json", {"workflow": name, "gates": gates})


@pytest.fixture
def scene(ws_root) -> Scene:
    return Scene(torture_workspace(ws_root))


def refused(result, code: int = ERROR, *words: str) -> str:
    """A clear refusal: the exit code, a first line `error: ...`, no traceback."""
    assert result.code == code, result
    first = result.err.splitlines()[0] if result.err else ""
    assert first.startswith("error: ") or (code == USAGE and "Error:" in result.err), result
    for word in words:
        assert word in result.err, result
    return first


def _finish_refused(scene: Scene, *words: str) -> None:
    """`gate finish` of A reads what the contract names: refused, nothing recorded."""
    root = scene.root
    run_id = start_torture_run(root, 0)
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    head = git(root, "rev-parse", "HEAD")
    refused(cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A"), ERROR, *words)
    ws = workspace.find(root)
    assert records.attempt_numbers(ws, run_id, "A") == []  # nothing recorded
    assert records.load_run(ws, run_id).gate("A").current.attempt == 1
    assert git(root, "rev-parse", "HEAD") == head
    scene.assert_nothing_outside_changed()


# --- paths from contracts (reading) ---------------------------------------------------------

def test_a_check_target_with_dotdot_is_refused(scene):
    scene.contract(validations=[{"type": "contains_text", "target": "../outside/secret.md", "patterns": ["one"]}])
    _finish_refused(scene, "outside the workspace")


def test_a_check_target_reaching_out_through_the_artifact_path_is_refused(scene):
    scene.contract(validations=[{"type": "contains_text", "target": "{artifact_path}/../../../outside/secret.md",
                                 "patterns": ["one"]}])
    _finish_refused(scene, "outside the workspace")


def test_an_absolute_check_target_is_refused(scene):
    scene.contract(validations=[{"type": "contains_text", "target": str(scene.outside / "secret.md"),
                                 "patterns": ["one"]}])
    _finish_refused(scene, "absolute")


def test_an_absolute_required_output_is_refused(scene):
    scene.contract(required_outputs={"all_of": [{"path": str(scene.outside / "secret.md")}]},
                   validations=[{"type": "file_exists", "target": "all_required"}])
    _finish_refused(scene, "absolute")


def test_a_required_output_with_dotdot_is_refused(scene):
    scene.contract(required_outputs={"all_of": [{"path": "../outside/secret.md"}]},
                   validations=[{"type": "file_exists", "target": "all_required"}])
    _finish_refused(scene, "outside the workspace")


@pytest.mark.parametrize("check", [
    {"type": "min_sources_any_of", "targets": ["../outside/secret.md"], "thresholds": {"standard": 0}},
    {"type": "json_schema", "target": "{artifact_path}/one.md", "schema": "../outside/A.contract.json"},
    {"type": "dir_exists", "target": "../outside"},
    {"type": "min_file_count", "target": "../outside", "pattern": "*.md", "thresholds": {"standard": 1}},
], ids=["targets", "schema_path", "dir_exists", "min_file_count"])
def test_every_path_field_of_a_check_is_contained(scene, check):
    scene.contract(validations=[check])
    _finish_refused(scene, "outside the workspace")


def test_an_output_that_is_a_symlink_pointing_outside_is_refused(scene):
    scene.contract()
    link = scene.root / "art" / "0" / "one.md"
    run_id = start_torture_run(scene.root, 0)
    link.unlink()
    link.symlink_to(scene.outside / "secret.md")
    scene.before = scene.snapshot()
    cli("gate", "start", "--repo", scene.root, "--run", run_id, "--gate", "A", check=0)
    refused(cli("gate", "finish", "--repo", scene.root, "--run", run_id, "--gate", "A"), ERROR,
            "outside the workspace")
    assert records.attempt_numbers(workspace.find(scene.root), run_id, "A") == []
    scene.assert_nothing_outside_changed()


def test_an_artifact_folder_that_is_a_symlink_pointing_outside_is_refused(scene):
    (scene.root / "art").mkdir()
    (scene.root / "art" / "9").symlink_to(scene.outside, target_is_directory=True)
    for name in OUTPUTS:
        (scene.outside / name).write_text("one\n")
    scene.before = scene.snapshot()
    run_id = cli("run", "start", "--repo", scene.root, "--workflow", "torture", "--slug", "s",
                 "--artifact-path", "art/8", "--json", check=0).json["run_id"]
    # a run whose artifact path is the link itself is refused at the flag
    refused(cli("run", "start", "--repo", scene.root, "--workflow", "torture", "--slug", "s",
                "--artifact-path", "art/9"), ERROR, "outside the workspace")
    # a check that goes through the link is refused at the check
    scene.contract(validations=[{"type": "contains_text", "target": "art/9/one.md", "patterns": ["one"]}])
    cli("gate", "start", "--repo", scene.root, "--run", run_id, "--gate", "A", check=0)
    refused(cli("gate", "finish", "--repo", scene.root, "--run", run_id, "--gate", "A"), ERROR,
            "outside the workspace")
    scene.assert_nothing_outside_changed()


def test_a_contract_with_a_nul_byte_in_a_path_is_refused_not_a_bug(scene):
    scene.contract(validations=[{"type": "contains_text", "target": "{artifact_path}/one\u0000.md",
                                 "patterns": ["one"]}])
    _finish_refused(scene, "NUL")


# --- paths from workflows -----------------------------------------------------------------

def test_a_workflow_contract_path_with_dotdot_is_refused(scene):
    scene.workflow("w", [{"gate": "A", "kind": "agent", "contract": "../outside/A.contract.json"}])
    refused(cli("run", "start", "--repo", scene.root, "--workflow", "w", "--slug", "s"), ERROR,
            "outside the workspace")
    assert not list((scene.root / "runs").glob("run_*/record"))
    scene.assert_nothing_outside_changed()


def test_an_absolute_workflow_contract_path_is_refused(scene):
    scene.workflow("w", [{"gate": "A", "kind": "agent", "contract": str(scene.outside / "A.contract.json")}])
    refused(cli("run", "start", "--repo", scene.root, "--workflow", "w", "--slug", "s"), ERROR, "absolute")


@pytest.mark.parametrize("template", ["../outside/prompt.md", "ABSOLUTE"])
def test_a_prompt_template_outside_the_workspace_is_refused(scene, template):
    template = str(scene.outside / "prompt.md") if template == "ABSOLUTE" else template
    scene.workflow("w", [{"gate": "A", "kind": "agent", "contract": "contracts/A.contract.json",
                          "prompt_template": template}])
    (scene.root / "art" / "0").mkdir(parents=True)
    result = runner_proc("run", "w", "--slug", "s", "--artifact-path", "art/0", cwd=scene.root)
    refused(result, ERROR, "prompt template")
    assert "the outside prompt" not in result.out + result.err
    for packet in scene.root.glob("runs/*/logs/**/*"):
        assert not packet.is_file() or b"the outside prompt" not in packet.read_bytes()
    scene.assert_nothing_outside_changed()


def test_a_workflow_given_by_a_path_outside_is_refused(scene):
    write_json(scene.outside / "w.json", WORKFLOW)
    scene.before = scene.snapshot()
    for value in ("../outside/w.json", str(scene.outside / "w.json")):
        refused(cli("run", "start", "--repo", scene.root, "--workflow", value, "--slug", "s"), ERROR)
    scene.assert_nothing_outside_changed()


# --- paths from flags -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["../x", "/etc", "art/../../x", "ABSOLUTE-OUTSIDE"])
def test_artifact_path_outside_the_workspace_is_refused(scene, value):
    value = str(scene.outside) if value == "ABSOLUTE-OUTSIDE" else value
    refused(cli("run", "start", "--repo", scene.root, "--workflow", "torture", "--slug", "s",
                "--artifact-path", value), ERROR, "outside the workspace")
    assert not list((scene.root / "runs").glob("run_*/record"))
    scene.assert_nothing_outside_changed()


def test_artifact_path_absolute_but_inside_is_accepted_and_recorded_relative(scene):
    (scene.root / "art" / "0").mkdir(parents=True)
    run = cli("run", "start", "--repo", scene.root, "--workflow", "torture", "--slug", "s",
              "--artifact-path", str(scene.root / "art" / "0"), "--json", check=0).json
    assert run["workflow"]["artifact_path"] == "art/0"


def _awaiting_h(scene: Scene) -> str:
    run_id = start_torture_run(scene.root, 0)
    for args in (("gate", "start", "--gate", "H", "--force"), ("gate", "finish", "--gate", "H")):
        cli(*args, "--repo", scene.root, "--run", run_id, check=0)
    return run_id


def test_a_patch_file_may_lie_anywhere_but_its_target_may_not(scene):
    """A patch file is input (read from anywhere, like --prompt-file); what it changes must
    be inside the workspace."""
    run_id = _awaiting_h(scene)
    patch = write_json(scene.outside / "fix.json", {"type": "text_replace", "target": "../outside/victim.md",
                                                      "replacements": [{"old": "one", "new": "two"}]})
    scene.before = scene.snapshot()
    head = git(scene.root, "rev-parse", "HEAD")
    refused(cli("gate", "reject", "--repo", scene.root, "--run", run_id, "--gate", "H", "--patch", patch),
            ERROR, "leaves the workspace")
    assert git(scene.root, "rev-parse", "HEAD") == head
    assert Repo(scene.root).run(run_id).gate("H").status == "AWAITING_APPROVAL"
    scene.assert_nothing_outside_changed()


@pytest.mark.parametrize("target", ["../outside/secret.md", "art/0/../../../outside/secret.md", "ABSOLUTE",
                                    "art/0/link.md"])
def test_a_patch_whose_target_leaves_the_workspace_is_refused(scene, target):
    """For writing: the patch would change the file it names when the run resumes."""
    run_id = _awaiting_h(scene)
    link = scene.root / "art" / "0" / "link.md"
    link.symlink_to(scene.outside / "secret.md")
    target = str(scene.outside / "secret.md") if target == "ABSOLUTE" else target
    patch = write_json(scene.root / "fix.json", {"type": "text_replace", "target": target,
                                                   "find": "secret", "replace": "pwned"})
    head = git(scene.root, "rev-parse", "HEAD")
    refused(cli("gate", "reject", "--repo", scene.root, "--run", run_id, "--gate", "H", "--patch", patch), ERROR)
    assert git(scene.root, "rev-parse", "HEAD") == head
    refused(cli("gate", "reject", "--repo", scene.root, "--run", run_id, "--gate", "H", "--patch", patch,
                "--target", "art/0/one.md"), ERROR)
    # --target itself leaving the workspace
    bare = write_json(scene.root / "ops.json", [{"op": "replace", "path": "/a", "value": 1}])
    refused(cli("gate", "reject", "--repo", scene.root, "--run", run_id, "--gate", "H", "--patch", bare,
                "--target", target), ERROR)
    assert (scene.outside / "secret.md").read_text() == "one\nthe secret\n"
    assert Repo(scene.root).run(run_id).gate("H").status == "AWAITING_APPROVAL"
    scene.assert_nothing_outside_changed()


def test_a_video_outside_the_workspace_is_refused(scene):
    run_id = _awaiting_h(scene)
    root = scene.root
    cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "H", check=0)
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "A", check=0)
    cli("run", "complete", "--repo", root, "--run", run_id, check=0)
    (scene.outside / "v.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    scene.before = scene.snapshot()
    for video in (str(scene.outside / "v.mp4"), "../outside/v.mp4"):
        refused(cli("handoff", "register", "--repo", root, "--run", run_id, "--platform", "youtube",
                    "--url", "https://example.org/v", "--video", video), ERROR, "outside the workspace")
    assert Repo(root).run(run_id).status == "PASSED"
    assert not (root / "runs" / "handoff_registry.json").exists()
    scene.assert_nothing_outside_changed()


# --- names that become paths ---------------------------------------------------------------

BAD_NAMES = ["../x", "a/b", "..", ".hidden", "a b", "a\0b", "$(touch pwned)", "a;rm -rf x", "`id`", "a|b",
             "x" * 129, "", "-", "é"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_gate_ids_run_ids_and_slugs_given_as_flags_are_usage_errors(scene, name):
    run_id = start_torture_run(scene.root, 0)
    heads = git(scene.root, "rev-parse", "HEAD")
    root = scene.root
    commands = [
        ("gate", "start", "--run", run_id, "--gate", name),
        ("gate", "finish", "--run", run_id, "--gate", name),
        ("gate", "fail", "--run", run_id, "--gate", name, "--reason", "r"),
        ("gate", "approve", "--run", run_id, "--gate", name),
        ("invocation", "record", "--run", run_id, "--gate", name, "--agent", "a"),
        ("gate", "start", "--run", name, "--gate", "A"),
        ("gate", "finish", "--run", name, "--gate", "A"),
        ("run", "show", "--run", name),
        ("run", "cancel", "--run", name),
        ("invocation", "record", "--run", name, "--gate", "A", "--agent", "a"),
        ("run", "start", "--workflow", "torture", "--slug", name),
    ]
    for args in commands:
        result = cli(*args, "--repo", root)
        first = refused(result, USAGE)
        assert "\n" not in first
    assert git(root, "rev-parse", "HEAD") == heads
    assert not (root / "pwned").exists() and not (root.parent / "pwned").exists()
    assert sorted(p.name for p in (root / "runs").iterdir()) == sorted([run_id, ".gitkeep"])


@pytest.mark.parametrize("name", ["../x", "a/b", "a b", "$(touch pwned)", "a;b", ".."], ids=repr)
def test_bad_gate_ids_in_a_workflow_file_are_refused_at_load(scene, name):
    scene.workflow("w", [{"gate": name, "kind": "command", "command": ["true"]}])
    refused(cli("run", "start", "--repo", scene.root, "--workflow", "w", "--slug", "s"), ERROR, "gate id")
    refused(cli("run", "w", "--repo", scene.root, "--slug", "s"), ERROR, "gate id")
    lint = cli("contracts", "validate", "--repo", scene.root, scene.root / "orchestration/workflows/w.json")
    assert lint.code == 1 and "not a valid gate id" in lint.out, lint
    assert not list((scene.root / "runs").glob("run_*/record"))
    assert not (scene.root / "pwned").exists()


@pytest.mark.parametrize("name", ["a b", "$(touch pwned)", ".x", "a;b"], ids=repr)
def test_a_folder_under_runs_named_unlike_a_run_id_is_no_run(scene, name):
    """Commands that list runs skip it (no usage error for a flag nobody gave); doctor
    reports it and commits nothing under that name; a bad --run is a usage error."""
    root = scene.root
    run_id = start_torture_run(root, 0)
    write_json(root / "runs" / name / "record" / "RUN.json", {})
    head = git(root, "rev-parse", "HEAD")
    listed = cli("run", "list", "--repo", root, "--json", check=0).json
    assert [r["run_id"] for r in listed] == [run_id]
    cli("inbox", "--repo", root, check=0)
    cli("tick", "--repo", root, check=0)
    for args in (("doctor",), ("doctor", "--fix")):
        result = cli(*args, "--repo", root, "--json")
        assert result.code == 1, result
        assert [(f["kind"], f["path"]) for f in result.json] == [("malformed", f"runs/{name}")]
    assert git(root, "rev-parse", "HEAD") == head
    refused(cli("verify", "--repo", root, "--run", "../x"), USAGE)
    refused(cli("verify", "--repo", root, "--run", name), USAGE)
    assert not (root / "pwned").exists()


# --- command gates: argv is data --------------------------------------------------------------

PRINT_ARGV = "import json, sys; print(json.dumps(sys.argv[1:]))"
HOSTILE_ARGS = ["$(touch pwned1)", "; touch pwned2", "`touch pwned3`", "| touch pwned4", "&& rm -rf victim",
                "> pwned5", "{slug}", "$HOME", "*"]


def test_a_command_gates_argv_with_shell_metacharacters_runs_as_data(scene):
    root = scene.root
    (root / "victim").mkdir()
    (root / "victim" / "keep.txt").write_text("keep\n")
    scene.workflow("cmd", [{"gate": "C1", "name": "Build; $(touch pwned6) `touch pwned7`", "kind": "command",
                            "agent": "$(touch pwned8)", "command": [str(PYTHON), "-c", PRINT_ARGV, *HOSTILE_ARGS]}])
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: a command gate")
    slug = "a-b.c_d"  # the slug pattern allows no shell metacharacter; the allowed symbols are data too
    result = runner_proc("run", "cmd", "--slug", slug, cwd=root)
    assert result.code == 0, result
    for place in (root, root.parent, Path.cwd()):
        assert not list(place.glob("pwned*")), place
    assert (root / "victim" / "keep.txt").read_text() == "keep\n"
    (run_dir,) = [p for p in (root / "runs").iterdir() if p.name.startswith("run_")]
    stdout = next(run_dir.glob("logs/gates/C1/command-1.stdout.log")).read_text()
    assert json.loads(stdout) == [a.replace("{slug}", slug) for a in HOSTILE_ARGS]
    run = Repo(root).run(run_dir.name)
    (inv,) = run.invocations
    assert inv.command[3:] == [a.replace("{slug}", slug) for a in HOSTILE_ARGS]
    assert not [line for line in porcelain(root) if "/record/" in line]


def test_the_command_is_not_looked_up_through_a_shell(scene):
    """`command: ["touch pwned"]` names a program called `touch pwned`: not found, not run."""
    root = scene.root
    scene.workflow("cmd", [{"gate": "C1", "kind": "command", "command": ["touch pwned"]}])
    result = runner_proc("run", "cmd", "--slug", "s", cwd=root)
    assert result.code in (1, 4), result
    assert not (root / "pwned").exists()


def test_runner_never_runs_under_a_shell_when_given_hostile_flag_values(scene):
    """The console script with hostile values: refused, no file created by a shell."""
    run_id = start_torture_run(scene.root, 0)
    for value in ("$(touch pwned)", "`touch pwned`", "x; touch pwned"):
        result = runner_proc("gate", "start", "--run", run_id, "--gate", value, cwd=scene.root)
        refused(result, USAGE, "invalid gate id")
        result = runner_proc("invocation", "record", "--run", run_id, "--gate", "A", "--agent", value,
                             cwd=scene.root, check=0)
    assert not list(scene.root.rglob("pwned")) and not (scene.root.parent / "pwned").exists()
    run = Repo(scene.root).run(run_id)
    assert [i.agent for i in run.invocations] == ["$(touch pwned)", "`touch pwned`", "x; touch pwned"]
