"""Media fixtures, generated once per session: images (one is scikit-image's astronaut
photo, a person in full view), tones and short clips built with ffmpeg's lavfi sources.
Nothing binary is committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from runner.media import default_policy, qc

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)

SIZE = "640x360"
FPS = 25


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Path:
    """A workspace root with `assets/`: astronaut.png, red.png, tone.wav, bars.mp4."""
    from skimage import data, io

    root = tmp_path_factory.mktemp("ws")
    assets = root / "assets"
    assets.mkdir()
    io.imsave(assets / "astronaut.png", data.astronaut(), check_contrast=False)
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=300x500", "-frames:v", "1", str(assets / "red.png"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=10", str(assets / "tone.wav"))
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d=3", "-c:v", "libx264", "-preset", "ultrafast",
           str(assets / "bars.mp4"))  # fmt: skip
    return root


def _person(seconds: float, moving: bool = True) -> str:
    """A filter chain: the astronaut photo, letterboxed to SIZE, `seconds` long; with
    `moving`, temporal noise so that freezedetect sees motion."""
    w, h = SIZE.split("x")
    noise = ",noise=alls=12:allf=t" if moving else ""
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2{noise},"
        f"trim=end_frame={round(seconds * FPS)},setpts=PTS-STARTPTS,format=yuv420p"
    )


@pytest.fixture(scope="session")
def clips(workspace, tmp_path_factory) -> dict[str, Path]:
    """Six-second clips, each good but for one defect (and a good one)."""
    out = tmp_path_factory.mktemp("clips")
    photo = ["-loop", "1", "-framerate", str(FPS), "-i", str(workspace / "assets" / "astronaut.png")]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=6"]
    silence = ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono:d=6"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"]
    specs = {
        "good": [*photo, *tone, "-filter_complex", f"[0:v]{_person(6)}[v]", "-map", "[v]", "-map", "1:a"],
        "short": [*photo, *tone, "-filter_complex", f"[0:v]{_person(1)}[v]", "-map", "[v]", "-map", "1:a"],
        "frozen": [*photo, *tone, "-filter_complex", f"[0:v]{_person(6, moving=False)}[v]", "-map", "[v]", "-map", "1:a"],
        "silent": [*photo, *silence, "-filter_complex", f"[0:v]{_person(6)}[v]", "-map", "[v]", "-map", "1:a"],
        "black": ["-f", "lavfi", "-i", f"color=c=black:s={SIZE}:r={FPS}:d=6", *tone, "-map", "0:v", "-map", "1:a"],
        "half_blank": [
            *photo, "-f", "lavfi", "-i", f"color=c=gray:s={SIZE}:r={FPS}:d=3", *tone,
            "-filter_complex", f"[0:v]{_person(3)}[p];[1:v]noise=alls=12:allf=t,format=yuv420p[g];[p][g]concat=n=2:v=1:a=0[v]",
            "-map", "[v]", "-map", "2:a",
        ],
    }  # fmt: skip
    paths = {}
    for name, args in specs.items():
        paths[name] = out / f"{name}.mp4"
        ffmpeg(*args, *encode, str(paths[name]))
    return paths


@pytest.fixture(scope="session")
def reports(clips):
    """The QC report of every clip under the default policy (computed once)."""
    policy = default_policy()
    return {name: qc(path, policy) for name, path in clips.items()}
