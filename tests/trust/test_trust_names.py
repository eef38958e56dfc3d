"""Names are what they look like: gate ids, run ids and slugs follow one strict pattern
(no trailing newline, no control or invisible character); the runner's own actor names
are compared after NFKC normalisation, and invisible characters are refused in --actor
and --by; booleans in declarations and runner.json are real booleans."""

from __future__ import annotations

import json

import pytest
from helpers import ART, cli, start_run

from runner.paths import is_safe_name

HIDDEN = ["A\n", "A\r", "A\t", "A\u200b", "A\u00a0", "\u200bA", "A\u2028", "A\x7f", "A\u202e"]


@pytest.mark.parametrize("name", HIDDEN, ids=repr)
def test_a_gate_id_with_a_control_or_invisible_character_is_refused_in_a_workflow(essay_ws, name):
    workflow = essay_ws / "orchestration" / "workflows" / "w.json"
    workflow.write_text(json.dumps({"workflow": "w", "gates": [{"gate": name, "kind": "human"}]}))
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "w", "--slug", "s")
    assert result.code == 4 and "not a valid gate id" in result.err, result
    lint = cli("contracts", "validate", "--repo", essay_ws, workflow)
    assert lint.code == 1 and "not a valid gate id" in lint.out, lint
    assert not list((essay_ws / "runs").glob("run_*"))


@pytest.mark.parametrize("name", HIDDEN, ids=repr)
def test_slugs_and_run_ids_follow_the_same_pattern(essay_ws, name):
    assert not is_safe_name(name)
    assert cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s" + name).code == 2
    run_id = start_run(essay_ws)
    assert cli("run", "show", "--repo", essay_ws, "--run", run_id + "\n").code == 2
    assert cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1" + name).code == 2


@pytest.mark.parametrize("by", ["ｔｉｍｅｒ", "TIMER", "Auto-Approve", "runner doctor", "Runner  Doctor", " timer "])
def test_reserved_names_are_compared_after_normalisation(essay_ws, by):
    run_id = start_run(essay_ws)
    result = cli("gate", "approve", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--by", by)
    assert result.code == 2 and "reserved" in result.err, result


@pytest.mark.parametrize("name", ["timer\u200b", "ti\u200dmer", "Ada\u202eLovelace", "Ada\tLovelace",
                                  "Ada\u00a0Lovelace", "Ada\nLovelace", "Ada\u2060 <ada@example.org>"], ids=repr)
def test_invisible_characters_are_refused_in_by_and_actor(essay_ws, name):
    run_id = start_run(essay_ws)
    by = cli("gate", "approve", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--by", name)
    assert by.code == 2 and "invisible character" in by.err, by
    actor = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s", "--artifact-path", ART,
                "--actor", name)
    assert actor.code == 2 and "invisible character" in actor.err, actor


def test_a_plain_name_with_accents_and_an_email_is_accepted(essay_ws):
    cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s", "--artifact-path", ART,
        "--actor", "Zoë Ångström <zoe@example.org>", check=0)


def test_a_string_for_blocking_in_a_contract_is_refused(essay_ws):
    contract = essay_ws / "contracts" / "G1.contract.json"
    contract.write_text(json.dumps({**json.loads(contract.read_text()), "blocking": "no"}))
    lint = cli("contracts", "validate", "--repo", essay_ws)
    assert lint.code == 1 and "blocking" in lint.out, lint
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s")
    assert result.code == 4 and "blocking" in result.err and "Expected `bool`" in result.err, result
    assert not list((essay_ws / "runs").glob("run_*"))


@pytest.mark.parametrize("field, value", [("commit", "no"), ("commit", 0), ("offline", "yes")])
def test_a_non_boolean_in_runner_json_is_refused(essay_ws, field, value):
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, field: value}))
    result = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", "s")
    assert result.code == 4 and field in result.err and "Expected `bool`" in result.err, result
    assert not list((essay_ws / "runs").glob("run_*"))
