"""Clips made for the metrics, each with a known answer: scikit-image's astronaut photo
cut out (by mediapipe's mask of the photo, thresholded) and composited with numpy over a
drawn background, the frames piped into ffmpeg; sound from lavfi sources."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

W, H, FPS = 640, 360, 25
SUBJECT_HEIGHT = 300


def astronaut_cutout() -> tuple[np.ndarray, np.ndarray]:
    """(RGB, alpha 0..1) of the astronaut, SUBJECT_HEIGHT px tall."""
    import cv2
    import mediapipe as mp
    from skimage import data

    photo = data.astronaut()
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=True) as pose:
        mask = pose.process(photo).segmentation_mask
    alpha = (mask > 0.5).astype(np.float32)
    alpha = cv2.GaussianBlur(cv2.erode(alpha, np.ones((5, 5), np.uint8)), (5, 5), 1.0)
    size = (SUBJECT_HEIGHT, SUBJECT_HEIGHT)
    return cv2.resize(photo, size, interpolation=cv2.INTER_AREA), cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)


def background(seed: int = 1) -> np.ndarray:
    """A textured still: a gradient, a grid and coloured discs (texture shows jitter)."""
    import cv2

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W]
    image = np.stack([60 + 80 * x / W, 90 + 60 * y / H, 140 - 60 * x / W], axis=-1).astype(np.uint8)
    for i in range(0, W, 32):
        cv2.line(image, (i, 0), (i, H), (30, 30, 30), 1)
    for j in range(0, H, 32):
        cv2.line(image, (0, j), (W, j), (30, 30, 30), 1)
    for _ in range(25):
        centre = (int(rng.integers(0, W)), int(rng.integers(0, H)))
        colour = tuple(int(c) for c in rng.integers(40, 220, 3))
        cv2.circle(image, centre, int(rng.integers(8, 30)), colour, -1)
    return image


def composite(bg: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, x: int, y: int) -> np.ndarray:
    out = bg.astype(np.float32).copy()
    h, w = alpha.shape
    a = alpha[..., None]
    region = out[y:y + h, x:x + w]
    out[y:y + h, x:x + w] = region * (1 - a) + rgb.astype(np.float32) * a
    return np.clip(out, 0, 255).astype(np.uint8)


def sway(index: int, frames: int) -> int:
    """The subject's x: a sway of 40 px that ends where it started (a loop)."""
    return round(170 + 40 * np.sin(2 * np.pi * index / frames))


def encode(path: Path, frames, count: int, audio: list[str] | None = None) -> Path:
    """Pipe `count` RGB frames into an H.264 file, with `audio` (ffmpeg input args) muxed."""
    argv = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
            "-r", str(FPS), "-i", "pipe:0"]
    if audio:
        argv += [*audio, "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-shortest"]
    argv += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", str(path)]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE)
    for frame in frames:
        proc.stdin.write(np.ascontiguousarray(frame).tobytes())
    proc.stdin.close()
    assert proc.wait() == 0, argv
    return path


def tone(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]


def beeps(times: list[float], seconds: float, delay: float = 0.0) -> list[str]:
    """1 kHz beeps of 0.12 s at `times` (+ `delay`), silence between."""
    on = "+".join(f"between(t\\,{t + delay:.3f}\\,{t + delay + 0.12:.3f})" for t in times)
    return ["-f", "lavfi", "-i", f"aevalsrc=0.5*sin(2*PI*1000*t)*({on}):s=48000:d={seconds}"]
