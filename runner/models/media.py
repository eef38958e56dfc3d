"""Models of the media library's renders: the render job and its result (the QC types
are in models/qc.py).

Types only, no I/O. The functions live in `runner/media/`."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec

from runner.models.base import Record, Strict, field

RelPath = Annotated[str, msgspec.Meta(min_length=1)]
Seconds = Annotated[float, msgspec.Meta(gt=0)]



# --- render -------------------------------------------------------------------------


class _Visual(Strict):
    @property
    def kind(self) -> str:
        return self.__struct_config__.tag


class ImageInput(_Visual, tag_field="kind", tag="image"):
    """A still image shown for `duration` seconds (exactly duration * fps frames)."""

    path: RelPath
    duration: Seconds


class ClipInput(_Visual, tag_field="kind", tag="clip"):
    """A video clip, from `start` for `duration` seconds (the whole rest when omitted).
    Its own audio is ignored: the job's audio track is the only sound."""

    path: RelPath
    start: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    duration: Seconds | None = None
    loop: bool = False  # play the clip again from its start until `duration` is filled

    def __post_init__(self) -> None:
        if self.loop and self.duration is None:
            raise ValueError(f"clip {self.path}: a looped clip needs a duration")


Visual = Union[ImageInput, ClipInput]


class AudioInput(Strict):
    """The sound track, trimmed or padded with silence to the length of the video."""

    path: RelPath


class Caption(Strict):
    start: Annotated[float, msgspec.Meta(ge=0)]
    end: Seconds
    text: Annotated[str, msgspec.Meta(min_length=1)]

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"caption ends ({self.end}) at or before it starts ({self.start})")


class OutputSpec(Strict):
    width: Annotated[int, msgspec.Meta(gt=0, le=8192, multiple_of=2)]
    height: Annotated[int, msgspec.Meta(gt=0, le=8192, multiple_of=2)]
    fps: Annotated[int, msgspec.Meta(gt=0, le=240)]
    crf: Annotated[int, msgspec.Meta(ge=0, le=51)] = 20
    preset: Literal[
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"
    ] = "medium"
    pixel_format: Literal["yuv420p", "yuv422p", "yuv444p"] = "yuv420p"
    audio_bitrate: Annotated[str, msgspec.Meta(pattern=r"^[0-9]+k$")] = "128k"
    audio_sample_rate: Literal[44100, 48000] = 48000
    # Part of the job, not of the machine: x264's output depends on its thread count,
    # so a fixed count keeps the bytes identical across machines.
    threads: Annotated[int, msgspec.Meta(ge=1, le=16)] = 1


class RenderJob(Record):
    """A `*.job.json`: what to render. Input paths are relative to the workspace root."""

    job_id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    visuals: Annotated[list[Visual], msgspec.Meta(min_length=1)]
    audio: AudioInput | None = None
    captions: list[Caption] = field(default_factory=list)
    output: OutputSpec

    def __post_init__(self) -> None:
        fps = self.output.fps
        for index, item in enumerate(self.visuals):
            if item.duration is None:
                continue
            frames = item.duration * fps
            if abs(frames - round(frames)) > 1e-6:
                raise ValueError(
                    f"visuals[{index}]: {item.duration} s at {fps} fps is {frames:g} frames; "
                    f"give a multiple of 1/{fps} s"
                )


class InputRecord(Strict):
    role: Literal["image", "clip", "audio"]
    path: str  # relative to the workspace root, as written in the job
    sha256: str
    bytes: int


class OutputRecord(Strict):
    path: str  # relative to the output directory
    sha256: str
    bytes: int


class RenderResult(Record):
    """`result.json`: what was rendered, from what, with which exact command."""

    job_id: str
    job_sha256: str  # SHA-256 of the job's canonical JSON
    inputs: list[InputRecord]
    # The exact argv; ffmpeg runs in the workspace root, so input paths are relative to it.
    argv: list[str]
    ffmpeg_version: str
    frames: int
    duration_s: float  # frames / fps: the length the job asks for
    outputs: list[OutputRecord]
    video_duration_s: float | None  # as probed in final.mp4
    audio_duration_s: float | None
    log: str = "ffmpeg.log"


SCHEMA_MODELS = {"render_job": RenderJob, "render_result": RenderResult}
