"""The patch types as people and the console see them (`runner patch types`, GET
/api/v1/patches/types): each type's fields (derived from its model), the command-line
options that build it, and a worked example (a file, the patch, the file after it,
computed by the type's own function, so the example cannot drift from the code).

    for t in patch_types():
        print(t.type, [f.name for f in t.fields], t.example.patch)
    fix = from_options("text_replace", {"replace": [("old", "new")]})   # a typed patch"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from runner.errors import UsageError
from runner.models.patch import PATCH_MODELS


class PatchField(msgspec.Struct):
    name: str
    type: str  # e.g. "string", "number", "list of {old, new}"
    required: bool
    description: str


class WorkedExample(msgspec.Struct):
    target: str
    patch: Any  # a patch file's content
    before: str | None  # the target's text before (None: binary media)
    after: str | None  # the target's text after the patch


class PatchType(msgspec.Struct):
    type: str
    summary: str
    fields: list[PatchField]
    options: list[str]  # the names of the command-line options that build it (--replace: "replace")
    example: WorkedExample


STORYBOARD = '{\n  "title": "Demo",\n  "beats": [\n    {"id": "intro", "duration": 10},\n    {"id": "outro", "duration": 3}\n  ]\n}\n'
SCRIPT = "# The film\n\n## Act 1\n\nThe hero wakes up in a quiet room.\n\n## Act 2\n\nThe hero leaves.\n"

# type -> (target, text before, the patch): the worked example of each type.
EXAMPLES: dict[str, tuple[str, str | None, Any]] = {
    "json_patch": ("storyboard.json", STORYBOARD, [
        {"op": "replace", "path": "/title", "value": "The final cut"},
        {"op": "add", "path": "/beats/-", "value": {"duration": 4, "id": "credits"}}]),
    "text_replace": ("script.md", SCRIPT, {"type": "text_replace", "replacements": [
        {"old": "The hero", "new": "Our heroine"}, {"old": " in a quiet room", "new": ""}]}),
    "section_replace": ("script.md", SCRIPT, {"type": "section_replace", "section": "## Act 2",
                                              "content": "Our heroine stays home.\n\nNothing happens."}),
    "duration_adjust": ("storyboard.json", STORYBOARD, {"type": "duration_adjust", "beat_adjustments": [
        {"beat_id": "intro", "duration": 15}, {"beat_id": "outro", "duration": 2.5}]}),
    "level_adjust": ("audio/voice.wav", None, {"type": "level_adjust", "level_change_db": 3}),
}

# type -> the command-line options that build it, by name (`level_db` is --level-db):
# `runner/cli/patch_cmd.py` gives each its flag and help.
OPTIONS: dict[str, tuple[str, ...]] = {
    "json_patch": ("op",),
    "text_replace": ("replace",),
    "section_replace": ("section", "content"),
    "duration_adjust": ("beat",),
    "level_adjust": ("level_db",),
}


def patch_types() -> list[PatchType]:
    """Every patch type, in the order of the registry, with a worked example each."""
    return [PatchType(type=kind, summary=_summary(model), fields=_fields(model), options=list(OPTIONS[kind]),
                      example=_example(kind)) for kind, model in PATCH_MODELS.items()]


def _summary(model: type) -> str:
    return " ".join((model.__doc__ or "").split())


def _fields(model: type) -> list[PatchField]:
    _, components = msgspec.json.schema_components([model])
    schema = components[model.__name__]
    required = set(schema.get("required", ()))
    return [PatchField(name, _type_name(prop, components), name in required, _description(prop))
            for name, prop in schema["properties"].items() if name != "type"]


def _type_name(prop: dict, components: dict) -> str:
    if "anyOf" in prop:
        return " or ".join(_type_name(p, components) for p in prop["anyOf"] if p.get("type") != "null")
    if "$ref" in prop:
        inner = components[prop["$ref"].rsplit("/", 1)[-1]]
        return "{" + ", ".join(inner["properties"]) + "}"
    if prop.get("type") == "array":
        return f"list of {_type_name(prop['items'], components)}"
    return prop.get("type", "any")


def _description(prop: dict) -> str:
    found = [prop.get("description")] + [p.get("description") for p in prop.get("anyOf", ())]
    return next((d for d in found if d), "")


def _example(kind: str) -> WorkedExample:
    from runner.patches import PATCH_TYPES, describe

    target, before, patch = EXAMPLES[kind]
    after = None
    if before is not None:
        spec = msgspec.convert(describe(patch, target), PATCH_MODELS[kind])
        after = PATCH_TYPES[kind](spec, before.encode(), target).decode()
    return WorkedExample(target=target, patch=patch, before=before, after=after)


def from_options(kind: str, values: dict[str, Any]) -> Any:
    """A patch from command-line options: `values` maps each option's name without dashes
    (`replace`, `level_db`, ...) to what was given (a list for a repeatable option). An
    option of another type, or a type given none of its options, is a usage error."""
    if kind not in OPTIONS:
        raise UsageError(f"unknown patch type {kind!r}", f"known types: {', '.join(OPTIONS)}")
    own = set(OPTIONS[kind])
    given = {name: value for name, value in values.items() if value not in (None, (), [])}
    stray = sorted(set(given) - own)
    if stray:
        flags = ", ".join(_flag(name) for name in stray)
        raise UsageError(f"{flags} does not go with --patch-type {kind}",
                         f"{kind} takes {', '.join(_flag(name) for name in OPTIONS[kind])}")
    if not given:
        raise UsageError(f"--patch-type {kind} needs {' and '.join(_flag(name) for name in OPTIONS[kind])}",
                         "see `runner patch types`")
    return BUILDERS[kind](given)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _operations(values: dict) -> list:
    operations = []
    for text in values["op"]:
        try:
            operations.append(json.loads(text))
        except json.JSONDecodeError as exc:
            raise UsageError(f"--op {text!r} is not JSON: {exc.msg}", 'e.g. --op \'{"op": "remove", "path": "/x"}\'') from None
    return operations


def _beats(values: dict) -> dict:
    adjustments = []
    for text in values["beat"]:
        beat, sep, seconds = text.rpartition("=")
        try:
            duration = float(seconds) if sep and beat else None
        except ValueError:
            duration = None
        if duration is None:
            raise UsageError(f"--beat {text!r} is not ID=SECONDS", "e.g. --beat intro=15")
        adjustments.append({"beat_id": beat, "duration": duration})
    return {"type": "duration_adjust", "beat_adjustments": adjustments}


def _level(values: dict) -> dict:
    try:
        return {"type": "level_adjust", "level_change_db": float(values["level_db"])}
    except ValueError:
        raise UsageError(f"--level-db {values['level_db']!r} is not a number", "e.g. --level-db -3") from None


def _section(values: dict) -> dict:
    missing = [flag for flag in ("section", "content") if flag not in values]
    if missing:
        raise UsageError(f"section_replace needs --{missing[0]}", "give both --section HEADING and --content TEXT")
    return {"type": "section_replace", "section": values["section"], "content": values["content"]}


BUILDERS = {
    "json_patch": _operations,
    "text_replace": lambda v: {"type": "text_replace", "replacements": [{"old": o, "new": n} for o, n in v["replace"]]},
    "section_replace": _section,
    "duration_adjust": _beats,
    "level_adjust": _level,
}

__all__ = ["EXAMPLES", "OPTIONS", "PatchType", "from_options", "patch_types"]
