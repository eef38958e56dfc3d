"""The external re-cast handoff (a pack a person takes to an outside tool, and the
video they bring back) and the registry of publications."""

from __future__ import annotations

from typing import Literal

from runner.models.base import Record, Strict, field
from runner.models.run import Actor

LifecycleState = Literal["EXPORTED", "RESULT_RECEIVED", "REINGESTED", "QC_DONE", "DONE", "FAILED"]


class PackFile(Strict):
    role: Literal["hero_image", "motion_video", "prompt", "instructions"]
    path: str  # workspace-relative
    sha256: str
    size: int


class RecastPack(Record):
    """manifest.json of a pack: every file with its SHA-256, so a changed pack is refused."""

    run_id: str
    gate: str
    attempt: int
    created_at: str
    created_by: Actor
    files: list[PackFile]


class Transition(Strict):
    state: LifecycleState
    at: str
    by: Actor
    note: str | None = None


class RecastLifecycle(Record):
    """lifecycle.json: EXPORTED → RESULT_RECEIVED → REINGESTED → QC_DONE → DONE, or FAILED."""

    run_id: str
    gate: str
    state: LifecycleState
    history: list[Transition] = field(default_factory=list)
    pack_manifest_sha256: str
    result_video: str | None = None
    result_sha256: str | None = None
    source_video: str | None = None  # where the person's file was copied from
    qc_gate: str | None = None
    qc_attempt: int | None = None
    qc_action: str | None = None


class Publication(Strict):
    run_id: str
    platform: str
    url: str
    posted_at: str
    by: Actor
    video_sha256: str | None = None


class HandoffRegistry(Record):
    """The workspace's ledger of publications (one file, append-only in content)."""

    entries: list[Publication] = field(default_factory=list)


SCHEMA_MODELS = {"recast_pack": RecastPack, "recast_lifecycle": RecastLifecycle, "handoff_registry": HandoffRegistry}
