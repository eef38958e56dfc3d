"""Pictures of a run's outputs for its report: a contact sheet (frames in a grid) of every
video and a small preview of every image, made by ffmpeg and embedded as data: URIs, so
the page needs no file beside it and no network."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner import proc
from runner.errors import RunnerError
from runner.models.report import Picture

VIDEO = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v")
IMAGE = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
COLUMNS, ROWS, FRAME_WIDTH, IMAGE_WIDTH = 4, 2, 200, 320
MAX_PICTURES = 24  # beyond this, the report names the outputs without pictures
WINDOW = 3  # ffmpeg processes at once


@dataclass
class Output:
    path: str  # workspace-relative
    sha256: str | None  # of the file now
    recorded: bool  # the file now is the bytes an attempt recorded


def is_picture(path: str) -> bool:
    return path.lower().endswith(VIDEO + IMAGE)


@dataclass
class Started:
    root: Path
    paths: list[str]  # the pictures to make, in order
    jobs: list[Any]  # per path: its ffmpeg process, or the problem that stopped it


def start(root: Path, paths: list[str]) -> Started:
    """Start ffmpeg for the first pictures among `paths` (videos and images, at most
    MAX_PICTURES): WINDOW at a time; `finish` starts the others as these end. The caller
    may do other work meanwhile."""
    chosen = [path for path in paths if is_picture(path)][:MAX_PICTURES]
    return Started(root, chosen, [_start(root, path) for path in chosen[:WINDOW]])


def finish(started: Started, outputs: dict[str, Output]) -> list[Picture]:
    """The pictures, each with what `outputs` says of its file now."""
    found = []
    for i, path in enumerate(started.paths):
        if i + WINDOW < len(started.paths):
            started.jobs.append(_start(started.root, started.paths[i + WINDOW]))
        found.append(_finish(outputs.get(path, Output(path, None, False)), started.jobs[i]))
    return found


def _start(root: Path, rel: str):
    """The running ffmpeg of one picture, or the problem that stopped it."""
    from runner.media.tools import binary

    path = root / rel
    if not path.is_file():
        return "the file no longer exists"
    try:
        if rel.lower().endswith(VIDEO):
            seconds = _duration(path)
            frames = COLUMNS * ROWS
            # frames spread over the video, the first half an interval in
            chain = (f"fps={frames / seconds:.6f}:start_time={-seconds / frames / 2:.6f},"
                     f"scale={FRAME_WIDTH}:-2,tile={COLUMNS}x{ROWS}:padding=2:color=white")
        else:
            chain = f"scale='min({IMAGE_WIDTH},iw)':-2"
        argv = [binary("ffmpeg"), "-v", "error", "-nostdin", "-i", f"file:{path}", "-vf", chain,
                "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1"]
        return proc.spawn(argv, stdin=proc.DEVNULL)
    except RunnerError as exc:
        return exc.message


def _duration(path: Path) -> float:
    from runner.media.probe import probe

    info = probe(path)
    try:
        seconds = float(info.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        raise RunnerError(f"{path.name} has no duration (not a video?)") from None
    if not seconds > 0:
        raise RunnerError(f"{path.name} has no duration (not a video?)")
    return seconds


def _finish(output: Output, job) -> Picture:
    kind = "contact_sheet" if output.path.lower().endswith(VIDEO) else "image"
    picture = Picture(path=output.path, sha256=output.sha256, recorded=output.recorded, kind=kind,
                      frames=COLUMNS * ROWS if kind == "contact_sheet" else 0)
    if isinstance(job, str):
        picture.problem = job
        return picture
    out, err = job.communicate()
    if job.returncode != 0 or not out:
        from runner.media.tools import last_line

        picture.problem = f"ffmpeg could not read it: {last_line(err.decode('utf-8', errors='replace'))}"
        return picture
    picture.data_uri = "data:image/jpeg;base64," + base64.b64encode(out).decode("ascii")
    return picture
