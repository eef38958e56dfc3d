"""`runner worker`: a Celery worker that runs batch steps from the given queues."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, json_option
from runner.models.batch import BatchConfig


@click.command("worker")
@click.option("--broker", required=True, metavar="URL", help="The broker (redis://HOST:PORT/N).")
@click.option("--queues", default="command,render,qc", show_default=True,
              help="The capability queues to take steps from, comma-separated.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=2, show_default=True,
              help="Steps run at once (prefork processes).")
@click.option("--visibility-timeout", type=click.FloatRange(min=1), metavar="S",
              help="Seconds before an unacknowledged step goes to another worker: above the longest gate "
                   "timeout (default: runner.json batch.visibility_timeout_s, else 7200).")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path),
              help="A workspace whose runner.json gives the defaults (the worker never writes there).")
@json_option
def worker(broker, queues, concurrency, visibility_timeout, repo, as_json) -> int:
    """Run steps sent by `runner batch dispatch --executor celery` until stopped. A worker
    never touches git nor records: it runs each step in a scratch directory, puts the
    outputs in the artifact store and returns their hashes."""
    from runner.batch.celery_app import check_broker, make_app, run_worker, shown

    config = _config(repo)
    timeout = visibility_timeout or config.visibility_timeout_s
    app = make_app(broker, timeout, config.max_tasks_per_child)
    check_broker(app, broker)
    names = [q.strip() for q in queues.split(",") if q.strip()]
    if as_json:  # the settings it runs with, once, before Celery's own log
        emit_json({"broker": shown(broker), "queues": names, "concurrency": concurrency, "visibility_timeout_s": timeout,
                   "max_tasks_per_child": config.max_tasks_per_child})
    run_worker(app, names, concurrency)
    return 0


def _config(repo: Path | None) -> BatchConfig:
    from runner.errors import WorkspaceError
    from runner.workspace import find

    try:
        return find(repo).config.batch or BatchConfig()
    except WorkspaceError:
        if repo is not None:
            raise
        return BatchConfig()
