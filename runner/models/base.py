"""Base of every record model: strict (extra keys refused) and versioned."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

SCHEMA_VERSION = 1
M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A nested part of a record: unknown keys are refused."""

    # defer_build: a model's validator is built when it is first used, not when its
    # module is imported, so a command pays only for the records it touches.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Record(Strict):
    """A file the runner writes. `schema_version` is always present."""

    schema_version: int = SCHEMA_VERSION


class Lenient(BaseModel):
    """A file a person writes in a format we did not invent (contracts, workflows):
    documented keys are typed, other keys are kept as they are."""

    model_config = ConfigDict(extra="allow", defer_build=True)


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """One line naming every failing field, e.g. `validations[2].regex: field required`."""
    parts = []
    for err in exc.errors()[:5]:
        loc = prefix
        for item in err["loc"]:
            loc += f"[{item}]" if isinstance(item, int) else (f".{item}" if loc else str(item))
        parts.append(f"{loc or '<root>'}: {err['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def validated(model: type[M], data: Any, error: type[Exception], where: str, hint: str | None = None) -> M:
    """`model.model_validate(data)`; a failure is `error` with `where` and every failing
    field, e.g. `contract contracts/G2.contract.json: validations[2].regex: ...`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(f"{where}: {describe_validation_error(exc)}", hint) from None


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
