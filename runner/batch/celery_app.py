"""Celery 5 over Redis: the one place that imports celery. Settings that matter for
minutes-long steps delivered at least once:

- `task_acks_late` and `task_reject_on_worker_lost`: a message is acknowledged after
  its step ran, so a worker that dies mid-step leaves it to be delivered again;
- `worker_prefetch_multiplier = 1`: a worker holds no more steps than it runs;
- the Redis `visibility_timeout` above the longest gate timeout: an unacknowledged
  step is given to another worker only after it, never while it still runs (and soon
  after it: the sweep for such steps runs every few seconds, not kombu's 100);
- the prefork pool, with `worker_max_tasks_per_child` (mediapipe's memory is given back).

The task id is the attempt id; the worker drops a task whose attempt has a result."""

from __future__ import annotations

from typing import Any

from runner.batch.messages import TASK_NAME
from runner.errors import RunnerError, UsageError

BROKER_SCHEMES = ("redis", "rediss")  # the routing's backlog and token buckets are Redis reads


class BrokerError(RunnerError):
    """The broker cannot be reached."""


def make_app(broker: str, visibility_timeout_s: float, max_tasks_per_child: int = 50) -> Any:
    from celery import Celery

    app = Celery("runner", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_pool="prefork",
        worker_max_tasks_per_child=max_tasks_per_child,
        # kombu sweeps for unacknowledged steps older than the timeout every 10 x 10 s by
        # default: every few seconds instead (at most 10), one sorted-set range read each
        broker_transport_options={"visibility_timeout": visibility_timeout_s, "unacked_restore_throttle": 1,
                                  "unacked_restore_interval": max(1, min(10, int(visibility_timeout_s / 5)))},
        task_ignore_result=True,  # results go to the artifact store, under the attempt id
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        task_publish_retry_policy={"max_retries": 60, "interval_start": 0, "interval_step": 0.5,
                                   "interval_max": 2},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    @app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)
    def execute(task: dict) -> dict:
        from runner.batch import work

        result = work.execute(task)  # in the store; the log gets a line, not the result
        return {"attempt_id": task.get("attempt_id"), "dropped": work.DROPPED in result}

    return app


def check_broker(app: Any, broker: str) -> None:
    """Refuse a broker that is not a Redis URL, or is unreachable, before anything is recorded."""
    from kombu.exceptions import OperationalError

    scheme = broker.partition("://")[0] if "://" in broker else ""
    if scheme not in BROKER_SCHEMES:
        raise UsageError(f"broker '{shown(broker)}' is not a Redis URL",
                         "give --broker redis://HOST:PORT/N (or set batch.broker in runner.json)")
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except (OperationalError, OSError) as exc:
        raise BrokerError(f"broker {shown(broker)} is unreachable: {exc}",
                          "start redis-server, or give --broker redis://HOST:PORT/N") from None


def shown(broker: str) -> str:
    """The broker's URL as messages show it: a password masked."""
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(broker)


def send(app: Any, attempt_id: str, task: dict, queue: str) -> None:
    from kombu.exceptions import OperationalError

    try:
        app.send_task(TASK_NAME, args=[task], task_id=attempt_id, queue=queue, retry=True)
    except (OperationalError, OSError) as exc:
        raise BrokerError(f"the broker went away while sending {attempt_id}: {exc}", LOST_BROKER) from None


LOST_BROKER = ("nothing recorded is lost: once the broker is back, `runner batch dispatch` again goes on "
               "where this one stopped")


def redis_client(broker: str) -> Any:
    """A Redis client on the broker (the backlog counts and the token buckets), checked."""
    import redis

    client = redis.Redis.from_url(broker, socket_timeout=5, health_check_interval=10,
                                  retry_on_error=[redis.exceptions.ConnectionError], retry=_retry())
    try:
        client.ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        raise BrokerError(f"broker {shown(broker)} is unreachable: {exc}", "start redis-server, or fix --broker") from None
    return client


def _retry() -> Any:
    """Ride out a broker restart: about 30 s of retries with backoff."""
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return Retry(ExponentialBackoff(cap=2, base=0.1), 20)


def run_worker(app: Any, queues: list[str], concurrency: int) -> None:
    """Run a worker in this process until it is stopped (SIGTERM: warm shutdown)."""
    from runner.batch import work  # noqa: F401  before the pool forks: each child (a new one every
    # max_tasks_per_child steps) inherits it instead of importing it on its first step
    app.worker_main(["worker", "--queues", ",".join(queues), "--concurrency", str(concurrency),
                     "--pool", "prefork", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"])
