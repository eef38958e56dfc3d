"""The subject of a frame as mediapipe's pose model sees it (landmarks and a soft mask,
from the same graph: `enable_segmentation=True` costs a few per cent of the pose), and
the features the identity and costume metrics compare: a hue-saturation histogram of the
masked subject and ratios of distances between landmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner.errors import RunnerError

VISIBLE = 0.5  # a landmark counts when mediapipe's visibility is at least this
HUE_BINS, SAT_BINS = 18, 4
# Distances between landmarks (BlazePose indices), each divided by the shoulder width:
# head size, eye spacing, upper arms, forearms, torso length. Proportions of a body that
# change little with the pose and a lot with a different subject.
_SHOULDERS = (11, 12)
_SEGMENTS = {"ears": (7, 8), "eyes": (2, 5), "upper_arm_l": (11, 13), "upper_arm_r": (12, 14),
             "forearm_l": (13, 15), "forearm_r": (14, 16), "torso_l": (11, 23), "torso_r": (12, 24)}


@dataclass(frozen=True)
class Subject:
    """`landmarks`: (33, 3) x and y in pixels and visibility, or None (no pose);
    `mask`: float32 (H, W) in 0..1, or None."""

    landmarks: object | None
    mask: object | None


def from_result(result, shape: tuple[int, ...]) -> Subject:
    """A Subject of mediapipe's pose result for a frame of `shape`."""
    import numpy as np

    if result.pose_landmarks is None:
        return Subject(None, None)
    height, width = shape[:2]
    points = np.array([(p.x * width, p.y * height, p.visibility) for p in result.pose_landmarks.landmark])
    mask = result.segmentation_mask
    return Subject(points, None if mask is None else np.array(mask, dtype=np.float32))


def subject_mask(subject: Subject):
    """The subject's pixels (bool) or None."""
    return None if subject.mask is None else subject.mask > 0.5


def hs_histogram(frame, where):
    """Normalised hue x saturation histogram (18 x 4 bins) of the RGB pixels where
    `where` (bool) is set; None with fewer than 64 pixels. Hue and saturation, not
    brightness: a change of light moves value, a change of colour moves hue."""
    import cv2
    import numpy as np

    if where is None or int(where.sum()) < 64:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], where.astype(np.uint8), [HUE_BINS, SAT_BINS], [0, 180, 0, 256])
    return (hist / hist.sum()).astype(np.float64)


def intersection(a, b) -> float | None:
    """Histogram intersection of two normalised histograms: 1 when they are equal."""
    import numpy as np

    if a is None or b is None:
        return None
    return float(np.minimum(a, b).sum())


def proportions(subject: Subject) -> dict[str, float]:
    """Each visible segment's length over the shoulder width."""
    import numpy as np

    points = subject.landmarks
    if points is None or min(points[_SHOULDERS[0], 2], points[_SHOULDERS[1], 2]) < VISIBLE:
        return {}
    shoulders = float(np.hypot(*(points[_SHOULDERS[0], :2] - points[_SHOULDERS[1], :2])))
    if shoulders < 4:
        return {}
    out = {}
    for name, (a, b) in _SEGMENTS.items():
        if min(points[a, 2], points[b, 2]) >= VISIBLE:
            out[name] = float(np.hypot(*(points[a, :2] - points[b, :2]))) / shoulders
    return out


def proportion_match(found: dict[str, float], reference: dict[str, float]) -> float | None:
    """exp(-mean |log(found / reference)|) over the segments both show: 1 for the same
    proportions, 0.78 for 25 % off on average; None when they share none."""
    import math

    shared = [name for name in found if name in reference and found[name] > 0 and reference[name] > 0]
    if not shared:
        return None
    return math.exp(-sum(abs(math.log(found[n] / reference[n])) for n in shared) / len(shared))


def read_image(path: Path, max_side: int):
    """An image file as RGB, scaled (area) to fit `max_side` like the sampled frames."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise RunnerError(f"cannot read the reference image {path}", "give a PNG or JPEG file")
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    if scale < 1.0:
        image = cv2.resize(image, (max(2, round(width * scale)), max(2, round(height * scale))),
                           interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
