"""Record parts as plain dicts, shaped like their models (runner/models/shapes.py,
generated from them): what the commands that must not import pydantic build."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from .models.shapes import SHAPES


def new(shape: str, **values: Any) -> dict:
    """A dict with every field of `shape`: the values given, the model's defaults for
    the others. An unknown or missing field is a bug, not a user error."""
    spec = SHAPES[shape]
    unknown = set(values) - set(spec["required"]) - set(spec["defaults"])
    missing = [f for f in spec["required"] if f not in values]
    if unknown or missing:
        raise TypeError(f"{shape}: unknown fields {sorted(unknown)}, missing fields {missing}")
    return {**deepcopy(spec["defaults"]), **values}


def gate(run: dict, gate_id: str) -> dict | None:
    """The state of one gate in a RUN.json dict."""
    return next((g for g in run["gates"] if g["gate"] == gate_id), None)


def completed(run: dict) -> bool:
    """Ended by `run complete` (even FAILED): no more attempts; a run FAILED by a gate can
    still be retried."""
    return any(e["type"] == "run_completed" for e in run["events"])
