"""`runner contracts validate [PATH...]`: every finding, exit 0 or 1."""

from __future__ import annotations

import json
import shutil

from helpers import ESY, REPO, cli, requires_shared


def test_the_example_workspace_is_valid(essay_ws):
    result = cli("contracts", "validate", "--repo", essay_ws, "--json", check=0)
    assert result.json == {"checked": 4, "findings": []}
    plain = cli("contracts", "validate", "--repo", essay_ws, check=0)
    assert "4 file(s) checked, 0 finding(s)" in plain.err


def test_the_project_itself_is_valid():
    result = cli("contracts", "validate", "--repo", REPO, "--json", check=0)
    assert result.json["findings"] == [] and result.json["checked"] >= 4


def test_a_broken_workspace_lists_every_finding(essay_ws):
    contracts = essay_ws / "contracts"
    (contracts / "G1.contract.json").write_text("{ not json")
    g2 = json.loads((contracts / "G2.contract.json").read_text())
    g2["validations"].append({"type": "no_such_check", "target": "x"})
    g2["validations"][2].pop("thresholds")
    (contracts / "G2.contract.json").write_text(json.dumps(g2))
    g3 = json.loads((contracts / "G3.contract.json").read_text())
    g3["validations"][1]["target"] = "{artifact}/SPEC.md"
    (contracts / "G3.contract.json").write_text(json.dumps(g3))
    workflow = json.loads((essay_ws / "orchestration/workflows/essay.json").read_text())
    workflow["gates"].append({"gate": "G4", "contract": "contracts/G4.contract.json"})
    (essay_ws / "orchestration/workflows/essay.json").write_text(json.dumps(workflow))

    result = cli("contracts", "validate", "--repo", essay_ws, "--json", check=1)
    findings = result.json["findings"]
    by_file: dict[str, list[str]] = {}
    for f in findings:
        by_file.setdefault(f["file"], []).append(f["message"])
    assert "not valid JSON" in " ".join(by_file["contracts/G1.contract.json"])
    g2_messages = " ".join(by_file["contracts/G2.contract.json"])
    assert "validations[5]" in g2_messages and "no_such_check" in g2_messages
    assert "validations[2]" in g2_messages and "thresholds" in g2_messages
    assert len(by_file["contracts/G2.contract.json"]) == 2  # every finding, not just the first
    assert "{artifact}" in " ".join(by_file["contracts/G3.contract.json"])
    assert "G4" in " ".join(by_file["orchestration/workflows/essay.json"])

    text = cli("contracts", "validate", "--repo", essay_ws, check=1)
    assert "contracts/G1.contract.json:" in text.out and f"{len(findings)} finding(s)" in text.err


def test_validate_given_paths(essay_ws, monkeypatch):
    (essay_ws / "contracts" / "G2.contract.json").write_text("[]")
    monkeypatch.chdir(essay_ws)
    good = cli("contracts", "validate", "contracts/G1.contract.json", "--json", check=0)
    assert good.json == {"checked": 1, "findings": []}
    bad = cli("contracts", "validate", "contracts/G1.contract.json", "contracts/G2.contract.json", "--json", check=1)
    assert [f["file"] for f in bad.json["findings"]] == ["contracts/G2.contract.json"]
    missing = cli("contracts", "validate", "contracts/nope.contract.json", "--json", check=1)
    assert missing.json["findings"][0]["message"] == "no such file"


@requires_shared()
def test_the_18_reference_contracts_validate_in_the_original_layout(essay_ws):
    config = {"contracts_dir": "orchestration/gates/contracts", "runs_dir": "orchestration/runs"}
    (essay_ws / "runner.json").write_text(json.dumps(config))
    shutil.rmtree(essay_ws / "contracts")
    (essay_ws / "orchestration/workflows/essay.json").unlink()
    shutil.copytree(ESY / "contracts", essay_ws / "orchestration/gates/contracts")
    shutil.copy(ESY / "workflows" / "visual-essay.json", essay_ws / "orchestration/workflows")
    # what their workspace has beside the contracts: the 18 prompt templates and G9's pre-script
    shutil.rmtree(essay_ws / "orchestration/prompts")
    missing = cli("contracts", "validate", "--repo", essay_ws, "--json", check=1).json["findings"]
    assert sum("prompt_template" in f["message"] for f in missing) == 18
    assert {f["message"] for f in missing if "pre-script" in f["message"]} == {
        "pre_scripts[0].path: pre-script scripts/register-essay.mjs not found"}
    shutil.copytree(REPO / "orchestration/prompts", essay_ws / "orchestration/prompts")
    (essay_ws / "scripts").mkdir()
    (essay_ws / "scripts/register-essay.mjs").write_text("// registers the essay in src/data/visualEssays.ts\n")
    result = cli("contracts", "validate", "--repo", essay_ws, "--json")
    assert result.code == 0, result
    assert result.json == {"checked": 19, "findings": []}


def test_gates_of_kinds_without_a_contract(essay_ws):
    path = essay_ws / "orchestration/workflows/essay.json"
    workflow = json.loads(path.read_text())
    workflow["gates"] += [
        {"gate": "BUILD", "kind": "command", "command": ["true"]},  # a command needs no contract
        {"gate": "SIGN", "kind": "human"},
        {"gate": "WRITE", "kind": "agent"},  # an agent gate does: contracts/WRITE.contract.json
        {"gate": "ODD", "kind": "telepathy"},
    ]
    path.write_text(json.dumps(workflow))
    findings = cli("contracts", "validate", "--repo", essay_ws, "--json", check=1).json["findings"]
    messages = [f["message"] for f in findings]
    assert len(messages) == 2, messages
    assert messages[0].startswith("gates[5] (WRITE):") and "contracts/WRITE.contract.json" in messages[0]
    assert messages[1].startswith("gates[6] (ODD): unknown kind 'telepathy'")


def test_nothing_to_check_is_said_and_fails_unless_allowed(tmp_path):
    from helpers import make_repo

    root = make_repo(tmp_path / "empty")
    cli("init", root, check=0)
    result = cli("contracts", "validate", "--repo", root, check=1)
    assert "no contract or workflow found to check" in result.err
    cli("contracts", "validate", "--repo", root, "--allow-empty", check=0)


def test_every_error_of_a_contract_is_reported_not_the_first(essay_ws):
    """A check whose own rules fail (a regex that does not compile) hides neither the path
    variables of the others nor its siblings' problems; a bad item names its field."""
    bad = {"gate": "X", "required_outputs": {"all_of": [{"path": "{foo}/a.md"}, {"path": "/abs.md"}]},
           "validations": [{"type": "regex_match", "target": "{foo}/a.md", "regex": "("},
                           {"type": "file_exists", "target": "{baz}/c.md"},
                           {"type": "min_file_count", "target": "{artifact_path}", "pattern": "*.md"}]}
    (essay_ws / "contracts" / "X.contract.json").write_text(json.dumps(bad))
    worse = {"gate": "Y", "required_outputs": {"all_of": [{"path": 1}, {"pathx": "a"}]},
             "validations": [{"type": "nope"}, {"type": "file_exists"}], "extra": 1}
    (essay_ws / "contracts" / "Y.contract.json").write_text(json.dumps(worse))
    findings = cli("contracts", "validate", "--repo", essay_ws, "--json", check=1).json["findings"]
    x = [f["message"] for f in findings if f["file"] == "contracts/X.contract.json"]
    assert any(m.startswith("$.validations[0]") and "regex" in m for m in x), x
    assert any(m.startswith("$.validations[2]") and "thresholds" in m for m in x), x
    for where, name in (("required_outputs.all_of[0].path", "{foo}"), ("validations[0].target", "{foo}"),
                        ("validations[1].target", "{baz}")):
        assert any(m.startswith(where) and f"unknown path variable {name}" in m for m in x), (where, x)
    assert any(m.startswith("required_outputs.all_of[1].path") and "is absolute" in m for m in x), x
    y = [f["message"] for f in findings if f["file"] == "contracts/Y.contract.json"]
    assert "$.required_outputs.all_of[0].path: 1 is not of type 'string'" in y
    assert "$.required_outputs.all_of[1]: 'path' is a required property" in y
    assert any(m.startswith("$.validations[0]: unknown type 'nope' (known: ") for m in y), y
    assert "$.validations[1]: 'target' is a required property" in y and "$.extra: unknown field" in y
    assert not any("is not of type 'null'" in m or "any of the given schemas" in m for m in y), y


def test_results_go_to_stdout_and_the_summary_to_stderr(essay_ws, tmp_path):
    """`contracts validate` and `verify` alike: findings (or --json) on stdout, the one
    summary line on stderr, so `> findings.txt` keeps only the findings."""
    clean = cli("contracts", "validate", "--repo", essay_ws, check=0)
    assert clean.out == "" and clean.err.strip() == "4 file(s) checked, 0 finding(s)"
    (essay_ws / "contracts" / "G1.contract.json").write_text("{ not json")
    broken = cli("contracts", "validate", "--repo", essay_ws, check=1)
    assert broken.out.startswith("contracts/G1.contract.json: ") and "finding(s)" not in broken.out
    assert broken.err.strip() == f"4 file(s) checked, {len(broken.out.splitlines())} finding(s)"
    assert json.loads(cli("contracts", "validate", "--repo", essay_ws, "--json", check=1).out)["checked"] == 4

    from helpers import make_repo

    empty = make_repo(tmp_path / "empty")
    cli("init", empty, check=0)
    nothing = cli("contracts", "validate", "--repo", empty, "--json", check=1)
    assert nothing.json == {"checked": 0, "findings": []} and "no contract or workflow" in nothing.err

    verified = cli("verify", "--repo", essay_ws, check=0)
    assert verified.out == "" and verified.err.startswith("verified 0 run(s)")
    assert json.loads(cli("verify", "--repo", essay_ws, "--json", check=0).out)["ok"] is True
