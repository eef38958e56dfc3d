"""The clips of the metric tests, by name: what each one is built to show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import qcm_clips as c

SECONDS = 6
COUNT = SECONDS * c.FPS
EVENTS = [0.52, 1.24, 1.64, 2.6, 3.12, 3.92, 4.36, 5.2]  # irregular, so one lag fits


def _person_frames(rgb, alpha, *, recolour_from=None, jitter=False, halo=False):
    import cv2

    rng = np.random.default_rng(7)
    bg = c.background()
    if halo:  # the matte grown by 8 px: a rim of the photo's own backdrop around the subject
        alpha = cv2.dilate((alpha > 0.5).astype(np.uint8), np.ones((17, 17), np.uint8)).astype(np.float32)
    swapped = rgb[..., ::-1].copy()  # red and blue swapped: the orange suit turns blue
    for index in range(COUNT):
        base = bg
        if jitter:  # the backdrop shakes by up to 8 px and its light flickers
            dx, dy = (int(v) for v in rng.integers(-8, 9, 2))
            base = np.roll(bg, (dy, dx), axis=(0, 1)).astype(np.int16) + int(rng.integers(-30, 31))
            base = np.clip(base, 0, 255).astype(np.uint8)
        colours = swapped if recolour_from is not None and index >= recolour_from else rgb
        yield c.composite(base, colours, alpha, c.sway(index, COUNT), 40)


def build(root: Path) -> dict[str, Path]:
    """Every clip, in `root`; and the reference image (the hero: the astronaut photo)."""
    from skimage import data, io

    rgb, alpha = c.astronaut_cutout()
    out: dict[str, Path] = {}
    io.imsave(root / "hero.png", data.astronaut(), check_contrast=False)
    out["hero"] = root / "hero.png"
    tone = c.tone(SECONDS)
    out["clean"] = c.encode(root / "clean.mp4", _person_frames(rgb, alpha), COUNT, tone)
    out["recolour"] = c.encode(root / "recolour.mp4", _person_frames(rgb, alpha, recolour_from=COUNT // 2), COUNT, tone)
    out["jitter"] = c.encode(root / "jitter.mp4", _person_frames(rgb, alpha, jitter=True), COUNT, tone)
    out["halo"] = c.encode(root / "halo.mp4", _person_frames(rgb, alpha, halo=True), COUNT, tone)
    clean = list(_person_frames(rgb, alpha))
    other = c.background(seed=2)[:, ::-1]
    cut = [frame if (i // 10) % 2 == 0 else c.composite(other, rgb, alpha, 330, 40) for i, frame in enumerate(clean)]
    out["cuts"] = c.encode(root / "cuts.mp4", cut, COUNT, tone)
    order = np.random.default_rng(3).permutation(COUNT)
    out["shuffled"] = c.encode(root / "shuffled.mp4", (clean[i] for i in order), COUNT, tone)
    out["synced"] = c.encode(root / "synced.mp4", _flashes(), COUNT, c.beeps(EVENTS, SECONDS))
    out["late_audio"] = c.encode(root / "late_audio.mp4", _flashes(), COUNT, c.beeps(EVENTS, SECONDS, delay=0.3))
    return out


def _flashes():
    """A grey frame with a white square during each event (0.12 s, on frame boundaries)."""
    starts = {round(t * c.FPS) for t in EVENTS}
    for index in range(COUNT):
        frame = np.full((c.H, c.W, 3), 60, np.uint8)
        if any(s <= index < s + 3 for s in starts):
            frame[100:260, 240:400] = 240
        yield frame
