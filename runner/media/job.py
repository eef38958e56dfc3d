"""The render job: loading a `*.job.json`, resolving its inputs inside the workspace,
its frame counts and its captions as SRT."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from runner.errors import ContractError, RunnerError
from runner.jsonio import read_json
from runner.models.base import load as load_typed
from runner.models.media import Caption, RenderJob
from runner.paths import inside


def load_job(path: Path) -> RenderJob:
    """Read and validate a job file, ours or the original factory's `job.json` (see
    caf_job); ContractError naming the file and the field."""
    from runner.media.caf_job import from_caf_job, is_caf_job

    data = read_json(path, what="render job", error=ContractError)
    if is_caf_job(data):
        return from_caf_job(data, f"render job {path}")
    return load_typed(RenderJob, data, ContractError, f"render job {path}")


@dataclass(frozen=True)
class Segment:
    """One visual of the job, resolved: its absolute path and its exact frame count."""

    kind: str
    rel: str  # as written in the job, relative to the workspace root
    path: Path
    start: float
    frames: int
    loop: bool = False


def resolve_input(base: Path, rel: str, what: str) -> Path:
    """`rel` under `base`; RunnerError when it leaves the workspace or does not exist."""
    path = inside(base, rel, what=what)
    if not path.is_file():
        raise RunnerError(f"{what} not found: {rel}", f"paths are relative to the workspace root {base}")
    return path


def segments(job: RenderJob, base: Path, clip_duration) -> list[Segment]:
    """The visuals in order with their frame counts. `clip_duration(path)` gives the
    length of a clip whose duration the job leaves open."""
    fps = job.output.fps
    out = []
    for index, item in enumerate(job.visuals):
        path = resolve_input(base, item.path, f"visuals[{index}].path")
        if item.kind == "image":
            out.append(Segment("image", item.path, path, 0.0, round(item.duration * fps)))
            continue
        duration = item.duration
        if duration is None:
            total = clip_duration(path)
            if total is None or total <= item.start:
                raise RunnerError(f"visuals[{index}]: clip {item.path} is shorter than its start {item.start} s")
            duration = total - item.start
        # round() when the job gives the duration (validated as whole frames); floor()
        # for the rest of a clip, so the fps filter always has enough frames to give.
        frames = round(duration * fps) if item.duration is not None else math.floor(duration * fps + 1e-9)
        if frames < 1:
            raise RunnerError(f"visuals[{index}]: clip {item.path} gives no frame at {fps} fps")
        out.append(Segment("clip", item.path, path, item.start, frames, item.loop))
    return out


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def srt(captions: list[Caption], duration: float) -> str:
    """SubRip text, in time order; a caption running past the end is cut at the end."""
    blocks = []
    ordered = sorted(captions, key=lambda c: (c.start, c.end))
    for number, caption in enumerate(ordered, start=1):
        if caption.start >= duration:
            raise RunnerError(
                f"caption {caption.text!r} starts at {caption.start} s, after the end of the video ({duration:g} s)"
            )
        end = min(caption.end, duration)
        text = "\n".join(line for line in caption.text.splitlines() if line.strip())
        blocks.append(f"{number}\n{_timestamp(caption.start)} --> {_timestamp(end)}\n{text}\n")
    return "\n".join(blocks)
