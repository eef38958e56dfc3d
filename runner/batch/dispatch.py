"""Setting up a dispatch: the batch, its workflow, the queues its steps go to, the
executor and the store, every refusal (an unknown queue, a visibility timeout not
above a gate's timeout, an unreachable broker) before anything is recorded; then the
coordinator, alone on the batch."""

from __future__ import annotations

from collections.abc import Callable

from runner import contracts
from runner.batch import manifest
from runner.batch.coordinator import Coordinator, Dispatched, coordinator_lock
from runner.batch.drive import is_remote
from runner.batch.executors import CeleryExecutor, Executor, LocalExecutor
from runner.batch.progress import Progress
from runner.batch.routing import Router, RoutingError
from runner.batch.store import Store, open_store
from runner.errors import UsageError
from runner.models.batch import BatchConfig
from runner.repo import Repo
from runner.steps.command import DEFAULT_TIMEOUT_S

EXECUTORS = ("local", "celery")


def dispatch(repo: Repo, batch_id: str, executor: str = "local", broker: str | None = None, resume: bool = False,
             processes: int = 2, report: Callable[[Progress], None] | None = None) -> Dispatched:
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}", "use local or celery")
    root = repo.root
    config = repo.ws.config.batch or BatchConfig()
    batch = manifest.load(root, batch_id)
    wf = contracts.load_workflow(repo.ws, batch.workflow).model
    longest = max((g.timeout_s or DEFAULT_TIMEOUT_S for g in wf.gates if is_remote(g)), default=0)
    if executor == "celery" and config.visibility_timeout_s <= longest:
        raise RoutingError(f"batch.visibility_timeout_s ({config.visibility_timeout_s:g} s) is not above the longest "
                           f"gate timeout of {batch.workflow} ({longest:g} s): a running step would be given to "
                           "a second worker", "raise batch.visibility_timeout_s in runner.json")
    store = open_store(config.store, root)
    with coordinator_lock(root, repo.ws.git_dir, batch_id):
        run_executor, router = _executor(executor, config, broker, store, processes, longest)
        router.check(wf, is_remote)
        if resume:
            repo.doctor(fix=True)  # what a killed coordinator left between its writes and its commit
        try:
            return Coordinator(repo, batch, wf, run_executor, router, store, report).run()
        finally:
            run_executor.close()


def _executor(kind: str, config: BatchConfig, broker: str | None, store: Store, processes: int,
              longest: float) -> tuple[Executor, Router]:
    if kind == "local":
        return LocalExecutor(store, processes), Router(config)
    broker = broker or config.broker
    if not broker:
        raise UsageError("--executor celery needs a broker", "give --broker redis://HOST:PORT/N, or batch.broker "
                                                             "in runner.json")
    from runner.batch.celery_app import check_broker, make_app, redis_client

    app = make_app(broker, config.visibility_timeout_s, config.max_tasks_per_child)
    check_broker(app, broker)
    client = redis_client(broker)
    return CeleryExecutor(store, app, capacity=processes, resend_after_s=config.visibility_timeout_s), \
        Router(config, client)
