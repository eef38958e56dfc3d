"""A finish whose route names a gate the run does not have is refused before anything is
written: no attempt file left behind, the attempt still open."""

from __future__ import annotations

import pytest
from helpers import cli, start_run, write_outputs

from runner import Repo, records
from runner.errors import StateError
from runner.models.run import Route
from runner.run import attempts


def test_a_route_to_no_gate_leaves_no_attempt_file(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=0)
    write_outputs(root, "G1")
    repo = Repo(root)
    route = Route(action="retry", target="NOPE", reason="a policy's stage", attempt=1)
    with pytest.raises(StateError, match="routes to NOPE, which is not in this run"):
        attempts.gate_finish(repo.session, run_id, "G1", route=route)
    assert not records.attempt_file(repo.session.ws, run_id, "G1", 1).exists()
    assert repo.run(run_id).gate("G1").current.attempt == 1
    cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "G1", check=0)  # and it finishes as usual
