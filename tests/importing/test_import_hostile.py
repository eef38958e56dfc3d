"""`runner import esy` on records a careless or hostile hand made: paths that leave the
workspace or enter .git, fields of the wrong type, an attempt file that is a FIFO or a
link to an endless device. Each run is refused with the field named (exit 4, no
traceback), nothing is committed, and the other runs still import."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from helpers import ESY, cli, commit_count, requires_shared
from import_helpers import LUCY, PARTIAL

from runner import Repo

pytestmark = requires_shared()


def _source(ws):
    source = ws.parent / "esy"
    shutil.copytree(ESY / "runs", source)
    return source


def _edit_attempts(folder, change) -> None:
    """Change every attempt of a run, in RUN.json (its attempt files removed)."""
    shutil.rmtree(folder / "record" / "gates")
    path = folder / "record" / "RUN.json"
    run = json.loads(path.read_text())
    for gate in run["gates"]:
        for attempt in gate.get("attempts") or []:
            change(attempt)
    path.write_text(json.dumps(run))


def _set_artifact_paths(value):
    def change(attempt):
        for artifact in attempt.get("artifacts") or []:
            artifact["path"] = value
    return change


def _import(ws, source):
    before = commit_count(ws)
    result = cli("import", "esy", source, "--repo", ws, "--json", check=4)
    outcome = {r["run_id"]: r for r in result.json}
    assert outcome[PARTIAL]["outcome"] == "imported" and outcome[LUCY]["outcome"] == "refused"
    assert commit_count(ws) == before + 1  # the good run only
    assert not (ws / "runs" / LUCY).exists()
    return outcome[LUCY]["message"]


@pytest.mark.parametrize("change, why", [
    (_set_artifact_paths("../../../../etc/passwd"), "path '../../../../etc/passwd' leaves the workspace"),
    (_set_artifact_paths("/etc/passwd"), "path '/etc/passwd' leaves the workspace"),
    (_set_artifact_paths(".git/config"), "path '.git/config' leaves the workspace or enters .git"),
    (lambda a: a.__setitem__("artifacts", 5), "artifacts is int, not a list"),
    (lambda a: a.__setitem__("validations", 5), "validations is int, not a list"),
    (lambda a: a.__setitem__("required_outputs", 5), "required_outputs is int, not a list"),
    (lambda a: a.__setitem__("invocation_ids", 5), "invocation_ids is int, not a list"),
    (lambda a: [x.__setitem__("sha256", 12345) for x in a.get("artifacts") or []], "sha256 is int, not text"),
])
def test_an_attempt_that_cannot_be_recorded_refuses_its_run_only(ws, change, why):
    source = _source(ws)
    _edit_attempts(source / LUCY, change)
    assert why in _import(ws, source)
    assert not (ws.parent / "etc").exists()


@pytest.mark.parametrize("field, value, why", [
    ("artifact_path", "../../outside", "workflow.artifact_path ../../outside"),
    ("artifact_path", "/etc", "workflow.artifact_path /etc"),
    ("artifact_path", ".git", "workflow.artifact_path .git"),
])
def test_a_workflow_whose_artifact_folder_leaves_the_work_tree_is_refused(ws, field, value, why):
    source = _source(ws)
    path = source / LUCY / "record" / "RUN.json"
    run = json.loads(path.read_text())
    run["workflow"][field] = value
    path.write_text(json.dumps(run))
    assert why in _import(ws, source)


@pytest.mark.parametrize("field", ["gates", "invocations"])
def test_a_run_whose_lists_are_not_lists_is_refused(ws, field):
    source = _source(ws)
    path = source / LUCY / "record" / "RUN.json"
    run = json.loads(path.read_text())
    run[field] = 5
    path.write_text(json.dumps(run))
    assert f"{field} is int, not a list" in _import(ws, source)


@pytest.mark.parametrize("kind", ["fifo", "endless link"])
def test_an_attempt_file_that_is_not_a_file_is_refused_instead_of_read_forever(ws, kind):
    source = _source(ws)
    attempt = source / LUCY / "record" / "gates" / "G1" / "attempt-1.json"
    attempt.unlink()
    if kind == "fifo":
        os.mkfifo(attempt)
    else:
        attempt.symlink_to("/dev/zero")
    assert "attempt-1.json: not a regular file" in _import(ws, source)


def test_a_gate_whose_attempts_are_not_a_list_is_refused(ws):
    source = _source(ws)
    path = source / LUCY / "record" / "RUN.json"
    run = json.loads(path.read_text())
    run["gates"][0]["attempts"] = 1.5
    path.write_text(json.dumps(run))
    assert f"gates[{run['gates'][0]['gate']}].attempts is float, not a list" in _import(ws, source)


def test_an_artifact_folder_given_as_a_number_is_carried_as_text(ws):
    source = _source(ws)
    path = source / PARTIAL / "record" / "RUN.json"
    run = json.loads(path.read_text())
    run["workflow"]["artifact_path"] = 1.5
    path.write_text(json.dumps(run))
    cli("import", "esy", source, "--repo", ws, check=0)
    assert Repo(ws).run(PARTIAL).workflow.artifact_path == "1.5"
