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
    def _a_rule(self) -> "RequiredOutputs":
        # Both lists together is allowed (G4.1, G5.2 and G5.3 of the originals): every
        # required all_of item must exist, and one of the any_of items.
        if self.all_of is None and self.any_of is None:
            raise ValueError("give all_of, any_of, or both")
        return self

    @property
    def rule(self) -> str:
        """The main list: all_of when present."""
        return "all_of" if self.all_of is not None else "any_of"

    def groups(self) -> list[tuple[str, list[OutputItem]]]:
        """(rule, items) of each list given, all_of first."""
        return [(rule, items) for rule, items in (("all_of", self.all_of), ("any_of", self.any_of))
                if items is not None]

    @property
    def items(self) -> list[OutputItem]:
        return [item for _, items in self.groups() for item in items]


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
