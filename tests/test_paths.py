"""runner.paths: containment of every path, path variables, safe names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.errors import ContractError, UsageError, WorkspaceError
from runner.paths import check_name, inside, relative, substitute, unknown_variables


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "ws"
    (root / "essays" / "robot").mkdir(parents=True)
    return root


@pytest.mark.parametrize("rel", ["essays", "essays/robot/x.md", "not/yet/created.md", "essays/../essays/robot",
                                 "./essays", "."])
def test_inside_accepts_paths_under_the_root(root, rel):
    assert inside(root, rel) == Path(os.path.realpath(root)) / rel


@pytest.mark.parametrize("rel", ["..", "../x", "../ws-sibling/file", "essays/../../x", "essays/robot/../../../x"])
def test_inside_refuses_dotdot_escapes(root, rel):
    with pytest.raises(WorkspaceError) as info:
        inside(root, rel, what="--artifact-path")
    assert "outside the workspace" in info.value.message
    assert "--artifact-path" in info.value.message and repr(rel) in info.value.message


@pytest.mark.parametrize("rel", ["/etc/passwd", "/"])
def test_inside_refuses_absolute_paths(root, rel):
    with pytest.raises(WorkspaceError) as info:
        inside(root, rel)
    assert "absolute" in info.value.message


def test_inside_refuses_an_absolute_path_even_under_the_root(root):
    with pytest.raises(WorkspaceError):
        inside(root, str(root / "essays"))


def test_inside_refuses_empty(root):
    with pytest.raises(WorkspaceError):
        inside(root, "")


def test_inside_refuses_symlinks_that_lead_out(root, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key").write_text("k")
    (root / "out-dir").symlink_to(secret, target_is_directory=True)
    (root / "out-file").symlink_to(secret / "key")
    (root / "essays" / "up").symlink_to("../..", target_is_directory=True)
    for rel in ("out-dir", "out-dir/key", "out-file", "essays/up/../x"):
        with pytest.raises(WorkspaceError, match="outside the workspace"):
            inside(root, rel)


def test_inside_accepts_symlinks_that_stay_in(root):
    (root / "essays" / "robot" / "SPEC.md").write_text("x")
    (root / "alias").symlink_to(root / "essays" / "robot", target_is_directory=True)
    assert inside(root, "alias/SPEC.md").read_text() == "x"


def test_inside_works_when_the_root_itself_is_reached_through_a_symlink(root, tmp_path):
    (tmp_path / "link-to-ws").symlink_to(root, target_is_directory=True)
    assert inside(tmp_path / "link-to-ws", "essays").is_dir()


def test_relative_is_posix_and_refuses_outside(root, tmp_path):
    assert relative(root, root / "essays" / "robot" / "x.md") == "essays/robot/x.md"
    with pytest.raises(WorkspaceError):
        relative(root, tmp_path / "elsewhere")


def test_substitute_known_and_lazy_variables():
    calls = []

    def lazy():
        calls.append(1)
        return "essays/robot/RobotClient.tsx"

    values = {"slug": "robot", "artifact_path": "essays/robot", "client_component": lazy}
    assert substitute("{artifact_path}/{slug}.md", values) == "essays/robot/robot.md"
    assert calls == []  # evaluated only when used
    assert substitute("{client_component}", values) == "essays/robot/RobotClient.tsx"
    assert calls == [1]


def test_substitute_unknown_variable_is_a_contract_error():
    with pytest.raises(ContractError) as info:
        substitute("{artifact_path}/{slugg}.md", {"artifact_path": "a", "slug": "s"},
                   where="contract contracts/G1.contract.json: validations[2]: ")
    message = info.value.message
    assert "{slugg}" in message and "contracts/G1.contract.json" in message and "validations[2]" in message
    assert "{slug}" in info.value.hint  # says what is known
    assert info.value.exit_code == 4


def test_substitute_not_strict_leaves_unknown_braces():
    assert substitute(r"\u{1F300}-{slug}-{x}", {"slug": "s"}, strict=False) == r"\u{1F300}-s-{x}"


def test_unknown_variables():
    assert unknown_variables("{slug}/{nope}/{artifact_path}/{also}", {"slug", "artifact_path"}) == ["nope", "also"]
    assert unknown_variables("plain/path", set()) == []


@pytest.mark.parametrize("name", ["G1", "G4.1", "the-word-robot", "run_20260119T143012Z_robot_a1b2c3", "x_y"])
def test_check_name_accepts(name):
    assert check_name(name, "slug") == name


@pytest.mark.parametrize("name", ["", "..", "../x", "a/b", "a\\b", ".hidden", "-flag", "a..b", "a b", "x" * 129])
def test_check_name_refuses(name):
    with pytest.raises(UsageError) as info:
        check_name(name, "slug")
    assert "slug" in info.value.message and info.value.exit_code == 2


def test_a_run_record_folder_is_found_in_either_layout_and_any_spelling():
    from runner.paths import in_run_records

    assert in_run_records("runs/run_x/record/RUN.json", "runs")
    assert in_run_records("runs/2026-11/a/b/run_x/record/gates/G1/attempt-1.json", "runs")
    assert in_run_records("./runs//x/../run_x/record", "runs")
    assert in_run_records("data/runs/run_x/record/RUN.json", "data/runs")
    assert not in_run_records("runs/run_x/logs/packet.md", "runs")
    assert not in_run_records("essays/record/notes.md", "runs")
