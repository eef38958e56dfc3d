"""costume_fidelity: the subject's torso and limbs (regions drawn from pose landmarks,
inside the subject mask) against the same regions of the reference image.

Each region's hue-saturation histogram is compared with the reference's (intersection);
a frame's costume matches when every region both show is at least MATCH alike. The score
is the share of the frames with a pose whose costume matches: 1.0 when it never changes,
0.5 when it changes halfway."""

from __future__ import annotations

from runner.media.metrics.subject import VISIBLE, Subject, hs_histogram, intersection, subject_mask

MATCH = 0.5
# Limbs as (landmark, landmark): upper arms, forearms, thighs, shins (BlazePose indices).
LIMBS = {"upper_arm_l": (11, 13), "upper_arm_r": (12, 14), "forearm_l": (13, 15), "forearm_r": (14, 16),
         "thigh_l": (23, 25), "thigh_r": (24, 26), "shin_l": (25, 27), "shin_r": (26, 28)}


def regions(subject: Subject, shape: tuple[int, ...]) -> dict[str, object]:
    """Region name -> bool mask (inside the subject, 3 px from its edge). The torso is the shoulders-hips
    quadrilateral, or, without visible hips, a square below the shoulders; a limb is a
    band a quarter of the shoulder width thick."""
    import cv2
    import numpy as np

    points, inside = subject.landmarks, subject_mask(subject)
    if points is None or inside is None or min(points[11, 2], points[12, 2]) < VISIBLE:
        return {}
    # The subject's interior only: its edge is mask_edge_bleed's business, not the costume's.
    inside = cv2.erode(inside.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))) > 0
    left, right = points[11, :2], points[12, :2]
    width = float(np.hypot(*(left - right)))
    if width < 4:
        return {}
    if min(points[23, 2], points[24, 2]) >= VISIBLE:
        corners = [left, right, points[24, :2], points[23, :2]]
    else:
        down = np.array([0.0, width])
        corners = [left, right, right + down, left + down]
    found = {"torso": _draw(shape, lambda m: cv2.fillPoly(m, [np.round(corners).astype(np.int32)], 1))}
    thick = max(2, round(width / 4))
    for name, (a, b) in LIMBS.items():
        if min(points[a, 2], points[b, 2]) >= VISIBLE:
            ends = [tuple(int(v) for v in np.round(points[i, :2])) for i in (a, b)]
            found[name] = _draw(shape, lambda m, ends=ends: cv2.line(m, ends[0], ends[1], 1, thick))
    return {name: region & inside for name, region in found.items() if (region & inside).sum() >= 64}


def _draw(shape, paint):
    import numpy as np

    canvas = np.zeros(shape[:2], np.uint8)
    paint(canvas)
    return canvas.astype(bool)


def histograms(frame, subject: Subject) -> dict[str, object]:
    return {name: hs_histogram(frame, where) for name, where in regions(subject, frame.shape).items()}


def matches(found: dict[str, object], reference: dict[str, object]) -> tuple[bool, float] | None:
    """(every shared region at least MATCH alike, the lowest likeness); None when the
    frame and the reference share no region."""
    shared = [intersection(found[name], reference[name]) for name in found if name in reference]
    if not shared:
        return None
    return min(shared) >= MATCH, min(shared)
