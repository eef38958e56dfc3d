"""The events of a run are a hash chain: an edited, deleted or reordered event is found,
also after `git commit --amend` rewrote the commit, and also outside git."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import git, make_repo
from verify_helpers import findings, record, verify

from runner import workspace


def rewrite(root, run_id, change) -> None:
    path = record(root, run_id)
    data = json.loads(path.read_text())
    change(data["events"])
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def amend(root) -> None:
    """What a forger does: fold the edit into the runner's last commit, keeping its message."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--amend", "--no-edit")


def edit(events):
    events[3]["at"] = "2020-01-01T00:00:00.000Z"


def delete(events):
    del events[3]


def reorder(events):
    events[3], events[4] = events[4], events[3]


@pytest.mark.parametrize("change, field", [(edit, "events[4].prev"), (delete, "events[3].seq"),
                                           (reorder, "events[3].seq")])
def test_a_tampered_event_breaks_the_chain_even_after_an_amend(done, change, field):
    root, run_id = done
    git(root, "reset", "-q", "--soft", "HEAD~1")  # drop "user: the essay": the runner's commit is the last
    git(root, "commit", "-q", "-m", "user: the essay")
    git(root, "reset", "-q", "--soft", "HEAD~1")
    rewrite(root, run_id, change)
    amend(root)
    result = verify(root, check=1)
    chain = findings(result, "chain")
    assert chain and all(f["file"] == f"runs/{run_id}/record/RUN.json" for f in chain)
    assert field in {f["field"] for f in chain}
    assert "edited, deleted or reordered" in " ".join(f["message"] for f in chain) or \
        any("seq is" in f["message"] for f in chain)
    # the commit before the amended one had the original events: the rewrite shows in history too
    assert findings(result, "events-rewritten")


def test_an_edited_event_is_found_in_an_uncommitted_run_json(done):
    root, run_id = done
    rewrite(root, run_id, edit)
    result = verify(root, check=1)
    assert {f["code"] for f in findings(result)} == {"chain", "events-rewritten", "uncommitted"}
    [chain] = findings(result, "chain")
    assert chain["field"] == "events[4].prev" and chain["commit"] is None


def test_dropping_the_last_events_is_found_by_their_anchors(done):
    root, run_id = done
    git(root, "reset", "-q", "--soft", "HEAD~1")  # the runner's "complete PASSED" commit is now the last
    rewrite(root, run_id, lambda events: events.pop())  # the run_completed event
    git(root, "add", f"runs/{run_id}")
    git(root, "commit", "-q", "--amend", "--no-edit")
    result = verify(root, check=1)
    [missing] = findings(result, "event-missing")
    assert missing["field"] == "status"
    assert missing["message"] == "status is PASSED without a run_completed event"


def test_the_chain_holds_outside_git(done, tmp_path):
    """A copy of the records in a repository without their history: the chain alone finds the edit."""
    root, run_id = done
    copy = make_repo(tmp_path / "copy")
    workspace.init(copy)
    for part in (f"runs/{run_id}", "contracts", "essays"):
        shutil.copytree(root / part, copy / part, dirs_exist_ok=True)
    assert {f["code"] for f in verify(copy, check=1).json["findings"]} == {"uncommitted"}
    rewrite(copy, run_id, reorder)
    assert findings(verify(copy, check=1), "chain")
