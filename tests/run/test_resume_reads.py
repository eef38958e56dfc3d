"""`run resume` reads RUN.json from disk once: each later transaction of the same
process takes the bytes it wrote itself, as long as the file is still the one it wrote;
a file changed by anyone else is read (and validated) again."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import ART, SLUG, cli, write_outputs
from run_helpers import rin, run_id_of

from runner import jsonio, records


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = jsonio.read_bytes

    def read_bytes(path, *args, **kwargs):
        if Path(path).name == "RUN.json":
            reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(jsonio, "read_bytes", read_bytes)
    return reads


def test_a_resume_through_a_gate_reads_the_run_record_once(essay_ws_committed, monkeypatch):
    root = essay_ws_committed
    rid = run_id_of(rin(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, check=3))
    write_outputs(root, "G1")
    records._TRUSTED.clear()  # as in a new process: nothing written yet
    reads = _count_reads(monkeypatch)
    out = rin(root, "run", "resume", "--run", rid, check=3).out
    assert "gate G2 attempt 1 waits for its outputs" in out  # G1 finished, G2 opened: five transactions
    assert len(reads) == 1, reads


def test_a_record_changed_by_someone_else_is_read_again(essay_ws_committed, monkeypatch):
    root = essay_ws_committed
    rid = run_id_of(rin(root, "run", "essay", "--slug", SLUG, "--artifact-path", ART, check=3))
    record = root / "runs" / rid / "record" / "RUN.json"
    data = json.loads(record.read_text())
    data["gates"][0]["status"] = "BOGUS"
    record.write_text(json.dumps(data, indent=2))  # same process, but not its bytes
    result = cli("gate", "fail", "--repo", root, "--run", rid, "--gate", "G1", "--reason", "x", check=4)
    assert "$.gates[0].status" in result.err


def test_gate_finish_reads_the_run_record_once(essay_ws, monkeypatch):
    """The outputs are checked before the lock and the record written under it: the
    run is read from disk once, not once for each."""
    run_id = cli("run", "start", "--repo", essay_ws, "--workflow", "essay", "--slug", SLUG, "--artifact-path", ART,
                 "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    write_outputs(essay_ws, "G1")
    records._TRUSTED.clear()
    reads = _count_reads(monkeypatch)
    cli("gate", "finish", "--repo", essay_ws, "--run", run_id, "--gate", "G1", check=0)
    assert len(reads) == 1, reads
