"""The level_adjust patch type changes the real audio level of an output, planned in
memory (the same bytes each time, as resuming checks) and applied atomically."""

import subprocess

import pytest

from runner.hashing import sha256_file
from runner.media import measure_loudness
from runner.patches import PatchError, apply, plan, replan


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=160x120:rate=10:duration=3", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=3:sample_rate=48000", "-af", "volume=0.2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)], check=True)
    return path


def test_level_adjust_moves_loudness_by_the_requested_db(tmp_path, clip):
    before = measure_loudness(clip)
    patch = {"type": "level_adjust", "target": "clip.mp4", "level_change_db": 6}
    planned = plan(tmp_path, patch, ["clip.mp4"])
    assert planned[0].sha256_before == sha256_file(clip)
    again = replan(tmp_path, patch, planned)  # what resuming does: same bytes, same hash
    assert again[0].sha256_after == planned[0].sha256_after
    apply(tmp_path, planned)
    assert sha256_file(clip) == planned[0].sha256_after
    assert measure_loudness(clip) - before == pytest.approx(6.0, abs=0.5)


def test_level_adjust_refuses_a_file_without_audio(tmp_path):
    silent = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
                    str(silent)], check=True)
    with pytest.raises(PatchError, match="no audio stream"):
        plan(tmp_path, {"type": "level_adjust", "target": "silent.mp4", "level_change_db": 3}, ["silent.mp4"])
