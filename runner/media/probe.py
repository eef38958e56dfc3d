"""ffprobe, as JSON, and the few facts the rest of the library reads from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from runner import proc
from runner.errors import RunnerError
from runner.media.tools import binary, last_line


def probe(path: Path) -> dict[str, Any]:
    """`ffprobe -show_format -show_streams` of `path`, parsed."""
    argv = [
        binary("ffprobe"), "-v", "error", "-print_format", "json",
        "-show_format", "-show_streams", f"file:{path}",
    ]  # fmt: skip
    result = proc.run(argv)
    if result.returncode != 0:
        message = last_line(result.stderr.decode("utf-8", errors="replace"))
        raise RunnerError(f"cannot read media file {path}: {message}", "is it a video or audio file?")
    return json.loads(result.stdout)


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float | None
    fps: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    video_duration_s: float | None
    audio_duration_s: float | None
    audio_bit_rate: int | None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rate(value: str | None) -> float | None:
    try:
        rate = Fraction(value) if value else None
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate else None


def _first(streams: list[dict], kind: str) -> dict | None:
    # Attached pictures (cover art) are video streams that are not the video.
    for stream in streams:
        if stream.get("codec_type") == kind and not stream.get("disposition", {}).get("attached_pic"):
            return stream
    return None


def media_info(path: Path) -> MediaInfo:
    data = probe(path)
    streams = data.get("streams", [])
    video, audio = _first(streams, "video"), _first(streams, "audio")
    return MediaInfo(
        duration_s=_float(data.get("format", {}).get("duration")),
        fps=_rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")) if video else None,
        width=video.get("width") if video else None,
        height=video.get("height") if video else None,
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        video_duration_s=_float(video.get("duration")) if video else None,
        audio_duration_s=_float(audio.get("duration")) if audio else None,
        audio_bit_rate=int(audio["bit_rate"]) if audio and str(audio.get("bit_rate", "")).isdigit() else None,
    )
