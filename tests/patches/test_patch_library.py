"""Patches attached to gate decisions: every type on real files, every refusal, apply's
checks, and a property test of text_replace against str.replace."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner import patches
from runner.errors import EXIT_ERROR
from runner.hashing import sha256_bytes, sha256_file
from runner.models.patch import PATCH_MODELS, SCHEMA_MODELS, Patch
from runner.patches import PATCH_TYPES, PatchError, PlannedFile, apply, describe, load_patch, plan

DOCS = Path(__file__).resolve().parents[2] / "docs" / "patches.md"

SCRIPT = """# The film

## Act 1

The hero wakes up.

### Scene 1

A quiet room.

## Act 2

The hero leaves.

```bash
## Act 1 (a comment in code, not a heading)
```

## Act 3

The end.
"""

STORYBOARD = {
    "title": "Demo",
    "beats": [
        {"id": "intro_beat", "duration": 10, "shot": "wide", "notes": {"mood": "calm"}},
        {"beat_id": "middle", "duration": 7.5},
        {"id": "outro", "duration": 3},
    ],
    "fps": 24,
}

OUTPUTS = ["script.md", "storyboard.json"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "script.md").write_text(SCRIPT)
    (ws / "storyboard.json").write_text(json.dumps(STORYBOARD, indent=4))  # not canonical on purpose
    (ws / "other.md").write_text("Not an output.\n")
    (tmp_path / "secret.md").write_text("outside the workspace\n")
    return ws


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root.parent).as_posix(): p.read_bytes()
            for p in sorted(root.parent.rglob("*")) if p.is_file() and not p.is_symlink()}


def refuse(root: Path, patch, outputs=OUTPUTS, target=None, *, match: str) -> PatchError:
    before = snapshot(root)
    with pytest.raises(PatchError, match=match) as info:
        plan(root, patch, outputs, target)
    assert info.value.exit_code == EXIT_ERROR
    assert snapshot(root) == before, "a refused patch must leave every file untouched"
    return info.value


def plan_and_apply(root: Path, patch, outputs=OUTPUTS, target=None) -> PlannedFile:
    untouched = snapshot(root)
    planned = plan(root, patch, outputs, target)
    assert snapshot(root) == untouched, "plan never writes"
    assert len(planned) == 1
    item = planned[0]
    assert item.sha256_before == sha256_file(root / item.path)
    assert item.sha256_after == sha256_bytes(item.content)
    apply(root, planned)
    assert (root / item.path).read_bytes() == item.content
    changed = {k for k, v in snapshot(root).items() if untouched.get(k) != v}
    assert changed == {f"ws/{item.path}"}, "exactly the target changes"
    return item


# --- text_replace -------------------------------------------------------------------


def test_text_replace_replaces_every_occurrence_in_order(root):
    patch = {"type": "text_replace", "target": "script.md",
             "replacements": [{"old": "The hero", "new": "Our heroine"},
                              {"old": "heroine leaves", "new": "heroine stays"}]}
    item = plan_and_apply(root, patch)
    expected = SCRIPT.replace("The hero", "Our heroine").replace("heroine leaves", "heroine stays")
    assert item.content == expected.encode()
    assert item.sha256_before == sha256_bytes(SCRIPT.encode())


def test_text_replace_with_empty_new_deletes(root):
    item = plan_and_apply(root, {"type": "text_replace", "target": "script.md",
                                 "replacements": [{"old": "A quiet room.\n", "new": ""}]})
    assert item.content == SCRIPT.replace("A quiet room.\n", "").encode()


def test_text_replace_keeps_crlf_and_non_ascii_bytes(root):
    (root / "script.md").write_bytes("Café\r\nline two\r\n".encode())
    item = plan_and_apply(root, {"type": "text_replace", "target": "script.md",
                                 "replacements": [{"old": "two", "new": "deux"}]})
    assert item.content == "Café\r\nline deux\r\n".encode()


def test_text_replace_missing_old_names_it(root):
    patch = {"type": "text_replace", "target": "script.md",
             "replacements": [{"old": "The hero", "new": "X"}, {"old": "dragon", "new": "cat"}]}
    refuse(root, patch, match=r"replacement 1: 'dragon' does not occur in script.md")


def test_text_replace_old_gone_after_earlier_replacement_says_so(root):
    patch = {"type": "text_replace", "target": "script.md",
             "replacements": [{"old": "quiet", "new": "loud"}, {"old": "quiet room", "new": "x"}]}
    refuse(root, patch, match="after the earlier replacements")


def test_text_replace_empty_old_is_refused(root):
    patch = {"type": "text_replace", "target": "script.md", "replacements": [{"old": "", "new": "x"}]}
    refuse(root, patch, match=r"replacements\[0\]\.old")


def test_text_replace_on_binary_file_is_refused(root):
    (root / "script.md").write_bytes(b"\xff\xfe\x00bin")
    refuse(root, {"type": "text_replace", "target": "script.md", "replacements": [{"old": "bin", "new": "x"}]},
           match="not UTF-8")


# --- section_replace ----------------------------------------------------------------


def test_section_replace_replaces_the_body_and_its_subsections(root):
    item = plan_and_apply(root, {"type": "section_replace", "target": "script.md",
                                 "section": "## Act 1", "content": "She wakes up.\nShe yawns.\n"})
    expected = SCRIPT.replace("The hero wakes up.\n\n### Scene 1\n\nA quiet room.\n",
                              "She wakes up.\nShe yawns.\n")
    assert item.content == expected.encode()
    assert "### Scene 1" not in item.content.decode()


def test_section_replace_subsection_stops_at_a_higher_heading(root):
    item = plan_and_apply(root, {"type": "section_replace", "target": "script.md",
                                 "section": "### Scene 1", "content": "A loud room."})
    assert item.content == SCRIPT.replace("A quiet room.", "A loud room.").encode()


def test_section_replace_ignores_headings_in_code_and_reaches_end_of_file(root):
    item = plan_and_apply(root, {"type": "section_replace", "target": "script.md",
                                 "section": "## Act 3", "content": "The real end."})
    assert item.content == SCRIPT.replace("The end.", "The real end.").encode()
    # "## Act 1" also appears inside the fenced code block: still exactly one heading.
    plan(root, {"type": "section_replace", "target": "script.md", "section": "## Act 1", "content": "x"}, OUTPUTS)


def test_section_replace_with_empty_content_keeps_the_heading(root):
    item = plan_and_apply(root, {"type": "section_replace", "target": "script.md",
                                 "section": "### Scene 1", "content": ""})
    assert item.content == SCRIPT.replace("### Scene 1\n\nA quiet room.\n\n", "### Scene 1\n\n").encode()


def test_section_replace_missing_heading_lists_the_headings(root):
    err = refuse(root, {"type": "section_replace", "target": "script.md", "section": "## Act 9", "content": "x"},
                 match="section '## Act 9' not found in script.md")
    assert "'## Act 2'" in err.message


def test_section_replace_duplicate_heading_is_refused(root):
    (root / "script.md").write_text("## A\n\none\n\n## A\n\ntwo\n")
    refuse(root, {"type": "section_replace", "target": "script.md", "section": "## A", "content": "x"},
           match=r"occurs 2 times in script.md \(lines 1, 5\)")


def test_section_must_be_a_heading(root):
    refuse(root, {"type": "section_replace", "target": "script.md", "section": "Act 1", "content": "x"},
           match="not a markdown heading")


# --- duration_adjust ----------------------------------------------------------------


def test_duration_adjust_changes_only_durations(root):
    patch = {"type": "duration_adjust", "target": "storyboard.json",
             "beat_adjustments": [{"beat_id": "intro_beat", "duration": 15}, {"beat_id": "middle", "duration": 2.5}]}
    item = plan_and_apply(root, patch)
    expected = json.loads(json.dumps(STORYBOARD))
    expected["beats"][0]["duration"] = 15
    expected["beats"][1]["duration"] = 2.5
    assert item.content == (json.dumps(expected, indent=2) + "\n").encode()
    assert list(json.loads(item.content)) == ["title", "beats", "fps"], "key order kept"


def test_duration_adjust_on_yaml(root):
    (root / "board.yaml").write_text("beats:\n- id: a\n  duration: 4\n  text: Hello\n- id: b\n  duration: 2\n")
    item = plan_and_apply(root, {"type": "duration_adjust", "beat_adjustments": [{"beat_id": "b", "duration": 6}]},
                          outputs=["board.yaml"], target="board.yaml")
    assert item.content == b"beats:\n- id: a\n  duration: 4\n  text: Hello\n- id: b\n  duration: 6\n"


def test_duration_adjust_unknown_beat_lists_the_beats(root):
    refuse(root, {"type": "duration_adjust", "target": "storyboard.json",
                  "beat_adjustments": [{"beat_id": "finale", "duration": 5}]},
           match="beat 'finale' not found in storyboard.json; beats: intro_beat, middle, outro")


@pytest.mark.parametrize("duration", [0, -3, "15", True, float("inf")])
def test_duration_adjust_needs_a_positive_number(root, duration):
    refuse(root, {"type": "duration_adjust", "target": "storyboard.json",
                  "beat_adjustments": [{"beat_id": "outro", "duration": duration}]},
           match=r"beat_adjustments\[0\].*duration")


def test_duration_adjust_needs_beats(root):
    refuse(root, {"type": "duration_adjust", "beat_adjustments": [{"beat_id": "x", "duration": 1}]},
           outputs=["script.md", "storyboard.json"], target="script.md", match="not a JSON or YAML file")
    (root / "storyboard.json").write_text('{"scenes": []}')
    refuse(root, {"type": "duration_adjust", "target": "storyboard.json",
                  "beat_adjustments": [{"beat_id": "x", "duration": 1}]}, match="no top-level 'beats'")


# --- json_patch ---------------------------------------------------------------------


def test_json_patch_on_the_only_json_output(root):
    ops = [{"op": "test", "path": "/fps", "value": 24}, {"op": "replace", "path": "/title", "value": "Démo"},
           {"op": "add", "path": "/beats/-", "value": {"id": "credits", "duration": 4}},
           {"op": "remove", "path": "/beats/0/notes"}]
    item = plan_and_apply(root, ops)
    assert item.path == "storyboard.json"
    expected = json.loads(json.dumps(STORYBOARD))
    expected["title"] = "Démo"
    expected["beats"].append({"id": "credits", "duration": 4})
    del expected["beats"][0]["notes"]
    assert item.content == (json.dumps(expected, indent=2, ensure_ascii=False) + "\n").encode()


def test_json_patch_on_yaml_with_target(root):
    (root / "config.yaml").write_text("name: demo\nsize:\n  w: 1920\n  h: 1080\n")
    item = plan_and_apply(root, [{"op": "replace", "path": "/size/h", "value": 720}],
                          outputs=[*OUTPUTS, "config.yaml"], target="config.yaml")
    assert item.content == b"name: demo\nsize:\n  w: 1920\n  h: 720\n"


def test_json_patch_ambiguous_target_names_the_candidates(root):
    (root / "config.yaml").write_text("a: 1\n")
    err = refuse(root, [{"op": "replace", "path": "/a", "value": 2}], outputs=[*OUTPUTS, "config.yaml"],
                 match="several outputs: storyboard.json, config.yaml")
    assert "--target" in err.hint


def test_json_patch_without_structured_output(root):
    refuse(root, [{"op": "replace", "path": "/a", "value": 2}], outputs=["script.md"], match="no JSON or YAML output")


def test_json_patch_failing_test_op_names_its_index(root):
    ops = [{"op": "replace", "path": "/title", "value": "x"}, {"op": "test", "path": "/fps", "value": 30}]
    refuse(root, ops, match=r"operation 1 \(test '/fps'\) failed on storyboard.json")


def test_json_patch_missing_path_names_its_index(root):
    refuse(root, [{"op": "remove", "path": "/nope"}], match=r"operation 0 \(remove '/nope'\) failed")


def test_json_patch_malformed_operation(root):
    refuse(root, [{"op": "add", "path": "/x"}], match=r"operations\[0\].*needs a 'value'")
    refuse(root, [{"op": "frobnicate", "path": "/x"}], match=r"operations\[0\]\.op")
    refuse(root, [], match="operations")


def test_json_patch_dict_form_is_the_described_form(root):
    ops = [{"op": "replace", "path": "/fps", "value": None}]
    described = describe(ops, "storyboard.json")
    assert described == {"type": "json_patch", "target": "storyboard.json", "operations": ops}
    assert plan(root, described, OUTPUTS)[0].content == plan(root, ops, OUTPUTS, "storyboard.json")[0].content


# --- targets ------------------------------------------------------------------------


def test_file_not_among_outputs_is_refused(root):
    err = refuse(root, {"type": "text_replace", "target": "other.md", "replacements": [{"old": "Not", "new": "Now"}]},
                 match="other.md is not an output of this gate; outputs: script.md, storyboard.json")
    assert err.hint


@pytest.mark.parametrize("target", ["../secret.md", "sub/../../secret.md", "/etc/passwd"])
def test_paths_leaving_the_workspace_are_refused(root, target):
    refuse(root, {"type": "text_replace", "target": target, "replacements": [{"old": "outside", "new": "x"}]},
           outputs=[*OUTPUTS, target], match="leaves the workspace|not a workspace-relative path")


def test_symbolic_link_leading_out_is_refused(root):
    (root / "link.md").symlink_to(root.parent / "secret.md")
    refuse(root, {"type": "text_replace", "target": "link.md", "replacements": [{"old": "outside", "new": "x"}]},
           outputs=["link.md"], match="outside the workspace")


def test_symbolic_link_inside_is_refused(root):
    (root / "alias.md").symlink_to(root / "other.md")
    refuse(root, {"type": "text_replace", "target": "alias.md", "replacements": [{"old": "Not", "new": "x"}]},
           outputs=["alias.md"], match="symbolic link")


def test_file_inside_an_output_directory_may_be_patched(root):
    (root / "out").mkdir()
    (root / "out" / "notes.md").write_text("draft\n")
    item = plan_and_apply(root, {"type": "text_replace", "target": "./out//notes.md",
                                 "replacements": [{"old": "draft", "new": "final"}]}, outputs=["out"])
    assert item.path == "out/notes.md"


def test_missing_target_file_is_refused(root):
    refuse(root, {"type": "text_replace", "target": "gone.md", "replacements": [{"old": "a", "new": "b"}]},
           outputs=["gone.md"], match="gone.md does not exist")


def test_target_flag_fills_in_or_must_agree(root):
    patch = {"type": "text_replace", "replacements": [{"old": "The end.", "new": "Fin."}]}
    refuse(root, patch, match="has no target")
    assert plan(root, patch, OUTPUTS, "script.md")[0].path == "script.md"
    assert describe(patch, "script.md")["target"] == "script.md"
    refuse(root, {**patch, "target": "script.md"}, target="storyboard.json",
           match="the patch targets script.md but --target says storyboard.json")


def test_target_flag_must_be_an_output(root):
    refuse(root, [{"op": "replace", "path": "/a", "value": 1}], target="other.md", match="not an output")


# --- types --------------------------------------------------------------------------


def test_unknown_type_lists_the_known_ones(root):
    err = refuse(root, {"type": "rewrite", "target": "script.md"}, match="unknown patch type 'rewrite'")
    assert "duration_adjust, json_patch, level_adjust, section_replace, text_replace" in err.hint
    refuse(root, {"target": "script.md"}, match="the patch has no 'type'")
    refuse(root, "replace everything", match="not str")


def test_extra_keys_are_refused(root):
    refuse(root, {"type": "text_replace", "target": "script.md", "replacements": [{"old": "a", "new": "b"}],
                  "mode": "regex"}, match="mode")


def test_level_adjust_on_a_file_that_is_not_media_is_refused(root):
    (root / "voice.wav").write_bytes(b"RIFF....")
    patch = {"type": "level_adjust", "target": "voice.wav", "level_change_db": 3}
    refuse(root, patch, outputs=["voice.wav"], match="level_adjust on voice.wav")


def test_patch_that_changes_nothing_is_refused(root):
    refuse(root, {"type": "text_replace", "target": "script.md", "replacements": [{"old": "end", "new": "end"}]},
           match="changes nothing in script.md")


def test_describe_is_the_stored_form_and_plans_the_same(root):
    patch = {"type": "section_replace", "target": "./script.md", "section": "## Act 2", "content": "Gone."}
    described = describe(patch)
    assert described == {"type": "section_replace", "target": "script.md", "section": "## Act 2", "content": "Gone."}
    assert json.loads(json.dumps(described)) == described
    assert plan(root, described, OUTPUTS) == plan(root, patch, OUTPUTS)


def test_plan_is_deterministic(root):
    patch = [{"op": "replace", "path": "/beats/0/duration", "value": 12}]
    first, second = plan(root, patch, OUTPUTS), plan(root, patch, OUTPUTS)
    assert first == second and first[0].sha256_after == second[0].sha256_after


def test_every_type_has_a_model_a_function_and_docs():
    text = DOCS.read_text()
    for kind in PATCH_MODELS:
        assert kind in PATCH_TYPES, kind
        assert f"`{kind}`" in text, f"{kind} is not documented in {DOCS}"
    assert set(PATCH_TYPES) <= set(PATCH_MODELS)


def test_json_schema_covers_lists_and_typed_patches():
    schema = msgspec.json.schema(SCHEMA_MODELS["patch"])
    defs = {"JsonPatchOperation", "TextReplace", "SectionReplace", "DurationAdjust", "LevelAdjust"}
    assert defs <= set(schema["$defs"])
    _convert(Patch, [{"op": "copy", "from": "/a", "path": "/b"}])
    _convert(Patch, {"type": "level_adjust", "target": "a.wav", "level_change_db": -2.5})


# --- load_patch ---------------------------------------------------------------------


def test_load_patch_json_and_yaml(tmp_path):
    (tmp_path / "p.json").write_text('[{"op": "remove", "path": "/a"}]')
    (tmp_path / "p.yml").write_text("type: text_replace\ntarget: script.md\nreplacements:\n- old: a\n  new: ''\n")
    assert load_patch(tmp_path / "p.json") == [{"op": "remove", "path": "/a"}]
    assert load_patch(tmp_path / "p.yml")["replacements"] == [{"old": "a", "new": ""}]


@pytest.mark.parametrize("name, text, match", [
    ("bad.json", '[{"op": "remove",', "bad.json is not valid JSON: .* line 1"),
    ("bad.yaml", "type: [unclosed\n", "bad.yaml is not valid YAML"),
    ("scalar.json", "42", "scalar.json holds int"),
    ("empty.yaml", "", "empty.yaml holds nothing"),
])
def test_load_patch_malformed_files_name_the_file(tmp_path, name, text, match):
    (tmp_path / name).write_text(text)
    with pytest.raises(PatchError, match=match):
        load_patch(tmp_path / name)


def test_load_patch_missing_file(tmp_path):
    with pytest.raises(PatchError, match="patch file not found: .*nope.json"):
        load_patch(tmp_path / "nope.json")


# --- apply --------------------------------------------------------------------------


def test_apply_refuses_a_file_changed_after_planning(root):
    planned = plan(root, {"type": "text_replace", "target": "script.md",
                          "replacements": [{"old": "The end.", "new": "Fin."}]}, OUTPUTS)
    (root / "script.md").write_text(SCRIPT + "\nA late edit.\n")
    before = snapshot(root)
    with pytest.raises(PatchError, match=r"script.md changed since the decision \(sha256 [0-9a-f]{64}.*decide again"):
        apply(root, planned)
    assert snapshot(root) == before


def test_apply_checks_every_file_before_writing_any(root):
    first = plan(root, {"type": "text_replace", "target": "script.md",
                        "replacements": [{"old": "The end.", "new": "Fin."}]}, OUTPUTS)
    second = plan(root, [{"op": "replace", "path": "/fps", "value": 25}], OUTPUTS)
    (root / "storyboard.json").write_text("{}")
    before = snapshot(root)
    with pytest.raises(PatchError, match="storyboard.json changed since the decision"):
        apply(root, first + second)
    assert snapshot(root) == before


def test_apply_refuses_a_deleted_file(root):
    planned = plan(root, [{"op": "replace", "path": "/fps", "value": 25}], OUTPUTS)
    (root / "storyboard.json").unlink()
    with pytest.raises(PatchError, match="storyboard.json no longer exists"):
        apply(root, planned)


def test_apply_refuses_tampered_content(root):
    planned = plan(root, [{"op": "replace", "path": "/fps", "value": 25}], OUTPUTS)
    planned[0].content += b" "
    with pytest.raises(PatchError, match="does not match its sha256_after"):
        apply(root, planned)


def test_apply_twice_is_harmless(root):
    planned = plan(root, [{"op": "replace", "path": "/fps", "value": 25}], OUTPUTS)
    apply(root, planned)
    apply(root, planned)
    assert sha256_file(root / "storyboard.json") == planned[0].sha256_after


def test_apply_stops_at_the_first_failed_write(root, monkeypatch):
    (root / "c.md").write_text("c\n")
    outputs = ["script.md", "other.md", "c.md"]
    planned = [plan(root, {"type": "text_replace", "target": t, "replacements": [{"old": old, "new": "X"}]},
                    outputs)[0] for t, old in (("script.md", "The end."), ("other.md", "Not"), ("c.md", "c"))]
    real_write = patches.write_atomic

    def failing(path, data, **kw):
        if Path(path).name == "other.md":
            raise OSError(28, "No space left on device")
        real_write(path, data, **kw)

    monkeypatch.setattr(patches, "write_atomic", failing)
    with pytest.raises(PatchError, match="writing other.md failed: No space left") as info:
        apply(root, planned)
    assert "written: script.md; not written: other.md, c.md" in info.value.hint
    assert (root / "script.md").read_bytes() == planned[0].content
    assert (root / "other.md").read_text() == "Not an output.\n"
    assert (root / "c.md").read_text() == "c\n"


def test_apply_keeps_the_file_mode(root):
    os.chmod(root / "script.md", 0o755)
    plan_and_apply(root, {"type": "text_replace", "target": "script.md",
                          "replacements": [{"old": "end", "new": "fin"}]})
    assert (root / "script.md").stat().st_mode & 0o777 == 0o755


# --- property: text_replace is str.replace in order -----------------------------------


@st.composite
def text_and_replacements(draw):
    text = draw(st.text(min_size=1, max_size=60))
    replacements = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 6)))
        replacements.append({"old": text[start:end], "new": draw(st.text(max_size=6))})
    return text, replacements


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_replacements())
def test_text_replace_is_str_replace_in_order(case):
    text, replacements = case
    expected, missing = text, None
    for index, item in enumerate(replacements):
        if item["old"] not in expected:
            missing = index
            break
        expected = expected.replace(item["old"], item["new"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "t.txt").write_bytes(text.encode())
        patch = {"type": "text_replace", "target": "t.txt", "replacements": replacements}
        if missing is not None or expected == text:
            why = f"replacement {missing}:" if missing is not None else "changes nothing"
            with pytest.raises(PatchError, match=why):
                plan(root, patch, ["t.txt"])
            assert (root / "t.txt").read_bytes() == text.encode()
            return
        planned = plan(root, patch, ["t.txt"])
        apply(root, planned)
        assert (root / "t.txt").read_bytes() == expected.encode()
        assert planned[0].sha256_after == sha256_bytes(expected.encode())


# --- replan: the stored patch, at resume -----------------------------------------------


def decide(root: Path, patch, target=None):
    """What the engine records at decision time: the described patch and the hashes."""
    planned = plan(root, patch, OUTPUTS, target)
    recorded = [PlannedFile(p.path, p.sha256_before, p.sha256_after, b"") for p in planned]
    return describe(patch, planned[0].path), recorded, planned


@pytest.mark.parametrize("patch, target", [
    ([{"op": "replace", "path": "/fps", "value": 25}], None),
    ({"type": "text_replace", "replacements": [{"old": "The end.", "new": "Fin."}]}, "script.md"),
])
def test_replan_gives_the_recorded_change(root, patch, target):
    stored, recorded, planned = decide(root, patch, target)
    assert stored["target"] == planned[0].path
    again = replan_and_check(root, stored, recorded)
    assert again == planned
    apply(root, again)
    assert (root / planned[0].path).read_bytes() == planned[0].content
    assert replan_and_check(root, stored, recorded)[0].content == planned[0].content, "after a crash: no-op"


def replan_and_check(root, stored, recorded):
    before = snapshot(root)
    result = patches.replan(root, stored, recorded)
    assert snapshot(root) == before
    return result


def test_replan_refuses_a_file_changed_since_the_decision(root):
    stored, recorded, _ = decide(root, {"type": "text_replace", "target": "script.md",
                                        "replacements": [{"old": "The end.", "new": "Fin."}]})
    (root / "script.md").write_text(SCRIPT.replace("The end.", "The End."))
    with pytest.raises(PatchError, match="script.md changed since the decision .*decide again"):
        patches.replan(root, stored, recorded)


def test_replan_refuses_a_different_result(root):
    stored, recorded, _ = decide(root, [{"op": "replace", "path": "/fps", "value": 25}])
    stored["operations"][0]["value"] = 30
    with pytest.raises(PatchError, match="gives a different storyboard.json"):
        patches.replan(root, stored, recorded)


def _convert(kind, data):
    return msgspec.convert(data, kind)
