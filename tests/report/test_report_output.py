"""Where `runner report --html` may write: never onto a run's records, into .git or a
batch's manifest, onto a device or a FIFO, or over a file that is not a page; each is a
usage error (exit 2) that leaves the file as it was. A page replaces a page."""

from __future__ import annotations

import json
import os

import pytest
from helpers import cli, git


@pytest.fixture
def one_run(ws_root):
    workflow = {"workflow": "cmd", "gates": [{"gate": "G1", "kind": "command", "timeout_s": 30,
                                               "command": ["sh", "-c", "mkdir -p {artifact_path} && echo hi > {artifact_path}/out.txt"]}]}
    (ws_root / "orchestration" / "workflows" / "cmd.json").write_text(json.dumps(workflow))
    git(ws_root, "add", "-A")
    git(ws_root, "commit", "-q", "-m", "user: the cmd workflow")
    run_id = cli("run", "cmd", "--repo", ws_root, "--slug", "s1", "--artifact-path", "out/s1", "--json",
                 check=0).json["run_id"]
    return ws_root, run_id


def _report(root, run_id, out, check):
    return cli("report", "--repo", root, "--run", run_id, "--html", out, check=check)


def test_the_report_never_replaces_a_record_or_a_file_of_git(one_run):
    root, run_id = one_run
    record = next(root.glob(f"runs/**/{run_id}/record/RUN.json"))
    (root / "batches" / "b_01").mkdir(parents=True)
    manifest = root / "batches" / "b_01" / "manifest.jsonl"
    manifest.write_text("{}\n")
    for target in (record, root / ".git" / "config", root / ".git" / "report.html", manifest,
                   record.parent / "report.html"):
        before = target.read_bytes() if target.exists() else None
        result = _report(root, run_id, target, check=2)
        assert "is in .git or the workspace's records" in result.err
        assert (target.read_bytes() if target.exists() else None) == before
    assert cli("verify", "--repo", root, "--json", check=0).json["findings"] == []


def test_the_report_is_never_written_onto_a_device_or_a_fifo(one_run, tmp_path):
    root, run_id = one_run
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    device = tmp_path / "null.html"
    device.symlink_to(os.devnull)
    for target in (fifo, device):
        assert "is not a regular file" in _report(root, run_id, target, check=2).err
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


def test_a_file_that_is_not_a_page_is_not_replaced_and_a_page_is(one_run, tmp_path):
    root, run_id = one_run
    data = tmp_path / "results.csv"
    data.write_text("a,b\n")
    assert "exists and is not an .html page" in _report(root, run_id, data, check=2).err
    assert data.read_text() == "a,b\n"
    page = tmp_path / "report.html"
    page.write_text("old page")
    _report(root, run_id, page, check=0)
    assert page.read_text().startswith("<!DOCTYPE html>") or "<html" in page.read_text()[:200]
