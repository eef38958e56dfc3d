"""Run ids: run_<UTC timestamp>_<slug>_<6 random base36>, and timestamps in one format."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from runner import timeutil
from runner.run import lifecycle

RUN_ID = re.compile(r"^run_(\d{8}T\d{6}Z)_(?P<slug>.+)_([0-9a-z]{6})$")


def test_run_id_format():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run_id = lifecycle.new_run_id("the-word-robot")
    after = datetime.now(timezone.utc)
    match = RUN_ID.match(run_id)
    assert match, run_id
    assert match["slug"] == "the-word-robot"
    stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert before <= stamp <= after  # UTC, not local time


def test_run_ids_are_random_in_their_suffix():
    ids = {lifecycle.new_run_id("s") for _ in range(2000)}
    assert len(ids) == 2000
    suffixes = {i.rsplit("_", 1)[1] for i in ids}
    assert len(suffixes) == 2000
    assert set("".join(suffixes)) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


def test_compact_is_utc():
    moment = datetime(2026, 1, 19, 15, 30, 12, tzinfo=timezone(timedelta(hours=1)))
    assert timeutil.compact(moment) == "20260119T143012Z"


def test_iso_format_round_trips():
    moment = datetime(2026, 1, 19, 14, 30, 12, 123456, tzinfo=timezone.utc)
    text = timeutil.iso(moment)
    assert text == "2026-01-19T14:30:12.123Z"
    assert timeutil.parse(text) == moment.replace(microsecond=123000)
