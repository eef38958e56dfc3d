"""The original factory's `job.json` (their job.schema.json, e.g. job.v1.square_dev) read
as a RenderJob, so `runner render` and the render gate take their jobs as they are.

What is carried: `job_id`; `video` (resolution, fps, length_seconds); the background
(`render.background_asset`: an image shown for the whole length, or a clip looped to
fill it); the captions of the shots (each shot's `caption` from its `t` to the next
shot's, the last to the end; written to final.srt, not burned in); `audio.audio_asset`
when it names an audio file. Not carried (nothing a render of one background can
show): the script, hashtags, per-shot visuals and actions, providers, storyboards.
Their own example breaks their schema (`audio.notes`), so keys are read, not refused."""

from __future__ import annotations

import re
from typing import Any

from runner.errors import ContractError
from runner.models.base import load as load_typed
from runner.models.media import RenderJob

IMAGES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO = (".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg")


def is_caf_job(data: Any) -> bool:
    """Their job has no schema_version and carries `video` and `render` objects."""
    return (isinstance(data, dict) and "schema_version" not in data
            and isinstance(data.get("video"), dict) and isinstance(data.get("render"), dict))


def _need(data: dict, key: str, kind: type, where: str):
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ContractError(f"{where}: $.{key} must be {kind.__name__}, not {value!r}",
                            "see their job.schema.json")
    return value


def _captions(shots: Any, length: float, where: str) -> list[dict]:
    if not isinstance(shots, list):
        raise ContractError(f"{where}: $.shots must be a list, not {shots!r}")
    for index, shot in enumerate(shots):
        start = shot.get("t") if isinstance(shot, dict) else None
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise ContractError(f"{where}: $.shots[{index}].t must be a whole number of seconds, not {start!r}")
    timed = sorted(shots, key=lambda s: s["t"])
    out = []
    for index, shot in enumerate(timed):
        start = shot["t"]
        end = timed[index + 1]["t"] if index + 1 < len(timed) else length
        text = str(shot.get("caption") or "").strip()
        if text and start < min(end, length):
            out.append({"start": start, "end": min(end, length), "text": text})
    return out


def from_caf_job(data: dict, where: str) -> RenderJob:
    video = _need(data, "video", dict, where)
    render = _need(data, "render", dict, where)
    size = re.fullmatch(r"(\d+)x(\d+)", str(video.get("resolution", "")))
    if size is None:
        raise ContractError(f"{where}: $.video.resolution must be WIDTHxHEIGHT, not {video.get('resolution')!r}")
    length = _need(video, "length_seconds", int, f"{where} video")
    background = _need(render, "background_asset", str, f"{where} render")
    if background.lower().endswith(IMAGES):
        visual = {"kind": "image", "path": background, "duration": length}
    else:
        visual = {"kind": "clip", "path": background, "duration": length, "loop": True}
    job: dict[str, Any] = {
        "schema_version": 1, "job_id": data.get("job_id"), "visuals": [visual],
        "captions": _captions(data.get("shots", []), length, where),
        "output": {"width": int(size[1]), "height": int(size[2]), "fps": video.get("fps")},
    }  # fmt: skip
    audio = data.get("audio")
    asset = audio.get("audio_asset") if isinstance(audio, dict) else None
    if isinstance(asset, str) and asset.lower().endswith(AUDIO):
        job["audio"] = {"path": asset}
    return load_typed(RenderJob, job, ContractError, f"{where} (the original factory's job)")
