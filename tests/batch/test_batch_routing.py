"""Routing against a real redis-server: capability queues, spillover above the true
backlog (counted across coordinators), the spill queue's token bucket."""

from __future__ import annotations

import pytest

from runner.batch.celery_app import redis_client
from runner.batch.routing import Router, RoutingError
from runner.models.batch import BatchConfig, QueueSpec
from runner.models.workflow import Workflow, WorkflowGate

CONFIG = BatchConfig(queues={"render": QueueSpec(spill_to="cloud", spill_above=2),
                             "cloud": QueueSpec(rate_per_s=0.001, burst=2), "qc": QueueSpec()},
                     kinds={"render": "render", "qc": "qc", "command": "render"})


def _gate(kind: str, **params) -> WorkflowGate:
    return WorkflowGate(gate="G1", kind=kind, params=params)


def test_metal_first_then_spillover_within_the_token_bucket(redis_server):
    one, other = Router(CONFIG, redis_client(redis_server.url)), Router(CONFIG, redis_client(redis_server.url))
    assert one.choose("render") == "render"
    one.sent("render", "a")
    other.sent("render", "b")  # another coordinator's step counts too
    assert one.backlog("render") == 2 and one.choose("render") == "render"  # at the threshold: still metal
    other.sent("render", "c")
    assert one.backlog("render") == 3
    # above it: spill, as long as the cloud queue's bucket (2 tokens, next in ~17 minutes) allows
    assert [one.choose("render"), other.choose("render"), one.choose("render")] == ["cloud", "cloud", "render"]
    for attempt in ("a", "b"):
        one.done("render", attempt)
    one.sent("render", "c")  # sent again (a resend): still one step
    assert other.backlog("render") == 1 and one.choose("render") == "render"


def test_a_gate_for_an_undeclared_queue_is_refused():
    router = Router(CONFIG)
    assert router.queue_of(_gate("qc")) == "qc" and router.queue_of(_gate("command", queue="cloud")) == "cloud"
    with pytest.raises(RoutingError, match="queue 'gpu', which runner.json does not declare"):
        router.queue_of(_gate("render", queue="gpu"))
    wf = Workflow(workflow="w", gates=[_gate("render"), WorkflowGate(gate="G2", kind="human")])
    assert router.check(wf, lambda g: g.kind != "human") == ["cloud", "render"]
    bad = BatchConfig(queues={"render": QueueSpec(spill_to="nowhere", spill_above=1)}, kinds={"render": "render"})
    with pytest.raises(RoutingError, match="spills to 'nowhere'"):
        Router(bad).check(wf, lambda g: g.kind != "human")
