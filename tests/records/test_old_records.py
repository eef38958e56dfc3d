"""Old records written by the previous version load unchanged.

tests/fixtures/old_workspace/ was written by the runner of commit 1c5d283, whose records
were pydantic models (see its README.md). Today's code must decode every record file
and encode it back to the same bytes, list and show the runs, find every event chain
intact, and go on recording on an old run without touching what was there."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from helpers import cli, git, make_repo

from runner import jsonio, records
from runner.models.base import to_data
from runner.models.decision import Decision
from runner.models.run import Attempt, Run
from runner.run.transitions import event_hash
from runner.workspace import find

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "old_workspace"
ABOUT_FIXTURE = {"README.md", "make.sh"}  # how it was made, not part of the workspace

OPEN_RUN = "run_20261129T160102Z_robot_2a3iw6"  # G1-G3 passed, G4 waits for its outputs
CANCELED_RUN = "run_20261129T160104Z_robot-two_q2pq33"
RECORD_FILES = sorted(p.relative_to(FIXTURE).as_posix() for p in FIXTURE.glob("runs/*/record/**/*.json"))
KINDS = {"RUN.json": Run, "attempt": Attempt, "decision": Decision}


def kind_of(rel: str) -> type:
    name = Path(rel).name
    return KINDS[name if name == "RUN.json" else name.split("-")[0]]


def reencoded(path: Path, kind: type) -> bytes:
    """The file decoded with today's type and written back as the runner writes records."""
    return jsonio.dumps(to_data(records.load_model(path, kind, kind.__name__))).encode()


def chain_breaks(raw: bytes) -> list[int]:
    """The seq of every event whose `seq` or `prev` is not what the chain requires (the
    SHA-256 of the previous event's canonical JSON, as runner.run.transitions.event_hash)."""
    events = json.loads(raw)["events"]
    breaks = []
    for i, event in enumerate(events):
        prev = hashlib.sha256(jsonio.canonical_bytes(events[i - 1])).hexdigest() if i else None
        if event["seq"] != i + 1 or event["prev"] != prev:
            breaks.append(event["seq"])
    return breaks


def events_block(raw: bytes) -> bytes:
    """The text of the `events` array, from its key to its last event's closing brace."""
    start = raw.index(b'  "events": [')
    return raw[start:raw.index(b'\n  ],\n', start)]


@pytest.fixture
def old_ws(tmp_path) -> Path:
    """The fixture workspace in a new git repository, committed in one commit."""
    root = make_repo(tmp_path / "ws")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True,
                    ignore=lambda d, names: ABOUT_FIXTURE & set(names) if Path(d) == FIXTURE else ())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: a workspace of the previous runner")
    tracked = set(git(root, "ls-files").splitlines())
    assert tracked == {p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*")
                       if p.is_file() and p.name not in ABOUT_FIXTURE}
    return root


def test_the_fixture_has_every_kind_of_record():
    assert Counter(kind_of(r) for r in RECORD_FILES) == {Run: 2, Attempt: 6, Decision: 2}


@pytest.mark.parametrize("rel", RECORD_FILES)
def test_record_decodes_and_reencodes_to_the_same_bytes(rel):
    path = FIXTURE / rel
    assert reencoded(path, kind_of(rel)) == path.read_bytes()


def test_records_load_through_the_workspace(old_ws):
    ws = find(old_ws)
    assert records.list_run_ids(ws) == [OPEN_RUN, CANCELED_RUN]
    listed = set()
    for run_id in records.list_run_ids(ws):
        run = records.load_run(ws, run_id)
        for state in run.gates:
            numbers = [ref.attempt for ref in state.attempts]
            assert records.attempt_numbers(ws, run_id, state.gate) == numbers
            for ref in state.attempts:
                attempt = records.load_attempt(ws, run_id, state.gate, ref.attempt)
                assert (attempt.gate, attempt.attempt, attempt.status) == (state.gate, ref.attempt, ref.status)
            for ref in (*state.attempts, *state.decisions):
                assert hashlib.sha256((old_ws / ref.file).read_bytes()).hexdigest() == ref.sha256, ref.file
                listed.add(ref.file)
    assert listed == {r for r in RECORD_FILES if not r.endswith("RUN.json")}  # no file left out


def test_decisions_keep_their_verdicts_and_the_patch(old_ws):
    ws = find(old_ws)
    gates = {g.gate: g for g in records.load_run(ws, OPEN_RUN).gates}
    approved = records.load_model(old_ws / gates["G2"].decisions[0].file, Decision, "decision record")
    assert (approved.verdict, approved.note, approved.patch) == ("approve", "two sources are enough here", None)
    rejected = records.load_model(old_ws / gates["G3"].decisions[0].file, Decision, "decision record")
    assert rejected.verdict == "reject" and rejected.patch["type"] == "json_patch"
    [patched] = rejected.patched_files
    assert hashlib.sha256((old_ws / patched.path).read_bytes()).hexdigest() == patched.sha256_after
    retry = records.load_attempt(ws, OPEN_RUN, "G3", 2)
    assert (retry.patch_of, retry.status) == (1, "PASS")


def test_run_list_and_show(old_ws):
    listed = {r["run_id"]: r for r in cli("run", "list", "--repo", old_ws, "--json", check=0).json}
    assert {k: (r["status"], r["gates_passed"], r["waiting"]) for k, r in listed.items()} == {
        OPEN_RUN: ("RUNNING", 3, "G4:outputs"), CANCELED_RUN: ("CANCELED", 0, None)}
    for run_id in listed:
        shown = cli("run", "show", "--repo", old_ws, "--run", run_id, "--json", check=0).json
        assert shown == json.loads((old_ws / "runs" / run_id / "record" / "RUN.json").read_bytes())


@pytest.mark.parametrize("rel", [r for r in RECORD_FILES if r.endswith("RUN.json")])
def test_event_chain_is_intact(rel):
    raw = (FIXTURE / rel).read_bytes()
    assert chain_breaks(raw) == []
    run = records.load_model(FIXTURE / rel, Run, "run record")
    recomputed = [hashlib.sha256(jsonio.canonical_bytes(e)).hexdigest() for e in json.loads(raw)["events"]]
    assert [event_hash(e) for e in run.events] == recomputed


def test_the_checks_see_a_changed_record(tmp_path):
    """What the checks above rely on: a dropped field or an edited event is seen."""
    rel = next(r for r in RECORD_FILES if kind_of(r) is Attempt)
    data = json.loads((FIXTURE / rel).read_bytes())
    del data["forced"]  # a field a type with a default would fill back in
    path = tmp_path / "attempt-1.json"
    path.write_text(jsonio.dumps(data))
    assert reencoded(path, Attempt) != path.read_bytes()
    run = json.loads((FIXTURE / "runs" / OPEN_RUN / "record" / "RUN.json").read_bytes())
    run["events"][4]["at"] = "2026-01-01T00:00:00.000Z"
    assert chain_breaks(jsonio.dumps(run).encode()) == [6]


def test_an_old_run_goes_on(old_ws):
    run_file = old_ws / "runs" / OPEN_RUN / "record" / "RUN.json"
    before = run_file.read_bytes()
    old_events = json.loads(before)["events"]
    essay = old_ws / "essays" / "robot" / "ESSAY.md"
    essay.write_text("# Robots\n\n## Origins\nR.U.R., 1920.\n\n## Today\nFactories and homes.\n")

    finished = cli("gate", "finish", "--repo", old_ws, "--run", OPEN_RUN, "--gate", "G4", "--json", check=0).json
    assert finished["status"] == "PASS"
    cli("run", "complete", "--repo", old_ws, "--run", OPEN_RUN, check=0)

    after = run_file.read_bytes()
    assert reencoded(run_file, Run) == after
    assert chain_breaks(after) == []
    events = json.loads(after)["events"]
    assert events[: len(old_events)] == old_events
    assert [e["type"] for e in events[len(old_events):]] == ["gate_finished", "run_completed"]
    assert events_block(after).startswith(events_block(before))  # the old events, byte for byte
    assert records.load_run(find(old_ws), OPEN_RUN).status == "PASSED"
    assert git(old_ws, "status", "--porcelain", "runs").strip() == ""  # the runner committed what it wrote
