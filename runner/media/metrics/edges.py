"""mask_edge_bleed: how clean the subject's boundary is, per frame.

The edge band is every pixel within 3 px (at the sampled size) of the mask's boundary,
inside or out. A clean edge pixel looks like the subject just inside it or like the
background just outside it (local means of the pixels 6+ px inside and 5-10 px outside,
by normalised convolution). A pixel unlike both (more than BLEED grey levels from each,
mean over RGB) is a halo: a rim of another backdrop, a glow, a matte that bled. Score of a
frame: 1 up to TOLERANCE of the band being halo (antialiasing, hair, compression), falling
linearly to 0 at TOLERANCE + SPAN."""

from __future__ import annotations

BLEED = 40.0
TOLERANCE, SPAN = 0.15, 0.35
MARGIN = 18  # the outer ring (10 px) and half the local mean's window (7 px), and one


def halo_share(frame, mask) -> float | None:
    """The share of the edge band that is neither subject nor background; None without
    a subject of at least 64 pixels."""
    import cv2
    import numpy as np

    inside = (mask > 0.5).astype(np.uint8)
    if inside.sum() < 64:
        return None
    # Only around the subject: its box grown by the outer ring and the local mean's window.
    x, y, w, h = cv2.boundingRect(inside)
    top, left = max(0, y - MARGIN), max(0, x - MARGIN)
    inside = inside[top:y + h + MARGIN, left:x + w + MARGIN]
    image = frame[top:y + h + MARGIN, left:x + w + MARGIN].astype(np.float32)
    # Distances to the edge, from inside and from outside (two passes, whatever the radius).
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    away = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
    band = ((inside > 0) & (depth <= 3)) | ((inside == 0) & (away <= 3))
    core = depth > 6
    around = (away > 5) & (away <= 10)

    def local_mean(where):
        weight = cv2.blur(where.astype(np.float32), (15, 15))
        total = cv2.blur(image * where[..., None], (15, 15))
        return total / np.maximum(weight, 1e-6)[..., None], weight

    subject, w_subject = local_mean(core)
    backdrop, w_backdrop = local_mean(around)
    judged = band & (w_subject > 0.02) & (w_backdrop > 0.02)
    if judged.sum() < 16:
        return None
    distance = np.minimum(np.abs(image - subject).mean(-1), np.abs(image - backdrop).mean(-1))
    return float((distance[judged] > BLEED).mean())


def score(share: float) -> float:
    return min(1.0, max(0.0, 1.0 - max(0.0, share - TOLERANCE) / SPAN))
