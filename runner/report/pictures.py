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
    sources: dict[str, str]  # path -> the path whose picture it shares (same recorded bytes)
    jobs: dict[str, Any]  # source path -> its ffmpeg process, or the problem that stopped it


def start(root: Path, recorded: dict[str, str | None]) -> Started:
    """Start ffmpeg for the pictures among `recorded` (path -> the SHA-256 an attempt
    recorded; videos and images, at most MAX_PICTURES), one per distinct recorded content
    (a published copy of a render shares its picture), WINDOW at a time: `finish` starts
    the others as these end. The caller may do other work meanwhile."""
    chosen = [path for path in recorded if is_picture(path)][:MAX_PICTURES]
    first: dict[str, str] = {}
    sources = {path: first.setdefault(recorded[path] or path, path) for path in chosen}
    unique = list(dict.fromkeys(sources.values()))
    return Started(root, chosen, sources, {path: _start(root, path) for path in unique[:WINDOW]})


def finish(started: Started, outputs: dict[str, Output]) -> list[Picture]:
    """The pictures, each with what `outputs` says of its file now."""
    unique = list(dict.fromkeys(started.sources.values()))
    made: dict[str, tuple[str | None, str | None]] = {}  # source path -> (data URI, problem)
    for i, source in enumerate(unique):
        if i + WINDOW < len(unique):
            started.jobs[unique[i + WINDOW]] = _start(started.root, unique[i + WINDOW])
        made[source] = _collect(started.jobs[source])
    found = []
    for path in started.paths:
        output = outputs.get(path, Output(path, None, False))
        source = started.sources[path]
        if source == path:
            found.append(_picture(output, *made[source]))
        elif output.sha256 == outputs.get(source, Output(source, None, False)).sha256:
            found.append(_picture(output, None, None, same_as=source))
        else:  # changed since it was recorded: not the source's bytes any more
            found.append(_picture(output, *_collect(_start(started.root, path))))
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
    from runner.media.probe import media_info

    seconds = media_info(path).duration_s
    if seconds is None or not seconds > 0:
        raise RunnerError(f"{path.name} has no duration (not a video?)")
    return seconds


def _collect(job) -> tuple[str | None, str | None]:
    """(data URI, None) of a finished ffmpeg, or (None, the problem)."""
    if isinstance(job, str):
        return None, job
    out, err = job.communicate()
    if job.returncode != 0 or not out:
        from runner.media.tools import last_line

        return None, f"ffmpeg could not read it: {last_line(err.decode('utf-8', errors='replace'))}"
    return "data:image/jpeg;base64," + base64.b64encode(out).decode("ascii"), None


def _picture(output: Output, data_uri: str | None, problem: str | None, same_as: str | None = None) -> Picture:
    kind = "contact_sheet" if output.path.lower().endswith(VIDEO) else "image"
    return Picture(path=output.path, sha256=output.sha256, recorded=output.recorded, kind=kind,
                   frames=COLUMNS * ROWS if kind == "contact_sheet" else 0, data_uri=data_uri, problem=problem,
                   same_as=same_as)
