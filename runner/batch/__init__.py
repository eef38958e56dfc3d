"""Batches across machines: plan a manifest of items, dispatch one run per item, run
the steps that need no person on executors (a local process pool, or Celery workers
over Redis), record every result once at the coordinator (the only git writer),
report status and verify. See docs/batches.md."""
