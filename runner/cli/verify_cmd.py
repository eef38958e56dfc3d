from __future__ import annotations

from collections import Counter

import click

from runner.cli.common import emit_json, err, json_option, open_repo, repo_option, table
from runner.errors import EXIT_FAILED


@click.command("verify")
@click.option("--run", "run_id", metavar="ID", help="Check this run only.")
@click.option("--since", metavar="REV",
              help="Check only the runs whose records or recorded outputs changed after REV (REV..HEAD) "
                   "or in the work tree, and only those commits: fast CI on a pull request.")
@click.option("--allow-shallow", is_flag=True,
              help="In a shallow clone, check what the history holds (its oldest commits are trusted as a base) "
                   "instead of reporting the history as incomplete.")
@click.option("--require-signed", is_flag=True,
              help="Report every commit that changed a record without a good signature (git's %G? is G or U).")
@repo_option
@json_option
def verify(run_id, since, allow_shallow, require_signed, repo, as_json) -> int:
    """Prove from the files and git history that the records are complete, unchanged
    and written by the runner: schemas, output hashes, the events' hash chain, contract
    hashes, and every commit that touched a record. Exit 0 when everything holds, 1
    with every finding listed (file, field, commit, what is wrong)."""
    report = open_repo(repo).verify(run_id, since, allow_shallow, require_signed)
    if as_json:
        emit_json(report.to_dict())
    elif report.findings:
        table([(f.code, f.file, f.field or "", (f.commit or "")[:12], f.message) for f in report.findings],
              ["CODE", "FILE", "FIELD", "COMMIT", "MESSAGE"])
    statuses = Counter(a.status for a in report.artifacts)
    artifacts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    err(f"verified {len(report.runs)} run(s): {report.records} record(s), {report.commits} commit(s), "
        f"{len(report.artifacts)} artifact(s){f' ({artifacts})' if artifacts else ''}: "
        f"{len(report.findings)} finding(s)"
        + (f"; a shallow clone, checked from {', '.join(c[:12] for c in report.shallow_from)}"
           if report.shallow_from else ""))
    return EXIT_FAILED if report.findings else 0
