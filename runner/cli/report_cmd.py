from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, err, json_option, open_repo, repo_option
from runner.errors import UsageError


@click.command("report")
@click.option("--run", "run_id", metavar="ID", required=True, help="The run to report.")
@click.option("--html", "html_path", metavar="OUT.html", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report as one self-contained HTML file (inline CSS, SVG and images).")
@repo_option
@json_option
def report(run_id, html_path, repo, as_json) -> int:
    """One run as a page to attach to a review or a ticket: the gate timeline, every
    attempt with its hashes and verdicts, decisions and their patches as diffs, QC
    metrics plotted, a contact sheet of every video output and `runner verify`'s
    verdict. --json prints the same data. Reads only; exit 0 (also when verify has
    findings: the page shows them)."""
    if html_path is None and not as_json:
        raise UsageError("say what to make: --html OUT.html, --json, or both", "e.g. runner report --run ID --html r.html")
    front = open_repo(repo)
    data = front.report(run_id)
    if html_path is not None:
        from runner.report import write_html

        write_html(data, html_path, front.ws)
        err(f"wrote {html_path}: {sum(len(g.attempts) for g in data.gates)} attempt(s), "
            f"{len(data.pictures)} picture(s), verify {'ok' if data.verify.ok else 'found problems'}")
    if as_json:
        emit_json(data)
    return 0
