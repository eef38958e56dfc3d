"""Items files a careless or hostile user gives `runner batch plan`: a spreadsheet's
byte order mark, broken quotes, giant fields, a FIFO, artifact folders in .git, the
workspace itself or a record folder; and brokers that are not Redis URLs. Each is a
one-line error with the documented exit code, and nothing is written."""

from __future__ import annotations

import json
import os

import pytest
from helpers import cli


def _plan(root, items, *extra, check):
    return cli("batch", "plan", "--repo", root, "--workflow", "cmd", "--params", items, *extra, check=check)


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(batch_ws):
    items = batch_ws / "items.csv"
    items.write_bytes("\ufeffid,slug,n\na1,s1,7\n".encode())
    _plan(batch_ws, items, check=0)
    (line,) = (batch_ws / "batches/cmd_01/manifest.jsonl").read_text().splitlines()
    meta = json.loads(line)["meta"]
    assert (meta["id"], meta["slug"], meta["params"]) == ("a1", "s1", {"n": "7"})


@pytest.mark.parametrize("text, why", [
    ('id,note\na1,"fine"\na2,"never closed\n', "line 3, column 1: the CSV is malformed (unexpected end of data)"),
    ("id,big\na1," + "x" * 200_000 + "\n", "line 2, column 1: the CSV is malformed (field larger than field limit"),
    ("id,slug,artifact_path\na1,s1,.git/hooks\n", "artifact_path '.git/hooks' is inside .git"),
    ("id,slug,artifact_path\na1,s1,.\n", "artifact_path '.' is the workspace itself"),
    ("id,slug,artifact_path\na1,s1,runs/run_x/record\n", "artifact_path 'runs/run_x/record' is in a run's record folder"),
])
def test_rows_that_cannot_be_items_are_refused_and_nothing_is_written(batch_ws, text, why):
    items = batch_ws / "items.csv"
    items.write_text(text)
    result = _plan(batch_ws, items, check=4)
    assert why in result.err and len(result.err.strip().splitlines()) == 2  # the error and its hint
    assert not (batch_ws / "batches").exists()


def test_an_item_id_of_zero_is_kept(batch_ws):
    items = batch_ws / "items.jsonl"
    items.write_text('{"id": 0}\n{"id": 5}\n')
    _plan(batch_ws, items, check=0)
    ids = [json.loads(x)["meta"]["id"] for x in (batch_ws / "batches/cmd_01/manifest.jsonl").read_text().splitlines()]
    assert ids == ["0", "5"]


def test_a_fifo_as_the_items_file_is_refused_instead_of_read_forever(batch_ws):
    fifo = batch_ws / "items.csv"
    os.mkfifo(fifo)
    result = _plan(batch_ws, fifo, check=4)
    assert "items.csv is not a file" in result.err


@pytest.mark.parametrize("broker", ["nope://x", "amqp://localhost", "redis-ish"])
def test_a_broker_that_is_not_a_redis_url_is_a_usage_error(batch_ws, broker):
    items = batch_ws / "items.csv"
    items.write_text("id\na1\n")
    _plan(batch_ws, items, check=0)
    for command in (["batch", "dispatch", "cmd_01", "--executor", "celery"], ["worker"]):
        result = cli(*command, "--repo", batch_ws, "--broker", broker, check=2)
        assert "is not a Redis URL" in result.err and "redis://HOST:PORT/N" in result.err
    assert not (batch_ws / "runs").exists() or not any((batch_ws / "runs").glob("run_*"))


def test_one_artifact_folder_spelled_two_ways_is_a_duplicate(batch_ws):
    items = batch_ws / "items.csv"
    items.write_text("id,artifact_path\na1,out/a\na2,./out//a/\na3,out/x/../a\n")
    result = _plan(batch_ws, items, check=4)
    assert "line 3, column artifact_path: 'out/a' is also the artifact_path of line 2" in result.err
    assert "line 4, column artifact_path" in result.err


def test_a_manifest_emptied_after_planning_is_refused_not_verified_as_empty(batch_ws):
    items = batch_ws / "items.csv"
    items.write_text("id\na1\n")
    _plan(batch_ws, items, check=0)
    (batch_ws / "batches/cmd_01/manifest.jsonl").write_text("")
    for command in (["batch", "verify", "cmd_01"], ["batch", "status", "cmd_01"], ["batch", "dispatch", "cmd_01"]):
        result = cli(*command, "--repo", batch_ws, check=4)
        assert "manifest.jsonl of batch cmd_01 lists no items" in result.err
