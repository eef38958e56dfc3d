"""Routing, the seed's "metal first, cloud spillover": every step goes to the queue of
its capability (runner.json `batch.kinds`, or the gate's `params.queue`); a queue with
`spill_to` sends the overflow there while its true backlog is above `spill_above`,
within the spill queue's token bucket (`rate_per_s`, `burst`).

The backlog is counted truly: every task sent and not yet recorded, queued or running
(a sorted set per queue in Redis, so that several coordinators see each other's), never
a list's length, which misses what workers hold. The token bucket lives in Redis too
(one Lua script: refill, then take a token or not)."""

from __future__ import annotations

import time
from typing import Any

from runner.batch.celery_app import LOST_BROKER, BrokerError
from runner.errors import RunnerError
from runner.models.batch import BatchConfig
from runner.models.workflow import Workflow, WorkflowGate

INFLIGHT = "runner:inflight:"
BUCKET = "runner:bucket:"
TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or burst)
local last = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local took = 0
if tokens >= 1 then tokens = tokens - 1; took = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return took
"""


class RoutingError(RunnerError):
    """A gate goes to a queue runner.json does not declare."""


class Router:
    def __init__(self, config: BatchConfig, redis: Any | None = None) -> None:
        self.config, self.redis = config, redis
        self.local: dict[str, set[str]] = {}
        self.tokens: dict[str, tuple[float, float]] = {}
        self._take = redis.register_script(TAKE) if redis is not None else None

    def queue_of(self, gate: WorkflowGate) -> str:
        queue = gate.params.get("queue") or self.config.kinds.get(gate.kind)
        if queue not in self.config.queues:
            raise RoutingError(f"gate {gate.gate} ({gate.kind}) goes to queue {queue!r}, which runner.json "
                               f"does not declare", f"declare it under batch.queues; declared: "
                               f"{', '.join(sorted(self.config.queues))}")
        return queue

    def check(self, wf: Workflow, remote: Any) -> list[str]:
        """Every queue the workflow's executor steps use (refused before anything is sent)."""
        queues = {self.queue_of(g) for g in wf.gates if remote(g)}
        for name in sorted(queues):
            spill = self.config.queues[name].spill_to
            if spill is not None and spill not in self.config.queues:
                raise RoutingError(f"queue {name} spills to {spill!r}, which runner.json does not declare",
                                   "declare it under batch.queues, or remove spill_to")
            if spill is not None:
                queues.add(spill)
        return sorted(queues)

    def choose(self, queue: str) -> str:
        spec = self.config.queues[queue]
        if spec.spill_to is None or spec.spill_above is None or self.backlog(queue) <= spec.spill_above:
            return queue
        return spec.spill_to if self._token(spec.spill_to) else queue

    def _token(self, queue: str) -> bool:
        spec = self.config.queues[queue]
        if spec.rate_per_s is None:
            return True
        now = time.time()
        if self._take is not None:
            return bool(self._redis(self._take, [BUCKET + queue], [spec.rate_per_s, spec.burst, now]))
        tokens, last = self.tokens.get(queue, (float(spec.burst), now))
        tokens = min(spec.burst, tokens + (now - last) * spec.rate_per_s)
        took = tokens >= 1
        self.tokens[queue] = (tokens - 1 if took else tokens, now)
        return took

    def sent(self, queue: str, attempt_id: str) -> None:
        self.local.setdefault(queue, set()).add(attempt_id)
        if self.redis is not None:
            self._redis(self.redis.zadd, INFLIGHT + queue, {attempt_id: time.time()})

    def done(self, queue: str, attempt_id: str) -> None:
        self.local.get(queue, set()).discard(attempt_id)
        if self.redis is not None:
            self._redis(self.redis.zrem, INFLIGHT + queue, attempt_id)

    def backlog(self, queue: str) -> int:
        if self.redis is not None:
            return int(self._redis(self.redis.zcard, INFLIGHT + queue))
        return len(self.local.get(queue, ()))

    def _redis(self, call: Any, *args: Any) -> Any:
        """One Redis call (the client retries for about 30 s); a broker still gone is a BrokerError."""
        from redis.exceptions import RedisError

        try:
            return call(*args)
        except (RedisError, OSError) as exc:
            raise BrokerError(f"the broker went away: {exc}", LOST_BROKER) from None
