"""The measuring pass of QC: one ffmpeg process decodes the video once and feeds both
the analysis filters (ebur128, blackdetect, freezedetect, whose findings ffmpeg logs on
stderr) and a pipe of small RGB frames sampled at `sample_fps` (for pose and loop seam).
Also the parsers of those logs and the loop-seam score."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Callable

from runner.errors import RunnerError
from runner.media.probe import MediaInfo
from runner.media.tools import binary, last_line
from runner.proc import DEVNULL, spawn

SAMPLE_MAX_SIDE = 256  # mediapipe's pose models run at 224/256 px: larger frames only cost
BLACK = "blackdetect=d=0.1:pic_th=0.98:pix_th=0.10"  # black runs of 0.1 s or more
FREEZE = "freezedetect=n=-60dB:d=1"  # still for 1 s or more (noise below -60 dB)

_LOUDNESS = re.compile(r"^\s*I:\s+(-?[0-9.]+|-inf) LUFS", re.M)
_BLACK = re.compile(r"black_start:\s*(\S+)\s+black_end:\s*(\S+)")
_FREEZE = re.compile(r"lavfi\.freezedetect\.freeze_(start|end): (\S+)")

Frame = "numpy.ndarray"


def sample_size(width: int, height: int, max_side: int = SAMPLE_MAX_SIDE) -> tuple[int, int]:
    """The size of the sampled frames: the video scaled to fit `max_side`, never enlarged."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def analysis_argv(video: Path, info: MediaInfo, sample_fps: float, size: tuple[int, int]) -> list[str]:
    from runner.media.metrics.sync import AUDIO_CHAIN, VIDEO_CHAIN

    # [vm] and [ae]: the picture-change and audio-level envelopes of the A/V offset (metrics/sync.py).
    graph = ["[0:v:0]split=3[va][vs][vm]", f"[va]fps=10,{BLACK},{FREEZE}[vo]", f"[vm]{VIDEO_CHAIN}[vmo]"]
    graph.append(f"[vs]fps={sample_fps:g},scale={size[0]}:{size[1]}:flags=area,format=rgb24[frames]")
    maps = ["-map", "[vo]", "-map", "[vmo]"]
    if info.audio_codec is not None:
        # framelog=verbose keeps the 10-per-second progress lines out of the info log.
        graph += ["[0:a:0]asplit=2[aa][ae]", "[aa]ebur128=framelog=verbose[ao]", f"[ae]{AUDIO_CHAIN}[aeo]"]
        maps += ["-map", "[ao]", "-map", "[aeo]"]
    return [
        binary("ffmpeg"), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
        # One decoding thread: the pose workers want the other cores, and frame threading
        # costs CPU time of its own.
        "-threads", "1", "-filter_complex_threads", "1",
        "-i", f"file:{video}", "-filter_complex", ";".join(graph),
        "-map", "[frames]", "-f", "rawvideo", "pipe:1",
        *maps, "-f", "null", "-",
    ]  # fmt: skip


def run_analysis(argv: list[str], size: tuple[int, int], on_frame: Callable[[int, Frame], None]) -> str:
    """Run the pass, calling `on_frame(index, rgb array)` for every sampled frame as it
    arrives; return ffmpeg's stderr, where the filters report."""
    import numpy as np

    width, height = size
    frame_bytes = width * height * 3
    proc = spawn(argv, stdin=DEVNULL)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    index = 0
    try:
        while True:
            data = proc.stdout.read(frame_bytes)
            if len(data) < frame_bytes:
                break
            on_frame(index, np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3))
            index += 1
    except BaseException:
        proc.kill()
        raise
    finally:
        proc.stdout.close()
        code = proc.wait()
        reader.join()
    stderr = b"".join(chunks).decode("utf-8", errors="replace")
    if code != 0:
        raise RunnerError(f"ffmpeg analysis failed (exit {code}): {last_line(stderr)}")
    return stderr


def loudness(stderr: str) -> float | None:
    """The integrated loudness of ebur128's last summary (LUFS); -70 for silence."""
    found = _LOUDNESS.findall(stderr)
    if not found:
        return None
    return -70.0 if found[-1] == "-inf" else float(found[-1])


def black_seconds(stderr: str, duration: float) -> float:
    total = 0.0
    for start, end in _BLACK.findall(stderr):
        total += max(0.0, min(float(end), duration) - float(start))
    return total


def frozen_seconds(stderr: str, duration: float) -> float:
    """Sum of the frozen runs; a run still open at the end lasts to the end."""
    total, start = 0.0, None
    for kind, value in _FREEZE.findall(stderr):
        if kind == "start":
            start = float(value)
        elif start is not None:
            total += max(0.0, min(float(value), duration) - start)
            start = None
    if start is not None:
        total += max(0.0, duration - start)
    return total


def ratio(seconds: float, duration: float | None) -> float | None:
    if not duration:
        return None
    return min(1.0, max(0.0, seconds / duration))


def loop_seam(first: Frame, last: Frame) -> float:
    """Structural similarity (SSIM) of the last frame to the first, in grey, clamped to
    0..1: 1 means the clip loops without a visible jump."""
    import cv2
    import numpy as np

    a = cv2.cvtColor(np.ascontiguousarray(first), cv2.COLOR_RGB2GRAY)
    b = cv2.cvtColor(np.ascontiguousarray(last), cv2.COLOR_RGB2GRAY)
    return ssim_grey(a, b)


def ssim_grey(a, b) -> float:
    """Mean SSIM of two grey images (Gaussian window of sigma 1.5 as in Wang et al. 2004),
    clamped to 0..1. OpenCV ships with mediapipe, so no other package is needed."""
    import cv2
    import numpy as np

    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x):
        return cv2.GaussianBlur(x, (11, 11), 1.5)

    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(min(1.0, max(0.0, ssim.mean())))
