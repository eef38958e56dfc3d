"""identity_consistency and identity_drift: is the subject the one of the reference
image, and does it stay the same one through the clip?

Features, for the subject's pixels (pose mask) of a frame: a hue-saturation histogram
(colour of skin, hair, fur, clothes; insensitive to brightness, so a change of light is not
a change of identity) and the body's proportions (segment lengths over the shoulder width,
from the pose landmarks; a different body, or a face and limbs redrawn, moves them).
Likeness = COLOUR_WEIGHT x histogram intersection + the rest x proportion match (colour
alone when the proportions cannot be measured on both sides). Colour carries more weight
because 2D proportions move with the pose (foreshortening) while colours do not.

identity_consistency: the mean likeness of the frames with a subject to the reference.
identity_drift: the likeness of the first third of the clip (histograms summed,
proportions averaged) to the last third; 1 means no drift, as their threshold expects."""

from __future__ import annotations

from runner.media.metrics.subject import intersection, proportion_match

COLOUR_WEIGHT = 0.75


def likeness(hist, props: dict[str, float], ref_hist, ref_props: dict[str, float]) -> float | None:
    colour = intersection(hist, ref_hist)
    if colour is None:
        return None
    shape = proportion_match(props, ref_props)
    return colour if shape is None else COLOUR_WEIGHT * colour + (1 - COLOUR_WEIGHT) * shape


class Third:
    """The subject's features summed over one third of the clip."""

    def __init__(self) -> None:
        self.hist = None
        self.props: dict[str, list[float]] = {}

    def add(self, hist, props: dict[str, float]) -> None:
        if hist is not None:
            self.hist = hist.copy() if self.hist is None else self.hist + hist
        for name, value in props.items():
            self.props.setdefault(name, []).append(value)

    def features(self):
        hist = None if self.hist is None else self.hist / self.hist.sum()
        return hist, {name: sum(v) / len(v) for name, v in self.props.items()}


class Drift:
    """First third against last third, in one pass: `expected` is the number of
    sampled frames the probe promises (a frame past it counts in the last third)."""

    def __init__(self, expected: int) -> None:
        self.expected = max(3, expected)
        self.first, self.last = Third(), Third()

    def add(self, index: int, hist, props: dict[str, float]) -> None:
        third = min(2, index * 3 // self.expected)
        if third == 0:
            self.first.add(hist, props)
        elif third == 2:
            self.last.add(hist, props)

    def score(self) -> float | None:
        return likeness(*self.last.features(), *self.first.features())
