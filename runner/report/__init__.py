"""`runner report`: one run as a self-contained HTML page (or its data as JSON) to attach
to a review or a ticket: the gate timeline, every attempt with its hashes and verdicts,
decisions with their patches as diffs, QC metrics plotted, a contact sheet of every
video output, and `runner verify`'s verdict on the run.

    report = gather(ws, run_id)     # a RunReport (runner.models.report); reads only
    write_html(report, out_path)    # the page, written atomically

`gather` runs ffmpeg (pictures) and the audit; `page` and `svg` are pure."""

from __future__ import annotations

import os
from pathlib import Path

from runner import jsonio
from runner.errors import RunnerError, UsageError
from runner.models.report import RunReport
from runner.paths import in_git_dir, in_run_records
from runner.report.gather import gather
from runner.report.page import render
from runner.workspace import Workspace

__all__ = ["gather", "render", "write_html"]


PAGES = (".html", ".htm")


def write_html(report: RunReport, path: Path, ws: Workspace | None = None) -> Path:
    """Write the page to `path` (atomically: a reader never sees half a page). Never onto
    something that is not a page: a device or a FIFO, a file of another kind, or (in the
    workspace `ws`) .git, a run's record folder or a batch's manifest."""
    path = Path(path)
    _check_target(path, ws)
    try:
        jsonio.write_atomic(path, render(report))
    except OSError as exc:
        raise RunnerError(f"cannot write {path}: {exc.strerror or exc}", "give a file in a folder you can write") \
            from None
    return path


def _check_target(path: Path, ws: Workspace | None) -> None:
    if path.is_dir():
        raise UsageError(f"--html {path} is a directory", "give a file name, e.g. report.html")
    if path.exists() and not path.is_file():
        raise UsageError(f"--html {path} is not a regular file (a device or a FIFO)", "give a file name, e.g. report.html")
    if ws is not None:
        real = Path(os.path.realpath(path))
        root = Path(os.path.realpath(ws.root))
        if real == root or root in real.parents:
            rel = real.relative_to(root).as_posix()
            if in_git_dir(rel) or Path(rel).parts[:1] == ("batches",) or in_run_records(rel, ws.config.runs_dir):
                raise UsageError(f"--html {path} is in .git or the workspace's records",
                                 "write the report elsewhere, e.g. report.html")
    if path.exists() and path.suffix.lower() not in PAGES:
        raise UsageError(f"--html {path} exists and is not an .html page: it would be replaced",
                         "give a new file name, or an .html file to replace")
