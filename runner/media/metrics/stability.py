"""temporal_stability and background_stability, from consecutive sampled frames.

temporal: the earlier frame is warped onto the later one by dense optical flow
(Farneback; flow, warp and SSIM at half the sampled size), so intended motion costs nothing, and the SSIM of the warped frame to the
later one says whether the content stayed the same; the flow itself must also change
smoothly: a cut, a shuffled frame or a shake makes the motion jump from one pair to the
next (`jerk`, the mean change of the flow vectors over the moving pixels, in pixels at
the sampled size: twice the half-size flow). Pair score = SSIM x exp(-max(0, jerk - JERK_TOLERANCE) / JERK_SCALE).

background: outside both frames' subject masks (grown by 6 px), the mean absolute change
of grey level, without motion compensation: a still backdrop should not move, shake or
flicker. Pair score = 1 up to BG_TOLERANCE grey levels (sensor noise, compression),
falling linearly to 0 at BG_TOLERANCE + BG_SPAN."""

from __future__ import annotations

from runner.media.qc_metrics import ssim_grey

JERK_TOLERANCE, JERK_SCALE = 1.0, 4.0  # pixels at the sampled size (256 px on the long side)
BG_TOLERANCE, BG_SPAN = 3.0, 25.0  # grey levels
MOVING = 0.5  # a pixel moves when its flow is at least this long


def grey(frame):
    """The frame in grey at half size (what the flow and the warp compare) and at full size."""
    import cv2

    full = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    height, width = full.shape
    return cv2.resize(full, (max(8, width // 2), max(8, height // 2)), interpolation=cv2.INTER_AREA), full


def flow(before_half, after_half):
    """Where each pixel of the later (half-size) frame comes from in the earlier one."""
    import cv2

    return cv2.calcOpticalFlowFarneback(after_half, before_half, None, 0.5, 3, 9, 3, 5, 1.1, 0)


def warped_ssim(before_half, after_half, field) -> float:
    import cv2
    import numpy as np

    height, width = field.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    warped = cv2.remap(before_half, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    return ssim_grey(warped, after_half)


def jerk(previous_field, field) -> float:
    import numpy as np

    moving = (np.hypot(previous_field[..., 0], previous_field[..., 1]) > MOVING / 2) | (
        np.hypot(field[..., 0], field[..., 1]) > MOVING / 2)
    if moving.sum() < 12:
        return 0.0
    change = field - previous_field
    return 2.0 * float(np.hypot(change[..., 0], change[..., 1])[moving].mean())  # in sampled-size pixels


def temporal_pair(similarity: float, motion_jerk: float | None) -> float:
    import math

    if motion_jerk is None:
        return similarity
    return similarity * math.exp(-max(0.0, motion_jerk - JERK_TOLERANCE) / JERK_SCALE)


def background_change(before_grey, after_grey, mask_before, mask_after) -> float | None:
    """Mean absolute grey change outside both subjects; None when the subject fills the frame."""
    import cv2
    import numpy as np

    subject = np.zeros(before_grey.shape, np.uint8)
    for mask in (mask_before, mask_after):
        if mask is not None:
            subject |= (mask > 0.5).astype(np.uint8)
    keep = ~(cv2.dilate(subject, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (13, 13))) > 0)
    if keep.sum() < 256:
        return None
    return float(np.abs(before_grey.astype(np.float32) - after_grey.astype(np.float32))[keep].mean())


def background_pair(change: float) -> float:
    return min(1.0, max(0.0, 1.0 - max(0.0, change - BG_TOLERANCE) / BG_SPAN))
