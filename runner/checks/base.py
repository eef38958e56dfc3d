"""What a check function receives and returns.

A check function has the signature `check(spec, ctx) -> Outcome`: it reads files
through `ctx`, never raises for a failing output (it returns FAIL with a reason),
and raises ContractError only when the contract itself is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import msgspec

from runner.errors import ContractError
from runner.paths import Variables, inside, substitute

Status = Literal["PASS", "FAIL", "SKIPPED"]
TEXT_VARIABLES = ("slug", "artifact_path")  # substituted in patterns and regexes too


class Output(msgspec.Struct):
    """One item of the contract's required_outputs, resolved."""

    path: str  # workspace-relative, posix
    required: bool
    description: str | None = None
    # The required_outputs list the item comes from; None means ctx.rule. Set it when a
    # contract has both lists (G4.1, G5.2 and G5.3 do).
    rule: Literal["all_of", "any_of"] | None = None


class Outcome(msgspec.Struct):
    status: Status
    message: str
    target: str | None = None  # workspace-relative path the check looked at
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class CheckContext(msgspec.Struct):
    root: Path  # absolute workspace root
    variables: Variables  # slug, artifact_path, client_component (lazy), run_id
    depth: str = "standard"
    offline: bool = False
    rule: Literal["all_of", "any_of"] = "all_of"
    outputs: list[Output] = msgspec.field(default_factory=list)
    where: str = ""  # e.g. "contracts/G2.contract.json: validations[3]: " for error messages

    def outputs_of(self, rule: str) -> list[Output]:
        """The outputs of one required_outputs list ("all_of" or "any_of")."""
        return [o for o in self.outputs if (o.rule or self.rule) == rule]

    def path(self, template: str) -> tuple[str, Path]:
        """(workspace-relative path, absolute path) of a path template."""
        rel = substitute(template, self.variables, where=self.where)
        return rel, inside(self.root, rel, what="check target")

    def text(self, template: str) -> str:
        """Substitute {slug} and {artifact_path} in a pattern; other braces stay."""
        known = {k: self.variables[k] for k in TEXT_VARIABLES if k in self.variables}
        return substitute(template, known, strict=False)

    def threshold(self, thresholds: dict[str, int], field_name: str = "thresholds") -> int:
        if self.depth not in thresholds:
            raise ContractError(
                f"{self.where}{field_name} has no value for depth {self.depth!r}",
                f"add \"{self.depth}\": N to {field_name}",
            )
        return thresholds[self.depth]  # 0 means 0

    def read_text(self, absolute: Path) -> str | None:
        """The file's text, or None when it does not exist or is not a regular file (a
        FIFO or a device at an output path would block or never end)."""
        if not absolute.is_file():
            return None
        try:
            return absolute.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
