"""The gate contract: what a gate must produce and how its outputs are checked.

The format is the one of the original contracts (every key they use is accepted),
extended with the `json_schema` and `sha256` check types."""

from __future__ import annotations

from typing import Any

from runner import outputs
from runner.checks import AnyCheck
from runner.checks.specs import Depth
from runner.models.base import Record, Strict, field


class OutputItem(Strict):
    path: str
    description: str | None = None
    required: bool = True
    required_for_depth: list[Depth] | None = None
    optional_for_depth: list[Depth] | None = None

    def is_required(self, depth: str) -> bool:
        return outputs.is_required(self.required, self.required_for_depth, self.optional_for_depth, depth)


class RequiredOutputs(Strict):
    all_of: list[OutputItem] | None = None
    any_of: list[OutputItem] | None = None

    def __post_init__(self) -> None:
        # Both lists together is allowed (G4.1, G5.2 and G5.3 of the originals): every
        # required all_of item must exist, and one of the any_of items.
        if self.all_of is None and self.any_of is None:
            raise ValueError("give all_of, any_of, or both")

    @property
    def rule(self) -> str:
        return outputs.main_rule(self.all_of)

    def groups(self) -> list[tuple[str, list[OutputItem]]]:
        return outputs.groups(self.all_of, self.any_of)

    @property
    def items(self) -> list[OutputItem]:
        return [item for _, items in self.groups() for item in items]


class PreScript(Strict):
    path: str
    args: list[str] = field(default_factory=list)


class RequiredSkill(Strict):
    path: str
    name: str | None = None
    reason: str | None = None
    inject: list[str] = field(default_factory=list)


class Contract(Record):
    """`schema_version` is optional in a contract file (the originals have none)."""

    gate: str
    name: str | None = None
    blocking: bool = True
    description: str | None = None
    agent: str | None = None
    required_outputs: RequiredOutputs
    validations: list[AnyCheck] = field(default_factory=list)
    pre_scripts: list[PreScript] = field(default_factory=list)
    required_skills: list[RequiredSkill] = field(default_factory=list)
    # Free-form guidance kept for people and prompt packets; never evaluated.
    recommended_files: Any = None
    audit_criteria: Any = None
    verification_rules: Any = None
    notes: str | None = None
