"""Fixtures of the media-step tier: tiny clips and assets generated once per session with
ffmpeg's lavfi sources and scikit-image's astronaut photo, and a template workspace with
them, copied per test. Workflows and QC policies are written by each test (`install`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)
pytest.importorskip("mediapipe")
pytest.importorskip("skimage")

from gated import FPS, SECONDS, SIZE, job, write  # tests/steps is on sys.path (rootdir import mode)


def _clip(video: list[str], audio: list[str] | None, seconds: float = SECONDS, vf: str = "null") -> list[str]:
    """The ffmpeg arguments of a clip (the output path comes last)."""
    maps = ["-map", "0:v"] + (["-map", "1:a", "-c:a", "aac"] if audio else [])
    return [*video, *(audio or []), *maps, "-vf", vf, "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p"]


def _lavfi(source: str) -> list[str]:
    return ["-f", "lavfi", "-i", source]


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """Assets (inputs of render jobs) and clips (videos checked by `runner qc`), made in
    parallel."""
    from skimage import data, io

    out = tmp_path_factory.mktemp("media")
    photo = out / "astronaut.png"
    io.imsave(photo, data.astronaut(), check_contrast=False)
    bars = _lavfi(f"testsrc2=s={SIZE}x{SIZE}:r={FPS}")
    tone = _lavfi("sine=frequency=440:sample_rate=48000")
    still = ["-loop", "1", "-framerate", str(FPS), "-i", str(photo)]
    specs = {
        "tone.wav": [*tone, "-t", str(SECONDS), "-c:a", "pcm_s16le"],
        "bars.mp4": _clip(bars, None),  # moving, no sound track
        "good.mp4": _clip(bars, tone),
        "black.mp4": _clip(_lavfi(f"color=c=black:s={SIZE}x{SIZE}:r={FPS}"), tone),
        "frozen.mp4": _clip(still, tone, vf=f"scale={SIZE}:{SIZE}"),
        "silent.mp4": _clip(bars, _lavfi("anullsrc=r=48000:cl=mono")),
        "short.mp4": _clip(bars, tone, seconds=1),
        # a person in full view, moving (noise) so that it is not frozen
        "person.mp4": _clip(still, tone, vf="scale=320:320,noise=alls=12:allf=t"),
    }
    procs = {name: subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-y", *args, str(out / name)],
                                    stderr=subprocess.PIPE, text=True) for name, args in specs.items()}
    for name, proc in procs.items():
        assert proc.wait(timeout=120) == 0, (name, proc.stderr.read())
    return {"astronaut.png": photo, **{name: out / name for name in specs}}


@pytest.fixture(scope="session")
def _media_template(tmp_path_factory, _workspace_template, media) -> Path:
    root = tmp_path_factory.mktemp("media-ws") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    (root / "assets").mkdir()
    for name in ("astronaut.png", "tone.wav", "bars.mp4"):
        shutil.copyfile(media[name], root / "assets" / name)
    write(root / "jobs" / "silent.job.json", job("silent", audio=False))
    write(root / "jobs" / "with-audio.job.json", job("with-audio"))
    return root


@pytest.fixture
def media_ws(tmp_path, _media_template) -> Path:
    """An initialised workspace with assets/ (astronaut.png, tone.wav, bars.mp4) and
    jobs/ (silent.job.json: the clip without sound; with-audio.job.json)."""
    root = tmp_path / "ws"
    shutil.copytree(_media_template, root, symlinks=True)
    return root
