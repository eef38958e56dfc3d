"""Base of every record type: a msgspec Struct that refuses unknown keys, and the one
way to turn data into a typed record (a validated decode) and back (builtins).

Structs are built directly in code without validation; `load` and `to_data` always
validate, so what reaches a file or comes from one is checked against its type."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

SCHEMA_VERSION = 1
T = TypeVar("T")

UNSET = msgspec.UNSET
field = msgspec.field


class _KeywordFields(msgspec.StructMeta):
    """Every Struct below takes its fields by keyword (msgspec sets kw_only per class,
    not for subclasses), so a required field may follow a field with a default."""

    def __new__(mcls, name, bases, namespace, **config):
        config.setdefault("kw_only", True)
        return super().__new__(mcls, name, bases, namespace, **config)


class Strict(msgspec.Struct, metaclass=_KeywordFields, forbid_unknown_fields=True):
    """A nested part of a record: unknown keys are refused."""


class Record(Strict):
    """A file the runner writes. `schema_version` is always present."""

    schema_version: int = SCHEMA_VERSION


_AT = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<loc>[^`]*)`(?: in `(?P<outer>[^`]*)`)?)?$", re.S)
_FIELD = re.compile(r"^Object (?P<what>missing required|contains unknown) field `(?P<name>[^`]+)`$")


def describe(exc: msgspec.ValidationError) -> str:
    """One line naming the field: `$.gates[0].status: Invalid enum value 'X'`, from
    msgspec's `Invalid enum value 'X' - at `$.gates[0].status``."""
    match = _AT.match(str(exc))
    assert match is not None
    message, loc = match["msg"], match["outer"] or match["loc"] or "$"
    if match["outer"]:
        return f"{loc}: {message} (in a key)"
    field_match = _FIELD.match(message)
    if field_match:
        loc += f".{field_match['name']}"
        message = "required field missing" if field_match["what"] == "missing required" else "unknown field"
    return f"{loc}: {message}"


def load(kind: type[T], data: Any, error: type[Exception], where: str, hint: str | None = None) -> T:
    """`data` (parsed JSON or YAML) as a `kind`, validated; a failure is `error` naming
    `where` and the field, e.g. `contracts/G2.contract.json: $.validations[2].regex: ...`."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        raise error(f"{where}: {describe(exc)}", hint) from None


def to_data(record: Any) -> Any:
    """A Struct (or a list or dict of them) as JSON-ready builtins, validated against its
    own type first, so a record built in code with a wrong value never reaches a file."""
    if isinstance(record, msgspec.Struct):
        data = msgspec.to_builtins(record)
        return msgspec.to_builtins(msgspec.convert(data, type(record)))
    return msgspec.to_builtins(record)
