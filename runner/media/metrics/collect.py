"""The factory's metrics measured from QC's one decoding pass: `Collector` takes each
sampled frame (`frame(index, rgb)`, from the reader) and mediapipe's pose result for it
(`result(...)`, from a pose worker thread, in any order), and measures the frames in
order as soon as both are there. Only the previous frame, its flow and its mask are kept,
and the frames still waiting for mediapipe (the pose pool bounds them), so memory does
not grow with the clip; per frame it keeps a few numbers."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from runner.media.metrics import costume, edges, stability
from runner.media.metrics.identity import Drift, likeness
from runner.media.metrics.subject import Subject, from_result, hs_histogram, proportions, subject_mask


@dataclass(frozen=True)
class Reference:
    """The reference image's subject, measured once: `rel` names it in the report."""

    rel: str
    sha256: str
    hist: object
    props: dict[str, float]
    costume: dict[str, object]


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


@dataclass
class Scores:
    identity: list[float] = field(default_factory=list)
    costume: list[bool] = field(default_factory=list)
    bleed: list[float] = field(default_factory=list)
    temporal: list[float] = field(default_factory=list)
    background: list[float] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per metric, on the reader thread


class Collector:
    def __init__(self, reference: Reference | None, expected_frames: int) -> None:
        self.reference = reference
        self.drift = Drift(expected_frames)
        self.scores = Scores()
        self._lock = threading.Lock()
        self._frames: dict[int, object] = {}
        self._subjects: dict[int, Subject | None] = {}  # None: the same as the frame before
        self._next = 0
        self._previous: tuple[object, object, object, object] | None = None  # half grey, grey, mask, flow
        self._last_subject = Subject(None, None)  # what a repeated frame measures as

    def frame(self, index: int, frame) -> None:
        with self._lock:
            self._frames[index] = frame

    def result(self, index: int, result, shape: tuple[int, ...] | None) -> None:
        """mediapipe's result for frame `index`; `result` None: the frame repeats the one before."""
        subject = None if result is None else from_result(result, shape)
        with self._lock:
            self._subjects[index] = subject

    def drain(self) -> None:
        """Measure every frame whose turn has come (call from one thread only)."""
        while True:
            with self._lock:
                if self._next not in self._frames or self._next not in self._subjects:
                    return
                frame, subject = self._frames.pop(self._next), self._subjects.pop(self._next)
            if subject is None:  # a repeat: it measures as the frame it repeats
                subject = self._last_subject
            self._measure(self._next, frame, subject)
            self._last_subject = subject
            self._next += 1

    def _timed(self, name: str, start: float) -> None:
        import time

        self.scores.seconds[name] = self.scores.seconds.get(name, 0.0) + time.perf_counter() - start

    def _measure(self, index: int, frame, subject: Subject) -> None:
        import time

        s, ref = self.scores, self.reference
        mark = time.perf_counter()
        inside = subject_mask(subject)
        hist, props = hs_histogram(frame, inside), proportions(subject)
        self.drift.add(index, hist, props)
        if ref is not None and (found := likeness(hist, props, ref.hist, ref.props)) is not None:
            s.identity.append(found)
        self._timed("identity_consistency", mark)
        mark = time.perf_counter()
        if ref is not None and (fits := costume.matches(costume.histograms(frame, subject), ref.costume)):
            s.costume.append(fits[0])
        self._timed("costume_fidelity", mark)
        mark = time.perf_counter()
        if subject.mask is not None and (share := edges.halo_share(frame, subject.mask)) is not None:
            s.bleed.append(edges.score(share))
        self._timed("mask_edge_bleed", mark)
        mark = time.perf_counter()
        (half, grey), field_ = stability.grey(frame), None
        if self._previous is not None:
            before_half, before_grey, before_mask, before_field = self._previous
            field_ = stability.flow(before_half, half)
            jerk = None if before_field is None else stability.jerk(before_field, field_)
            s.temporal.append(stability.temporal_pair(stability.warped_ssim(before_half, half, field_), jerk))
            self._timed("temporal_stability", mark)
            mark = time.perf_counter()
            change = stability.background_change(before_grey, grey, before_mask, subject.mask)
            if change is not None:
                s.background.append(stability.background_pair(change))
            self._timed("background_stability", mark)
        self._previous = (half, grey, subject.mask, field_)

    def values(self) -> dict[str, float | None]:
        s = self.scores
        return {
            "identity_consistency": mean(s.identity),
            "identity_drift": None if (d := self.drift.score()) is None else round(d, 4),
            "costume_fidelity": mean([1.0 if ok else 0.0 for ok in s.costume]),
            "mask_edge_bleed": mean(s.bleed),
            "temporal_stability": mean(s.temporal),
            "background_stability": mean(s.background),
        }
