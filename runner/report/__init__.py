"""`runner report`: one run as a self-contained HTML page (or its data as JSON) to attach
to a review or a ticket: the gate timeline, every attempt with its hashes and verdicts,
decisions with their patches as diffs, QC metrics plotted, a contact sheet of every
video output, and `runner verify`'s verdict on the run.

    report = gather(ws, run_id)     # a RunReport (runner.models.report); reads only
    write_html(report, out_path)    # the page, written atomically

`gather` runs ffmpeg (pictures) and the audit; `page` and `svg` are pure."""

from __future__ import annotations

from pathlib import Path

from runner import jsonio
from runner.errors import RunnerError, UsageError
from runner.models.report import RunReport
from runner.report.gather import gather
from runner.report.page import render

__all__ = ["gather", "render", "write_html"]


def write_html(report: RunReport, path: Path) -> Path:
    """Write the page to `path` (atomically: a reader never sees half a page)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"--html {path} is a directory", "give a file name, e.g. report.html")
    try:
        jsonio.write_atomic(path, render(report))
    except OSError as exc:
        raise RunnerError(f"cannot write {path}: {exc.strerror or exc}", "give a file in a folder you can write") \
            from None
    return path
