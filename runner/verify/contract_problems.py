"""Every problem of a contract document that its schema does not name, for `contracts
validate`: the rules only the types know (a check's regex that does not compile, a
`required_outputs` with neither list), each check tried on its own so that one bad check
does not hide the next, and every declared path with an unknown `{variable}` or that a
run would refuse (absolute, leading out of the workspace). Works on the parsed document,
so a contract that does not load still gets all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from runner.checks import AnyCheck
from runner.contracts import PATH_FIELDS, PATH_VARIABLES, RULE_TARGETS, path_problem
from runner.models.base import describe
from runner.models.contract import RequiredOutputs
from runner.paths import unknown_variables

KNOWN = ", ".join(f"{{{v}}}" for v in sorted(PATH_VARIABLES))


def problems(doc: Any, named: set[str]) -> list[str]:
    """`$.where: message` of each problem; `named`: the locations the schema already named
    (a part with a problem there is not tried again)."""
    if not isinstance(doc, dict):
        return []
    out = []
    parts = [("$.required_outputs", doc.get("required_outputs"), RequiredOutputs)]
    checks = doc.get("validations")
    if isinstance(checks, list):
        parts += [(f"$.validations[{i}]", check, AnyCheck) for i, check in enumerate(checks)]
    for loc, part, kind in parts:
        if part is None or any(n == loc or n.startswith((loc + ".", loc + "[")) for n in named):
            continue
        try:
            msgspec.convert(part, kind)
        except msgspec.ValidationError as exc:
            where, _, message = describe(exc).partition(": ")
            out.append(f"{loc}{where[1:]}: {message}")
    for where, template in _templates(doc):
        out += [f"{where}: unknown path variable {{{name}}} (known: {KNOWN})"
                for name in unknown_variables(template, PATH_VARIABLES)]
        if problem := path_problem(template):
            out.append(f"{where}: {template!r} {problem} (a run refuses it)")
    return out


def _templates(doc: dict) -> Iterator[tuple[str, str]]:
    """(field, template) of every path the document declares, as `declared_paths` reads
    them from a loaded contract."""
    outputs = doc.get("required_outputs")
    for rule in ("all_of", "any_of"):
        items = outputs.get(rule) if isinstance(outputs, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                yield f"required_outputs.{rule}[{i}].path", item["path"]
    checks = doc.get("validations")
    for i, check in enumerate(checks if isinstance(checks, list) else []):
        for field in PATH_FIELDS if isinstance(check, dict) else ():
            value = check.get(field)
            if field == "target" and value in RULE_TARGETS:
                continue
            for template in value if isinstance(value, list) else [value]:
                if isinstance(template, str):
                    yield f"validations[{i}].{field}", template
