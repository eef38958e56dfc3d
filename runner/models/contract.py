"""The gate contract: what a gate must produce and how its outputs are checked.

The format is the one of the original contracts (every key they use is accepted),
extended with the `json_schema` and `sha256` check types."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from .base import Record, Strict
from .checks import AnyCheck, Depth


class OutputItem(Strict):
    path: str
    description: str | None = None
    required: bool = True
    required_for_depth: list[Depth] | None = None
    optional_for_depth: list[Depth] | None = None

    def is_required(self, depth: str) -> bool:
        if self.required_for_depth is not None and depth in self.required_for_depth:
            return True
        if self.optional_for_depth is not None and depth in self.optional_for_depth:
            return False
        if self.required_for_depth is not None:
            return False
        return self.required


class RequiredOutputs(Strict):
    all_of: list[OutputItem] | None = None
    any_of: list[OutputItem] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> "RequiredOutputs":
        if (self.all_of is None) == (self.any_of is None):
            raise ValueError("give exactly one of all_of or any_of")
        return self

    @property
    def rule(self) -> str:
        return "all_of" if self.all_of is not None else "any_of"

    @property
    def items(self) -> list[OutputItem]:
        return self.all_of if self.all_of is not None else (self.any_of or [])


class PreScript(Strict):
    path: str
    args: list[str] = Field(default_factory=list)


class RequiredSkill(Strict):
    path: str
    name: str | None = None
    reason: str | None = None
    inject: list[str] = Field(default_factory=list)


class Contract(Record):
    """`schema_version` is optional in a contract file (the originals have none)."""

    gate: str
    name: str | None = None
    blocking: bool = True
    description: str | None = None
    agent: str | None = None
    required_outputs: RequiredOutputs
    validations: list[AnyCheck] = Field(default_factory=list)
    pre_scripts: list[PreScript] = Field(default_factory=list)
    required_skills: list[RequiredSkill] = Field(default_factory=list)
    # Free-form guidance kept for people and prompt packets; never evaluated.
    recommended_files: Any = None
    audit_criteria: Any = None
    verification_rules: Any = None
    notes: str | None = None
