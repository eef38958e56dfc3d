"""runner.jsonio: canonical JSON, atomic and exclusive writes, readers that name the file."""

from __future__ import annotations

import json

import pytest

from runner import jsonio
from runner.errors import ContractError, RecordError

DATA = {"b": [3, 1, 2], "a": {"z": None, "y": "é ☃"}, "c": 1.5}


def test_dumps_is_canonical():
    text = jsonio.dumps(DATA)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(DATA, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert text.index('"a"') < text.index('"b"') < text.index('"c"')
    assert text.index('"y"') < text.index('"z"')
    assert "é ☃" in text  # not escaped
    assert '\n  "a": {\n    "y"' in text  # indent 2
    # key order of the input does not matter
    assert jsonio.dumps(dict(reversed(list(DATA.items())))) == text


def test_canonical_bytes_are_compact_and_sorted():
    raw = jsonio.canonical_bytes({"b": 1, "a": [1, {"d": 2, "c": 3}]})
    assert raw == b'{"a":[1,{"c":3,"d":2}],"b":1}'
    assert jsonio.canonical_bytes({"x": "é"}) == '{"x":"é"}'.encode()


def test_write_atomic_writes_canonical_json_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "deep" / "dir" / "RUN.json"
    jsonio.write_atomic(path, DATA)
    assert path.read_text(encoding="utf-8") == jsonio.dumps(DATA)
    assert sorted(p.name for p in path.parent.iterdir()) == ["RUN.json"]


def test_write_atomic_replaces_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "RUN.json"
    for i in range(5):
        jsonio.write_atomic(path, {"i": i})
    assert json.loads(path.read_text()) == {"i": 4}
    assert [p.name for p in tmp_path.iterdir()] == ["RUN.json"]


def test_write_atomic_raw_text_and_bytes(tmp_path):
    jsonio.write_atomic(tmp_path / "t", "plain text\n")
    jsonio.write_atomic(tmp_path / "b", b"\x00\x01")
    assert (tmp_path / "t").read_text() == "plain text\n"
    assert (tmp_path / "b").read_bytes() == b"\x00\x01"


def test_exclusive_write_refuses_an_existing_file(tmp_path):
    path = tmp_path / "attempt-1.json"
    jsonio.write_atomic(path, {"first": True}, exclusive=True)
    with pytest.raises(FileExistsError):
        jsonio.write_atomic(path, {"second": True}, exclusive=True)
    assert json.loads(path.read_text()) == {"first": True}
    assert [p.name for p in tmp_path.iterdir()] == ["attempt-1.json"]


def test_failed_write_cleans_its_temp_file(tmp_path):
    path = tmp_path / "bad.json"
    with pytest.raises(TypeError):
        jsonio.write_atomic(path, {"not json": object()})
    assert list(tmp_path.iterdir()) == []


def test_read_json_round_trip(tmp_path):
    path = tmp_path / "x.json"
    jsonio.write_atomic(path, DATA)
    assert jsonio.read_json(path) == DATA


def test_read_missing_file_names_it(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(RecordError) as info:
        jsonio.read_json(path, what="run record")
    assert str(path) in info.value.message and "run record" in info.value.message


def test_read_bad_json_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}\n')
    with pytest.raises(RecordError) as info:
        jsonio.read_json(path)
    message = info.value.message
    assert str(path) in message and "not valid JSON" in message and "line 4" in message


def test_read_non_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(RecordError) as info:
        jsonio.read_json(path)
    assert str(path) in info.value.message and "UTF-8" in info.value.message


def test_read_a_directory_names_it(tmp_path):
    with pytest.raises(RecordError) as info:
        jsonio.read_json(tmp_path)
    assert str(tmp_path) in info.value.message


def test_read_json_error_class_is_the_callers(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{")
    with pytest.raises(ContractError) as info:
        jsonio.read_json(path, what="contract", error=ContractError)
    assert str(path) in str(info.value) and info.value.exit_code == 4
