"""Contract checks run within a time and a memory bound: a regex that backtracks
catastrophically, or a check that swallows a huge file, FAILs with the reason; the
checks after it still run; nothing hangs and nothing else is held up."""

from __future__ import annotations

import json
import time

from helpers import cli, start_run

CONTRACT = {
    "gate": "G1",
    "required_outputs": {"all_of": [{"path": "{artifact_path}/big.txt"}]},
    "validations": [
        {"type": "regex_match", "target": "{artifact_path}/big.txt", "regex": "(a+)+$"},
        {"type": "file_exists", "target": "{artifact_path}/big.txt"},
    ],
}


def _setup(root, config, contract=CONTRACT):
    (root / "runner.json").write_text(json.dumps(config))
    (root / "contracts" / "G1.contract.json").write_text(json.dumps(contract))
    run_id = start_run(root)
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    (root / "essays" / "robot").mkdir(parents=True, exist_ok=True)
    return run_id


def test_a_catastrophic_regex_fails_within_the_budget_and_the_next_check_runs(essay_ws):
    run_id = _setup(essay_ws, {"check_timeout_s": 1})
    (essay_ws / "essays" / "robot" / "big.txt").write_text("a" * 40_000 + "!")
    began = time.monotonic()
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--json", check=1)
    assert time.monotonic() - began < 15
    first, second = result.json["validations"]
    assert first["status"] == "FAIL" and "did not finish within 1 s" in first["message"]
    assert second["status"] == "PASS"


def test_a_check_beyond_its_memory_bound_fails_with_the_reason(essay_ws):
    """A regex check reads its file whole: 160 MiB is beyond a 64 MiB bound. A text check
    scans in chunks: the same file is within it."""
    contract = {**CONTRACT, "validations": [
        {"type": "regex_match", "target": "{artifact_path}/big.txt", "regex": "needle"},
        {"type": "file_exists", "target": "{artifact_path}/big.txt"},
        {"type": "contains_text", "target": "{artifact_path}/big.txt", "pattern": "needle"},
    ]}
    run_id = _setup(essay_ws, {"check_memory_mb": 64}, contract)
    with open(essay_ws / "essays" / "robot" / "big.txt", "wb") as fh:
        for _ in range(40):
            fh.write(b"x" * (4 << 20))  # 160 MiB
        fh.write(b"needle\n")
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--json", check=1)
    first, second, third = result.json["validations"]
    assert first["status"] == "FAIL" and "memory bound (64 MiB)" in first["message"]
    assert second["status"] == "PASS"
    assert third["status"] == "PASS", third


def test_a_fifo_at_an_output_path_is_no_file_and_nothing_hangs(essay_ws):
    import os

    contract = {**CONTRACT, "validations": [
        {"type": "contains_text", "target": "{artifact_path}/big.txt", "pattern": "needle"}]}
    run_id = _setup(essay_ws, {"check_timeout_s": 20}, contract)
    os.mkfifo(essay_ws / "essays" / "robot" / "big.txt")
    began = time.monotonic()
    result = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", "--json", check=1)
    assert time.monotonic() - began < 10  # not the 20 s budget: a FIFO is never opened
    assert result.json["artifacts"][0]["exists"] is False
    assert result.json["validations"][0]["message"].startswith("missing file")
