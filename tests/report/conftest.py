"""A real video run, made once per session: RENDER (a job that forgets the sound) → QC
(routes a retry of RENDER with the repaired job) → RENDER → QC passes → REVIEW, approved
by a person whose note holds markup. Tests copy it before changing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)
pytest.importorskip("mediapipe")

from helpers import cli
from report_helpers import ART, HOSTILE, make_video_workspace


@pytest.fixture(scope="session")
def _video_run(tmp_path_factory, _workspace_template) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("report") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    make_video_workspace(root)
    run_id = cli("run", "clip", "--repo", root, "--slug", "clip", "--artifact-path", ART, "--json",
                 check=3).json["run_id"]
    cli("gate", "approve", "--repo", root, "--run", run_id, "--gate", "REVIEW", "--by", "Eve <eve@example.org>",
        "--note", HOSTILE, check=0)
    cli("run", "resume", "--repo", root, "--run", run_id, check=0)
    return root, run_id


@pytest.fixture
def video_run(_video_run) -> tuple[Path, str]:
    """(workspace, run id) of the session's video run: read it, do not change it."""
    return _video_run


@pytest.fixture
def video_run_copy(_video_run, tmp_path) -> tuple[Path, str]:
    """A copy of the video run that a test may change."""
    root, run_id = _video_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy, symlinks=True)
    return copy, run_id
