"""audio_video: an audio stream is present, audio and video last as long, and the
offset between them (`av_sync_sec`, positive when the sound comes late).

The offset: ffmpeg's measuring pass also logs, for every video frame, scdet's mean
absolute frame difference (on a 64x36 grey copy: how much the picture changes) and, for
every 10 ms of audio, its RMS level. The visual envelope is that difference, the audio
envelope the absolute change of level in dB (both mark where something starts and ends);
both on a 100 Hz grid, smoothed alike, cross-correlated over +-MAX_LAG s; the peak, refined
by a parabola, is the offset. Below MIN_CORRELATION (no shared events: a steady tone, a
still picture) the offset is not measured.

Score: 0 without audio; else the lower of the duration agreement (1 within
max(0.1 s, 2 frames), falling to 0 one second further) and the sync (1 within
SYNC_TOLERANCE, the ITU-R BT.1359 threshold of detectability, falling to 0 at SYNC_ZERO)."""

from __future__ import annotations

import re

RATE = 100  # envelope samples per second
MAX_LAG = 1.0
MIN_CORRELATION = 0.3
SYNC_TOLERANCE, SYNC_ZERO = 0.045, 0.5

VIDEO_CHAIN = "scale=64:36:flags=area,format=gray,scdet=threshold=100,metadata=mode=print:key=lavfi.scd.mafd"
AUDIO_CHAIN = ("aformat=channel_layouts=mono,aresample=8000,asetnsamples=n=80:p=0,"
               "astats=metadata=1:reset=1:measure_overall=RMS_level:measure_perchannel=none,"
               "ametadata=mode=print:key=lavfi.astats.Overall.RMS_level")
_LINE = re.compile(r"^\[Parsed_(a?metadata)_\d+ @ [^\]]+\] (?:frame:\d+\s+pts:\S+\s+pts_time:(\S+)"
                   r"|lavfi\.(?:scd\.mafd|astats\.Overall\.RMS_level)=(\S+))", re.MULTILINE)


def envelopes(stderr: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(time, scene difference) per video frame and (time, RMS dB) per 10 ms of audio."""
    video, audio, at = [], [], {}
    for kind, time, value in _LINE.findall(stderr):
        if time:
            at[kind] = float(time)
        elif kind in at:
            number = -120.0 if value in ("-inf", "nan") else max(-120.0, float(value))
            (audio if kind == "ametadata" else video).append((at.pop(kind), number))
    return video, audio


def _grid(points, length: int):
    import numpy as np

    out = np.zeros(length)
    for time, value in points:
        index = round(time * RATE)
        if 0 <= index < length:
            out[index] = max(out[index], value)
    return out


def offset(stderr: str) -> tuple[float | None, float]:
    """(offset in seconds or None, the correlation at the peak)."""
    import cv2
    import numpy as np

    video, audio = envelopes(stderr)
    if len(video) < 3 or len(audio) < 3:
        return None, 0.0
    length = int(max(video[-1][0], audio[-1][0]) * RATE) + 2
    level = np.array([v for _, v in audio])
    level = np.maximum(level, level.max() - 60.0)  # quieter than 60 dB below the loudest: silence
    change = np.abs(np.diff(level, prepend=level[0]))
    a = _grid(zip([t for t, _ in audio], change), length)
    v = _grid(video, length)
    a, v = (cv2.GaussianBlur(x.reshape(1, -1), (0, 0), 2.0).ravel() for x in (a, v))
    if a.std() < 1e-9 or v.std() < 1e-9:
        return None, 0.0
    a, v = (a - a.mean()) / a.std(), (v - v.mean()) / v.std()
    lags = range(-int(MAX_LAG * RATE), int(MAX_LAG * RATE) + 1)
    corr = np.array([np.mean(v[max(0, -k):length - max(0, k)] * a[max(0, k):length + min(0, k)]) for k in lags])
    best = int(corr.argmax())
    if corr[best] < MIN_CORRELATION:
        return None, float(corr[best])
    shift = 0.0
    if 0 < best < len(corr) - 1:
        left, mid, right = corr[best - 1], corr[best], corr[best + 1]
        denominator = left - 2 * mid + right
        shift = 0.5 * (left - right) / denominator if denominator else 0.0
    return round(float(lags[best] + shift) / RATE, 4), min(1.0, float(corr[best]))


def score(has_audio: bool, video_s: float | None, audio_s: float | None, fps: float | None,
          sync: float | None) -> float:
    if not has_audio:
        return 0.0
    parts = [1.0]
    if video_s and audio_s:
        tolerance = max(0.1, 2 / fps) if fps else 0.1
        parts.append(1.0 - min(1.0, max(0.0, abs(video_s - audio_s) - tolerance)))
    if sync is not None:
        parts.append(1.0 - min(1.0, max(0.0, abs(sync) - SYNC_TOLERANCE) / (SYNC_ZERO - SYNC_TOLERANCE)))
    return round(min(parts), 4)
