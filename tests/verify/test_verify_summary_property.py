"""What `runner verify` proves about RUN.json, as a property: any one field of a finished
run's RUN.json changed and folded into the runner's own last commit (its message kept) is
found, except the fields listed in NOT_DERIVED, which nothing else records."""

from __future__ import annotations

import json
import shutil

from helpers import git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from verify_helpers import record, verify

# Times and versions the runner writes once and nothing else repeats; the last event's
# actor and time (no later commit holds it yet: only signing protects the newest commit).
NOT_DERIVED = {("finished_at",), ("started_at",), ("runner_version",), ("schema_version",), ("last event", "at"),
               ("last event", "actor", "name"), ("last event", "actor", "email")}


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from leaves(inner, (*path, i))
    elif value is not None:
        yield path, value


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return value + "x"


def named(path, events: int) -> tuple:
    """The path as NOT_DERIVED names it."""
    if path[0] == "events" and path[1] == events - 1:
        return ("last event", *path[2:])
    return path


def test_every_field_of_a_forged_run_json_is_found_or_listed_as_not_derived(_done_template, tmp_path_factory):
    template, run_id = _done_template
    doc = json.loads(record(template, run_id).read_text())
    events = len(doc["events"])
    # an event before the last breaks the hash chain (tests/verify/test_verify_events.py)
    fields = [p for p, _ in leaves(doc) if p[0] != "events" or p[1] == events - 1]

    @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(fields))
    def forged_field_is_found(path):
        root = tmp_path_factory.mktemp("forged") / "ws"
        shutil.copytree(template, root, symlinks=True)
        git(root, "reset", "-q", "HEAD~1")  # drop "user: the essay": the runner's commit is the last
        data = json.loads(record(root, run_id).read_text())
        holder = data
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = changed(holder[path[-1]])
        record(root, run_id).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        git(root, "commit", "-qa", "--amend", "--no-edit")
        found = verify(root).json["findings"]
        if named(path, events) in NOT_DERIVED:
            return
        assert found, f"a change of {path} went unseen"

    forged_field_is_found()
