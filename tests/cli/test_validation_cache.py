"""Gate start and gate finish read RUN.json, the workflow, the contract and runner.json
as plain dicts, validated by the models once per content (runner/validcache.py): the
records they write are complete model dumps, other bytes are always validated again,
and neither command imports pydantic once the files are known."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from runner.models.base import dump
from runner.models.run import Attempt, Run

from helpers import cli, pass_gate, record_files, start_run, write_outputs


def _run_file(root, run_id):
    return root / "runs" / run_id / "record" / "RUN.json"


def test_records_written_as_dicts_are_complete_model_dumps(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--agent", "writer", check=0)
    write_outputs(essay_ws, "G2", incomplete=True)
    cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=1)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G3", "--force", check=0)
    cli("invocation", "record", "--repo", essay_ws, "--run", run_id, "--gate", "G3", "--agent", "a", check=0)
    cli("gate", "fail", "--repo", essay_ws, "--run", run_id, "--gate", "G3", "--reason", "no", check=1)
    files = record_files(essay_ws)
    attempts = [p for p in files if p.name.startswith("attempt-")]
    assert len(attempts) == 3
    for path in files:
        data = json.loads(path.read_text())
        model = Run if path.name == "RUN.json" else Attempt
        assert dump(model.model_validate(data)) == data, path  # every field, defaults included


def test_a_hand_edited_run_record_is_validated_again(essay_ws):
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)  # marks RUN.json valid
    path = _run_file(essay_ws, run_id)
    data = json.loads(path.read_text())
    data["gates"][0]["status"] = "DONE"
    path.write_text(json.dumps(data))
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=4)
    assert "RUN.json is malformed" in result.err and "gates[0].status" in result.err
    # valid but laid out by hand: accepted (validated again), the runner's own write follows
    data["gates"][0]["status"] = "RUNNING"
    path.write_text(json.dumps(data))
    write_outputs(essay_ws, "G1")
    cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    assert json.loads(path.read_text())["gates"][0]["status"] == "PASS"


def test_a_contract_changed_after_use_is_validated_again(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")  # the G1 contract is now known
    contract = essay_ws / "contracts" / "G2.contract.json"
    pass_gate(essay_ws, run_id, "G2")
    data = json.loads(contract.read_text())
    data["validations"].append({"type": "no_such_check", "target": "x"})
    contract.write_text(json.dumps(data))
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=0)
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=4)
    assert "contracts/G2.contract.json" in result.err and f"validations[{len(data['validations']) - 1}]" in result.err


def test_the_cache_is_only_a_cache(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    cache = essay_ws / ".git" / "runner-cache"
    assert any(cache.rglob("*.json")), "contracts and workflows are cached"
    shutil.rmtree(cache)
    pass_gate(essay_ws, run_id, "G2")
    assert json.loads(_run_file(essay_ws, run_id).read_text())["gates"][1]["status"] == "PASS"
    damages = ["{", "[]", "{}", '{"data": {}, "sha256": "0"}', '{"data": [], "sha256": null}']
    for n, path in enumerate(sorted(cache.rglob("*.json"))):  # damaged entries are validated again
        path.write_text(damages[n % len(damages)])
    pass_gate(essay_ws, run_id, "G3")


def test_the_caches_of_another_runner_version_are_removed(essay_ws):
    stale = essay_ws / ".git" / "runner-cache" / "0123456789abcdef"
    (stale / "contract").mkdir(parents=True)
    (stale / "contract" / "x.json").write_text("{}")
    run_id = start_run(essay_ws)
    assert not stale.exists()
    assert _run_file(essay_ws, run_id).is_file() and any((essay_ws / ".git" / "runner-cache").iterdir())


PROBE = """
import sys
from runner.cli.main import main
code = main(sys.argv[1:])
print("MODULES", " ".join(m for m in ("pydantic", "jsonschema", "git", "yaml") if m in sys.modules))
sys.exit(code)
"""


def _probe(root, *args):
    result = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], cwd=root, capture_output=True, text=True)
    line = next(l for l in result.stdout.splitlines() if l.startswith("MODULES"))
    return result.returncode, line.split()[1:]


def test_gate_start_and_finish_import_no_model_once_the_files_are_known(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    write_outputs(essay_ws, "G2")
    assert _probe(essay_ws, "gate", "start", "--run", run_id, "--gate", "G2") == (0, [])
    code, heavy = _probe(essay_ws, "gate", "finish", "--run", run_id, "--gate", "G2")
    assert code == 0 and heavy == ["pydantic"]  # the G2 contract, read for the first time, is validated
    assert _probe(essay_ws, "gate", "start", "--run", run_id, "--gate", "G2") == (0, [])
    assert _probe(essay_ws, "gate", "finish", "--run", run_id, "--gate", "G2") == (0, [])
    # bytes the runner did not write: validated by the models
    path = _run_file(essay_ws, run_id)
    path.write_text(json.dumps(json.loads(path.read_text())))
    code, heavy = _probe(essay_ws, "gate", "start", "--run", run_id, "--gate", "G3")
    assert code == 0 and "pydantic" in heavy
