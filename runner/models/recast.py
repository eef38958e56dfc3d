"""The external re-cast handoff (a pack a person takes to an outside tool, and the
video they bring back) and the registry of publications."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

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
    pointer: str | None = None  # the inbox file (viggle_reingest_pointer.v1) that named the video


class CafPack(Strict):
    """`viggle_pack.v1.json`: the original factory's manifest of a pack, written beside
    ours so their tools find the pack (their schema wants it under
    `sandbox/dist_artifacts/<job_id>/viggle_pack`)."""

    version: Literal["viggle_pack.v1"] = "viggle_pack.v1"
    job_id: str
    pack_root: str
    hero_image: str
    motion_video: str
    prompt_file: str
    instructions_file: str
    created_at: str


class CafLifecycle(Strict):
    """`external_recast_lifecycle.v1.json`: the lifecycle in the original factory's terms,
    written beside lifecycle.json at every state."""

    version: Literal["external_recast_lifecycle.v1"] = "external_recast_lifecycle.v1"
    job_id: str
    state: Literal["READY_FOR_VIGGLE", "VIGGLE_EXPORTED", "VIGGLE_DONE", "FINISHING", "DONE", "FAILED"]
    updated_at: str
    notes: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    reingest_pointer: str | None = None  # only a path of their layout; else null
    reingest_result_video: str | None = None


class ReingestPointer(Strict):
    """`viggle_reingest_pointer.v1`: dropped in an inbox folder, it names the video a
    person brought back for a job (their file, read as it is)."""

    version: Literal["viggle_reingest_pointer.v1"]
    job_id: Annotated[str, msgspec.Meta(min_length=1)]
    source: Literal["viggle"]
    result_video_relpath: Annotated[str, msgspec.Meta(min_length=1)]
    submitted_at: str
    notes: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Publication(Strict):
    run_id: str
    platform: str
    url: str
    posted_at: str
    by: Actor
    video_sha256: str | None = None
    # The original factory's names (their handoff_registry.v1 requires them): the run's slug
    # as their job id, and the url again as their post_url.
    job_id: str | None = None
    post_url: str | None = None


class HandoffRegistry(Record):
    """The workspace's ledger of publications (one file, append-only in content). Kept
    valid against the original factory's handoff_registry.v1 as well (their `version`,
    `updated_at`, and each entry's `job_id` and `post_url`)."""

    entries: list[Publication] = field(default_factory=list)
    version: Literal["handoff_registry.v1"] = "handoff_registry.v1"
    updated_at: str | None = None


SCHEMA_MODELS = {"recast_pack": RecastPack, "recast_lifecycle": RecastLifecycle, "handoff_registry": HandoffRegistry}
