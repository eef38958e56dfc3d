"""The reference image of a job (the hero image of a re-cast pack, or a subject image),
measured once with the same pose graph as the frames, at the same size."""

from __future__ import annotations

from pathlib import Path

from runner.errors import RunnerError
from runner.hashing import sha256_file
from runner.media.metrics import costume
from runner.media.metrics.collect import Reference
from runner.media.metrics.subject import from_result, hs_histogram, proportions, read_image, subject_mask
from runner.media.pose import NativeStderr, load_mediapipe, pose_graph


def measure_reference(path: Path, rel: str, max_side: int) -> Reference:
    """The subject of the image at `path` (named `rel` in reports); RunnerError when the
    image shows no subject mediapipe can find."""
    if not Path(path).is_file():
        raise RunnerError(f"reference image not found: {rel}", "give the hero image of the job (--reference IMAGE)")
    image = read_image(path, max_side)
    mp = load_mediapipe()
    quiet = NativeStderr()
    try:
        with pose_graph(mp, segmentation=True) as pose:
            subject = from_result(pose.process(image), image.shape)
    finally:
        quiet.restore()
    inside = subject_mask(subject)
    hist = hs_histogram(image, inside)
    if subject.landmarks is None or hist is None:
        raise RunnerError(f"no subject found in the reference image {rel}",
                          "the reference must show the subject (a person mediapipe's pose model finds)")
    return Reference(rel=rel, sha256=sha256_file(path), hist=hist, props=proportions(subject),
                     costume=costume.histograms(image, subject))
