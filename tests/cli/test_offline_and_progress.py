"""The offline switch in runner.json records network checks as SKIPPED (never PASS),
and large outputs get a progress bar on a terminal's stderr."""

import io
import json
import sys

from helpers import cli, pass_gate, start_run, write_outputs

from runner.cli.common import progress_bar


def _with_url_check(root):
    path = root / "contracts" / "G2.contract.json"
    contract = json.loads(path.read_text())
    contract["validations"].append({"type": "url_reachable", "target": "{artifact_path}/research/CITATIONS.md",
                                    "url_pattern": "https://example\\.org/[^\\s)]+", "max_failures": 0})
    path.write_text(json.dumps(contract))


def test_the_config_switch_skips_network_checks_and_says_so(essay_ws):
    _with_url_check(essay_ws)
    config = json.loads((essay_ws / "runner.json").read_text())
    (essay_ws / "runner.json").write_text(json.dumps({**config, "offline": True}))
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    attempt = pass_gate(essay_ws, run_id, "G2").json
    assert attempt["status"] == "PASS" and attempt["offline"] is True
    url = [v for v in attempt["validations"] if v["type"] == "url_reachable"]
    assert [v["status"] for v in url] == ["SKIPPED"]


def test_the_flag_does_the_same_without_the_config(essay_ws):
    _with_url_check(essay_ws)
    run_id = start_run(essay_ws)
    pass_gate(essay_ws, run_id, "G1")
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G2", check=0)
    write_outputs(essay_ws, "G2")
    attempt = cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G2", "--offline", "--json",
                  check=0).json
    assert [v["status"] for v in attempt["validations"] if v["type"] == "url_reachable"] == ["SKIPPED"]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_counts_to_100_percent_on_a_terminal(monkeypatch):
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    update = progress_bar("big.mp4", 200 * 10**6)
    update(100 * 10**6)
    update(100 * 10**6)
    text = screen.getvalue()
    assert "hashing big.mp4:  50% of 200 MB" in text and text.rstrip().endswith("100% of 200 MB")


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    progress_bar("big.mp4", 10)(10)
    assert plain.getvalue() == ""
