"""The media library: render a job with ffmpeg, measure a video (QC), decide what to do.

Plain functions over explicit paths. Importing this package is cheap: ffmpeg-python,
numpy, scikit-image and mediapipe are imported inside the functions that use them."""

from __future__ import annotations

from runner.media.audio import level_adjust, measure_loudness
from runner.media.caf_policy import import_caf, import_caf_policy, read_policy
from runner.media.decision import decide
from runner.media.job import load_job
from runner.media.policy import default_policy, evaluate, load_policy
from runner.media.probe import probe
from runner.media.qc import qc
from runner.media.render import render

__all__ = [
    "decide",
    "default_policy",
    "evaluate",
    "import_caf",
    "import_caf_policy",
    "level_adjust",
    "load_job",
    "load_policy",
    "measure_loudness",
    "probe",
    "qc",
    "read_policy",
    "render",
]
