"""JSON Schemas of every file the runner reads or writes, generated from the record
types. `schemas/` holds them checked in; a test fails when they drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from runner.models import decision, media, patch, qc, recast, report
from runner.models.contract import Contract
from runner.models.run import Attempt, Run
from runner.models.workflow import Config, Workflow


def types() -> dict[str, Any]:
    return {
        "run": Run, "attempt": Attempt, "contract": Contract, "workflow": Workflow, "config": Config,
        **decision.SCHEMA_MODELS, **recast.SCHEMA_MODELS, **patch.SCHEMA_MODELS, **media.SCHEMA_MODELS, **qc.SCHEMA_MODELS,
        **report.SCHEMA_MODELS,
    }


def generate() -> dict[str, dict]:
    out = {}
    for name, kind in sorted(types().items()):
        schema = msgspec.json.schema(kind)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://runner.dev/schemas/{name}.schema.json"
        out[name] = schema
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = directory / f"{name}.schema.json"
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write(Path(__file__).resolve().parent.parent / "schemas"):
        print(p)


def problems(kind: Any, doc: Any, limit: int = 50) -> list[tuple[str, str]]:
    """Every way `doc` fails `kind`, as (`$.json.path`, message); [] when it is valid.
    The type decides (a validated convert, fast); only a document it refuses is checked
    again against the schema generated from the type (jsonschema), to name every bad
    field rather than the first; the rules only the type knows (one field against
    another) come from its own error."""
    from runner.models.base import describe

    try:
        msgspec.convert(doc, kind)
        return []
    except msgspec.ValidationError as exc:
        first = describe(exc)
    found = []
    for err in _leaves(_validator(kind).iter_errors(doc)):
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {})
            found += [(_loc([*err.absolute_path, key]), "unknown field") for key in err.instance if key not in known]
        else:
            found.append((_loc(err.absolute_path), err.message))
    if not found:
        loc, _, message = first.partition(": ")
        found.append((loc, message))
    return found[:limit]


_VALIDATORS: dict[Any, Any] = {}


def _validator(kind: Any) -> Any:
    if kind not in _VALIDATORS:
        from jsonschema import Draft202012Validator

        _VALIDATORS[kind] = Draft202012Validator(msgspec.json.schema(kind))
    return _VALIDATORS[kind]


def _leaves(errors: Any) -> Any:
    """An error of a union (anyOf) is replaced by the errors of the member the document
    meant: the one whose `type` or `kind` tag it carries, else the closest one."""
    for err in errors:
        if err.validator != "anyOf" or not err.context:
            yield err
            continue
        unknown = _unknown_tag(err)
        if unknown:
            err.message = unknown
            yield err
            continue
        branches: dict[Any, list] = {}
        for sub in err.context:
            if err.instance is not None and err.schema["anyOf"][sub.schema_path[0]] == {"type": "null"}:
                continue  # "or null" is not what a value that is there meant
            branches.setdefault(sub.schema_path[0], []).append(sub)
        tagged = [b for b in branches.values()
                  if not any(s.validator in ("const", "enum") and list(s.relative_path)[-1:] in (["type"], ["kind"])
                             for s in b)]
        candidates = tagged or list(branches.values())
        if len(candidates) == 1 or tagged:
            yield from _leaves(min(candidates, key=len))
        else:
            yield err


def _unknown_tag(err: Any) -> str | None:
    """`unknown type 'x' (known: ...)` for an object whose tag names no member of a tagged union."""
    tag = err.schema.get("discriminator", {}).get("propertyName")
    mapping = err.schema.get("discriminator", {}).get("mapping", {})
    if not tag or not isinstance(err.instance, dict) or err.instance.get(tag) in mapping:
        return None
    if tag not in err.instance:
        return f"no {tag!r} (one of: {', '.join(sorted(mapping))})"
    return f"unknown {tag} {err.instance[tag]!r} (known: {', '.join(sorted(mapping))})"


def _loc(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
