"""The patch types as `runner patch types` lists them (every registered type, its fields,
a worked example that the type's own function reproduces), typed patches built from
command-line options, and a typed patch without a target on a gate with one output."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from helpers import cli

from runner.errors import EXIT_ERROR, EXIT_USAGE, UsageError
from runner.models.patch import PATCH_MODELS
from runner.patches import PATCH_TYPES, PatchError, describe, plan
from runner.patches.catalog import EXAMPLES, OPTIONS, from_options, patch_types


def test_every_registered_type_is_listed_with_its_fields_options_and_a_worked_example():
    listed = patch_types()
    assert [t.type for t in listed] == list(PATCH_MODELS) == list(PATCH_TYPES)
    for t in listed:
        model = PATCH_MODELS[t.type]
        assert {f.name for f in t.fields} == set(model.__struct_fields__)
        assert [f.name for f in t.fields if f.required] == [
            name for name, default in zip(model.__struct_fields__, _defaults(model)) if default is msgspec.NODEFAULT]
        assert t.summary and all(f.description for f in t.fields)
        assert t.options == list(OPTIONS[t.type])
        msgspec.convert(describe(t.example.patch, t.example.target), model)  # the example is a valid patch


def _defaults(model) -> list:
    info = msgspec.inspect.type_info(model)
    return [msgspec.NODEFAULT if f.required else f.default for f in info.fields]


@pytest.mark.parametrize("kind", [k for k, (_, before, _) in EXAMPLES.items() if before is not None])
def test_each_worked_example_is_what_planning_it_on_a_real_file_gives(tmp_path, kind):
    (example,) = [t.example for t in patch_types() if t.type == kind]
    target = tmp_path / example.target
    target.write_text(example.before)
    (planned,) = plan(tmp_path, example.patch, [example.target])  # no target: the gate's one output
    assert planned.content.decode() == example.after != example.before


def test_patch_types_json_from_the_command_line(ws_root):
    listed = cli("patch", "types", "--repo", ws_root, "--json", check=0).json
    assert [t["type"] for t in listed] == list(PATCH_MODELS)
    by_type = {t["type"]: t for t in listed}
    assert by_type["text_replace"]["example"]["after"].startswith("# The film")
    assert by_type["level_adjust"]["example"]["before"] is None
    table = cli("patch", "types", "--repo", ws_root, check=0).out
    assert "--replace OLD NEW" in table and "--beat ID=SECONDS" in table


def test_the_command_line_flags_are_the_catalogue_s_options():
    from runner.cli.patch_cmd import FLAGS

    assert {kind: tuple(flag[2:].replace("-", "_") for flag, *_ in flags) for kind, flags in FLAGS.items()} == OPTIONS


@pytest.mark.parametrize("kind, values, expected", [
    ("text_replace", {"replace": [("a", "b"), ("c", "")]},
     {"type": "text_replace", "replacements": [{"old": "a", "new": "b"}, {"old": "c", "new": ""}]}),
    ("section_replace", {"section": "## Act 2", "content": ""},
     {"type": "section_replace", "section": "## Act 2", "content": ""}),
    ("duration_adjust", {"beat": ["intro=15", "a=b=2.5"]},
     {"type": "duration_adjust", "beat_adjustments": [{"beat_id": "intro", "duration": 15.0},
                                                      {"beat_id": "a=b", "duration": 2.5}]}),
    ("level_adjust", {"level_db": "-3"}, {"type": "level_adjust", "level_change_db": -3.0}),
    ("json_patch", {"op": ['{"op": "remove", "path": "/x"}']}, [{"op": "remove", "path": "/x"}]),
])
def test_typed_patches_from_options(kind, values, expected):
    assert from_options(kind, values) == expected


@pytest.mark.parametrize("kind, values, message", [
    ("text_replace", {"beat": ["a=1"]}, "--beat does not go with --patch-type text_replace"),
    ("text_replace", {}, "--patch-type text_replace needs --replace"),
    ("section_replace", {"section": "## A"}, "section_replace needs --content"),
    ("duration_adjust", {"beat": ["intro=fast"]}, "--beat 'intro=fast' is not ID=SECONDS"),
    ("level_adjust", {"level_db": "loud"}, "--level-db 'loud' is not a number"),
    ("colour", {}, "unknown patch type 'colour'"),
])
def test_options_that_do_not_make_a_patch_are_usage_errors(kind, values, message):
    with pytest.raises(UsageError, match=message) as info:
        from_options(kind, values)
    assert info.value.exit_code == EXIT_USAGE


def _files(root: Path, names: list[str]) -> list[str]:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# Notes\n\nThe hero.\n")
    return names


def test_a_typed_patch_without_a_target_changes_the_one_output(tmp_path):
    outputs = _files(tmp_path, ["out/notes.md"])
    patch = {"type": "text_replace", "replacements": [{"old": "hero", "new": "heroine"}]}
    (planned,) = plan(tmp_path, patch, outputs)
    assert planned.path == "out/notes.md" and planned.content == b"# Notes\n\nThe heroine.\n"
    assert describe(patch, planned.path)["target"] == "out/notes.md"


def test_a_typed_patch_without_a_target_on_several_outputs_names_them(tmp_path):
    outputs = _files(tmp_path, ["a.md", "b.md"])
    (tmp_path / "dir").mkdir()  # a directory output is not a file to patch
    patch = {"type": "text_replace", "replacements": [{"old": "hero", "new": "heroine"}]}
    with pytest.raises(PatchError, match="has no target and the gate has 2 outputs: a.md, b.md") as info:
        plan(tmp_path, patch, [*outputs, "dir"])
    assert info.value.exit_code == EXIT_ERROR and "--target" in info.value.hint
    with pytest.raises(PatchError, match="has no output file to patch"):
        plan(tmp_path, patch, ["dir"])


def test_the_stored_form_and_its_fingerprint_are_stable():
    from runner.patches import fingerprint, stored_form

    a = stored_form({"type": "text_replace", "replacements": [{"old": "x", "new": "y"}]})
    b = stored_form(json.loads('{"replacements": [{"new": "y", "old": "x"}], "type": "text_replace"}'))
    assert a == b and list(a) == ["replacements", "type"] and fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(stored_form({**a, "target": "x.md"}))
