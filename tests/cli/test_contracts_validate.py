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
