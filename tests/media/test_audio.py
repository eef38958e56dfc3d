from __future__ import annotations

import shutil
import subprocess

import pytest

from runner.errors import RunnerError
from runner.media import level_adjust, measure_loudness


def video_hash(path) -> str:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-c", "copy", "-f", "streamhash", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


def test_level_adjust_moves_loudness_and_copies_video(clips, tmp_path):
    path = tmp_path / "clip.mp4"
    shutil.copyfile(clips["good"], path)
    before, video_before = measure_loudness(path), video_hash(path)
    level_adjust(path, 6.0)
    after = measure_loudness(path)
    assert after - before == pytest.approx(6.0, abs=0.5)
    assert video_hash(path) == video_before  # stream copied, not re-encoded
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]  # no temp file left
    level_adjust(path, -6.0)
    assert measure_loudness(path) == pytest.approx(before, abs=0.5)


def test_level_adjust_needs_audio(workspace, tmp_path):
    path = tmp_path / "bars.mp4"
    shutil.copyfile(workspace / "assets" / "bars.mp4", path)
    assert measure_loudness(path) is None
    with pytest.raises(RunnerError, match="no audio"):
        level_adjust(path, 3)
