"""celery, kombu and redis are imported only by the batch modules that talk to the
broker, when they do: the CLI, plan, local dispatch, status and verify never load them."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("runner.cli.main", "runner.cli.batch_cmd", "runner.cli.worker_cmd", "runner.batch.dispatch",
           "runner.batch.coordinator", "runner.batch.status", "runner.batch.audit", "runner.batch.work",
           "runner.batch.routing", "runner.batch.celery_app")


def test_the_batch_modules_load_without_celery_or_redis():
    code = (f"import importlib, sys\nfor m in {MODULES!r}: importlib.import_module(m)\n"
            "print(sorted(m for m in ('celery', 'kombu', 'redis', 'numpy', 'mediapipe') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
