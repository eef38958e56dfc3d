"""Checks on structured or exact outputs: json_schema, sha256.

json_schema keeps the two errors of the jsonschema library apart: a schema that is
itself invalid is a ContractError (the contract is wrong), an output that does not
validate is a FAIL (the step is wrong)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import missing
from runner.errors import ContractError
from runner.hashing import sha256_dir, sha256_file
from runner.jsonio import TOO_DEEP, document_problem, yaml_loader

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import JsonSchema, Sha256

MAX_ERRORS = 5
YAML_SUFFIXES = (".yaml", ".yml")


def load_structured(path: Path) -> Any:
    """Parse JSON, or YAML for .yaml/.yml. Raises ValueError (with the position)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in YAML_SUFFIXES:
            try:
                data = yaml.load(text, Loader=yaml_loader(timestamps=False))  # noqa: S506 (a SafeLoader subclass)
            except yaml.YAMLError as exc:
                raise ValueError(f"not valid YAML: {exc}") from None
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if document_problem(data) == "deep":
        raise ValueError(TOO_DEEP)
    return data


def _schema(spec: JsonSchema, ctx: CheckContext) -> tuple[str, Any]:
    # jsonschema takes ~150 ms to import: only gates with a json_schema check pay for it.
    from jsonschema import exceptions as schema_errors
    from jsonschema import validators

    rel, absolute = ctx.path(spec.schema_path)
    if not absolute.is_file():
        raise ContractError(f"{ctx.where}schema file {rel} not found", "check the `schema` path of the check")
    try:
        schema = load_structured(absolute)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ContractError(f"{ctx.where}schema {rel} is {exc}") from None
    validator_class = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        validator_class.check_schema(schema)
    except schema_errors.SchemaError as exc:
        raise ContractError(
            f"{ctx.where}schema {rel} is not a valid JSON Schema: {exc.message} at {exc.json_path}",
            "fix the schema file",
        ) from None
    return rel, validator_class(schema)


def check_json_schema(spec: JsonSchema, ctx: CheckContext) -> Outcome:
    schema_rel, validator = _schema(spec, ctx)
    rel, absolute = ctx.path(spec.target)
    if not absolute.is_file():
        return missing(rel)
    try:
        instance = load_structured(absolute)
    except (ValueError, UnicodeDecodeError) as exc:
        return Outcome("FAIL", f"{rel} is {exc}", rel)
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: (e.json_path, e.message))
    except RecursionError:  # a recursive schema walking a deep instance
        return Outcome("FAIL", f"{rel} is nested too deeply to validate against {schema_rel}", rel)
    if errors:
        shown = [f"{e.json_path}: {e.message}" for e in errors[:MAX_ERRORS]]
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        message = f"{rel} does not match schema {schema_rel}: {'; '.join(shown)}{more}"
        return Outcome("FAIL", message, rel, {"errors": shown, "error_count": len(errors)})
    return Outcome("PASS", f"{rel} matches schema {schema_rel}", rel)


def check_sha256(spec: Sha256, ctx: CheckContext) -> Outcome:
    rel, absolute = ctx.path(spec.target)
    if absolute.is_dir():
        actual = sha256_dir(absolute)[0]  # the manifest hash the runner records for directories
    elif absolute.is_file():
        actual = sha256_file(absolute)
    else:
        return missing(rel)
    details = {"expected": spec.sha256, "actual": actual}
    if actual != spec.sha256:
        return Outcome("FAIL", f"{rel} has sha256 {actual}, expected {spec.sha256}", rel, details)
    return Outcome("PASS", f"{rel} has the expected sha256", rel, details)
