"""The patches a person may attach to a gate decision: an RFC 6902 JSON Patch (a list of
operations) or a typed patch (a dict with a `type` tag).

Pydantic only, no I/O. Planning and applying live in `runner/patches/`."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import ConfigDict, Field, RootModel, model_validator

from .base import Strict

# A workspace-relative path. Optional in the file (the `--target` flag may give it);
# always present in the patch stored with a decision.
Target = Annotated[str | None, Field(default=None, min_length=1)]
HEADING = re.compile(r"^#{1,6}[ \t]+\S")

OP_NEEDS_VALUE = {"add", "replace", "test"}
OP_NEEDS_FROM = {"move", "copy"}


class JsonPatchOperation(Strict):
    """One RFC 6902 operation. `value` may be null, so "absent" and "null" differ."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str = Field(pattern=r"^(/.*)?$", description="a JSON Pointer: '' or starting with '/'")
    value: Any = None
    from_: str | None = Field(default=None, alias="from", pattern=r"^(/.*)?$")

    @model_validator(mode="after")
    def _members_for_op(self) -> "JsonPatchOperation":
        has_value = "value" in self.model_fields_set
        if self.op in OP_NEEDS_VALUE and not has_value:
            raise ValueError(f"a {self.op!r} operation needs a 'value'")
        if self.op not in OP_NEEDS_VALUE and has_value:
            raise ValueError(f"a {self.op!r} operation takes no 'value'")
        if self.op in OP_NEEDS_FROM and self.from_ is None:
            raise ValueError(f"a {self.op!r} operation needs a 'from'")
        if self.op not in OP_NEEDS_FROM and self.from_ is not None:
            raise ValueError(f"a {self.op!r} operation takes no 'from'")
        return self

    def rfc(self) -> dict[str, Any]:
        """The operation as RFC 6902 spells it (`from`, and `value` only when present)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


Operations = Annotated[list[JsonPatchOperation], Field(min_length=1)]


class JsonPatch(Strict):
    """The stored form of an RFC 6902 patch (a bare list in a patch file)."""

    type: Literal["json_patch"]
    target: Target
    operations: Operations


class Replacement(Strict):
    old: str = Field(min_length=1, description="text that must occur; every occurrence is replaced")
    new: str = Field(description="the replacement; '' deletes")


class TextReplace(Strict):
    """Replacements applied in order, each to the result of the previous one."""

    type: Literal["text_replace"]
    target: Target
    replacements: list[Replacement] = Field(min_length=1)


class SectionReplace(Strict):
    """Replace the body of a markdown section, keeping its heading line."""

    type: Literal["section_replace"]
    target: Target
    section: str = Field(description="the whole heading line, e.g. '## Act 2'")
    content: str = Field(description="the new body, verbatim ('' empties the section)")

    @model_validator(mode="after")
    def _section_is_heading(self) -> "SectionReplace":
        if not HEADING.match(self.section.strip()):
            raise ValueError(f"section {self.section!r} is not a markdown heading like '## Act 2'")
        return self


class BeatAdjustment(Strict):
    beat_id: str = Field(min_length=1)
    # strict: a number, not a string or a bool; written back as an integer when it is whole
    duration: float = Field(gt=0, allow_inf_nan=False, strict=True, description="seconds, > 0")


class DurationAdjust(Strict):
    """Set the `duration` of beats (by `id` or `beat_id`) in a storyboard's top-level `beats`."""

    type: Literal["duration_adjust"]
    target: Target
    beat_adjustments: list[BeatAdjustment] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_beat_once(self) -> "DurationAdjust":
        seen: set[str] = set()
        for adjustment in self.beat_adjustments:
            if adjustment.beat_id in seen:
                raise ValueError(f"beat {adjustment.beat_id!r} is adjusted more than once")
            seen.add(adjustment.beat_id)
        return self


class LevelAdjust(Strict):
    """Change the level of an audio file. Applied by the media code, not here."""

    type: Literal["level_adjust"]
    target: Target
    level_change_db: float = Field(allow_inf_nan=False, strict=True)


TypedPatch = Annotated[
    Union[TextReplace, SectionReplace, DurationAdjust, LevelAdjust], Field(discriminator="type")
]
PatchDict = Annotated[
    Union[JsonPatch, TextReplace, SectionReplace, DurationAdjust, LevelAdjust], Field(discriminator="type")
]
AnyPatch = JsonPatch | TextReplace | SectionReplace | DurationAdjust | LevelAdjust

# The model of each `type` tag: the one place that says which tags exist.
PATCH_MODELS: dict[str, type[Strict]] = {
    "json_patch": JsonPatch,
    "text_replace": TextReplace,
    "section_replace": SectionReplace,
    "duration_adjust": DurationAdjust,
    "level_adjust": LevelAdjust,
}


class Patch(RootModel[Union[Operations, PatchDict]]):
    """A patch file: an RFC 6902 list, or a dict with a `type` tag."""


SCHEMA_MODELS = {"patch": Patch}
