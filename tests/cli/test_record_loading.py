"""Every record, contract, workflow and runner.json is decoded into its type on every
load (no cache: cold and warm are the same); the records the runner writes are complete
(every field, defaults included), and the commands that run most often import nothing
heavy."""

from __future__ import annotations

import json
import subprocess
import sys

import msgspec
from helpers import cli, pass_gate, record_files, start_run, write_outputs

from runner.models.base import to_data
from runner.models.run import Attempt, Run


def _run_file(root, run_id):
    return root / "runs" / run_id / "record" / "RUN.json"


def test_records_written_are_complete(essay_ws):
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
        kind = Run if path.name == "RUN.json" else Attempt
        assert to_data(msgspec.convert(data, kind)) == data, path  # every field, defaults included


def test_a_bad_field_in_a_run_record_is_named(essay_ws):
    run_id = start_run(essay_ws)
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    path = _run_file(essay_ws, run_id)
    data = json.loads(path.read_text())
    data["gates"][0]["status"] = "DONE"
    path.write_text(json.dumps(data))
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=4)
    assert "RUN.json: $.gates[0].status: Invalid enum value 'DONE'" in result.err


def test_a_contract_changed_after_use_is_validated_again(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    contract = essay_ws / "contracts" / "G2.contract.json"
    pass_gate(essay_ws, run_id, "G2")
    data = json.loads(contract.read_text())
    data["validations"].append({"type": "no_such_check", "target": "x"})
    contract.write_text(json.dumps(data))
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=0)
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=4)
    assert "contracts/G2.contract.json" in result.err and f"validations[{len(data['validations']) - 1}]" in result.err


def test_strings_are_not_taken_for_booleans(essay_ws):
    (essay_ws / "runner.json").write_text(json.dumps({"commit": "no"}))
    result = cli("run", "list", "--repo", essay_ws, check=4)
    assert "$.commit: Expected `bool`, got `str`" in result.err


PROBE = """
import sys
from runner.cli.main import main
code = main(sys.argv[1:])
heavy = ("pydantic", "jsonschema", "git", "yaml", "urllib.request", "http.client", "concurrent.futures", "numpy")
print("MODULES", " ".join(m for m in heavy if m in sys.modules))
sys.exit(code)
"""


def _probe(root, *args):
    result = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], cwd=root, capture_output=True, text=True)
    line = next(l for l in result.stdout.splitlines() if l.startswith("MODULES"))
    return result.returncode, line.split()[1:]


def test_gate_start_and_finish_import_nothing_heavy(essay_ws):
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    write_outputs(essay_ws, "G2")
    assert _probe(essay_ws, "gate", "start", "--run", run_id, "--gate", "G2") == (0, [])
    assert _probe(essay_ws, "gate", "finish", "--run", run_id, "--gate", "G2") == (0, [])
