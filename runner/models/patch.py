"""The patches a person may attach to a gate decision: an RFC 6902 JSON Patch (a list of
operations) or a typed patch (a dict with a `type` tag).

Types only, no I/O. Planning and applying live in `runner/patches/`."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

import msgspec

from runner.models.base import UNSET, Strict

# A workspace-relative path. Optional in the file (the `--target` flag may give it);
# always present in the patch stored with a decision.
Target = Annotated[str, msgspec.Meta(min_length=1, description="the output to change, workspace-relative; optional when the gate has one output (or, for json_patch, one JSON/YAML output)")] | None
def _finite(value: float, name: str) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number")


HEADING = re.compile(r"^#{1,6}[ \t]+\S")

OP_NEEDS_VALUE = {"add", "replace", "test"}
OP_NEEDS_FROM = {"move", "copy"}


Pointer = Annotated[str, msgspec.Meta(pattern=r"^(/.*)?$", description="a JSON Pointer: '' or starting with '/'")]


class JsonPatchOperation(Strict):
    """One RFC 6902 operation. `value` may be null, so "absent" (UNSET) and "null" differ."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: Pointer
    value: Any | msgspec.UnsetType = UNSET
    from_: Pointer | None = msgspec.field(default=None, name="from")

    def __post_init__(self) -> None:
        has_value = self.value is not UNSET
        if self.op in OP_NEEDS_VALUE and not has_value:
            raise ValueError(f"a {self.op!r} operation needs a 'value'")
        if self.op not in OP_NEEDS_VALUE and has_value:
            raise ValueError(f"a {self.op!r} operation takes no 'value'")
        if self.op in OP_NEEDS_FROM and self.from_ is None:
            raise ValueError(f"a {self.op!r} operation needs a 'from'")
        if self.op not in OP_NEEDS_FROM and self.from_ is not None:
            raise ValueError(f"a {self.op!r} operation takes no 'from'")

    def rfc(self) -> dict[str, Any]:
        """The operation as RFC 6902 spells it (`from` only when given, `value` only when present)."""
        data = msgspec.to_builtins(self)
        if data.get("from") is None:
            data.pop("from", None)
        return data


Operations = Annotated[list[JsonPatchOperation], msgspec.Meta(min_length=1, description="RFC 6902 operations, applied in order")]


class _Typed(Strict):
    @property
    def type(self) -> str:
        return self.__struct_config__.tag


class JsonPatch(_Typed, tag_field="type", tag="json_patch"):
    """An RFC 6902 JSON Patch on a JSON or YAML output (in a patch file, a bare list of operations)."""

    target: Target = None
    operations: Operations


class Replacement(Strict):
    old: Annotated[str, msgspec.Meta(min_length=1, description="text that must occur; every occurrence is replaced")]
    new: Annotated[str, msgspec.Meta(description="the replacement; '' deletes")]


class TextReplace(_Typed, tag_field="type", tag="text_replace"):
    """Replacements applied in order, each to the result of the previous one."""

    target: Target = None
    replacements: Annotated[list[Replacement], msgspec.Meta(min_length=1, description="applied in order, each on the result of the previous one")]


class SectionReplace(_Typed, tag_field="type", tag="section_replace"):
    """Replace the body of a markdown section, keeping its heading line."""

    target: Target = None
    section: Annotated[str, msgspec.Meta(description="the whole heading line, e.g. '## Act 2'")]
    content: Annotated[str, msgspec.Meta(description="the new body, verbatim ('' empties the section)")]

    def __post_init__(self) -> None:
        if not HEADING.match(self.section.strip()):
            raise ValueError(f"section {self.section!r} is not a markdown heading like '## Act 2'")


class BeatAdjustment(Strict):
    beat_id: Annotated[str, msgspec.Meta(min_length=1, description="a beat's 'id' (or 'beat_id')")]
    # a number, not a string or a bool; written back as an integer when it is whole
    duration: Annotated[float, msgspec.Meta(gt=0, description="seconds, > 0")]

    def __post_init__(self) -> None:
        _finite(self.duration, "duration")


class DurationAdjust(_Typed, tag_field="type", tag="duration_adjust"):
    """Set the `duration` of beats (by `id` or `beat_id`) in a storyboard's top-level `beats`."""

    target: Target = None
    beat_adjustments: Annotated[list[BeatAdjustment], msgspec.Meta(min_length=1, description="each beat at most once")]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for adjustment in self.beat_adjustments:
            if adjustment.beat_id in seen:
                raise ValueError(f"beat {adjustment.beat_id!r} is adjusted more than once")
            seen.add(adjustment.beat_id)


class LevelAdjust(_Typed, tag_field="type", tag="level_adjust"):
    """Change the audio level of a media output by some decibels (ffmpeg, the media extra)."""

    target: Target = None
    level_change_db: Annotated[float, msgspec.Meta(description="decibels: positive is louder")]

    def __post_init__(self) -> None:
        _finite(self.level_change_db, "level_change_db")



class PatchedFile(Strict):
    """One file a patch changed: its SHA-256 before and after."""

    path: str
    sha256_before: str
    sha256_after: str


class AppliedPatch(Strict):
    """A patch applied to a gate's outputs without a decision (`runner patch apply`), as
    the invocation of the attempt that validated the result records it."""

    patch: Any  # the stored form (validated, target resolved), as a decision stores it
    sha256: str  # of the stored form's canonical JSON
    files: list[PatchedFile]
    note: str | None = None


# The model of each `type` tag: the one place that says which tags exist.
PATCH_MODELS: dict[str, type[Strict]] = {
    "json_patch": JsonPatch,
    "text_replace": TextReplace,
    "section_replace": SectionReplace,
    "duration_adjust": DurationAdjust,
    "level_adjust": LevelAdjust,
}


AnyPatch = Union[tuple(PATCH_MODELS.values())]  # type: ignore[valid-type]
_TYPED = tuple(m for tag, m in PATCH_MODELS.items() if tag != "json_patch")
TypedPatch = Union[_TYPED]  # type: ignore[valid-type]
# A patch file: an RFC 6902 list, or a dict with a `type` tag.
Patch = Union[Operations, AnyPatch]  # type: ignore[valid-type]


SCHEMA_MODELS = {"patch": Patch}
