from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, json_option, open_repo, repo_option, table, write_options
from runner.run.listing import parse_duration
from runner.vocab import COMPLETE_STATUSES, DEPTHS


class RunGroup(click.Group):
    """`runner run <workflow>` drives a workflow; other words are subcommands."""

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or _drive_command(name)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "[start|list|show|complete|resume|cancel] ... | WORKFLOW [OPTIONS]")


@click.group(cls=RunGroup)
def run() -> None:
    """Drive a workflow (`runner run WORKFLOW --slug S`), or start, list, show,
    resume, cancel and complete runs."""


def _drive_command(workflow: str) -> click.Command:
    @click.command(workflow)
    @click.option("--slug", required=True, help="Project slug.")
    @click.option("--artifact-path", help="Workspace-relative folder of the artifact.")
    @click.option("--depth", type=click.Choice(DEPTHS), default="standard", show_default=True)
    @click.option("--prompt-file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @click.option("--start-from", help="Validate earlier gates without pausing, then start here.")
    @write_options
    @json_option
    def command(slug, artifact_path, depth, prompt_file, start_from, repo, actor, no_commit, offline, as_json) -> int:
        from runner.cli import drive

        repo_ = open_repo(repo, actor, no_commit, offline)
        outcome = repo_.drive(workflow, slug, artifact_path, depth, drive.prompt_text(prompt_file), start_from)
        return drive.finish(repo_, outcome, as_json, drive.interactive())

    command.help = f"Drive workflow {workflow!r} gate by gate (exit 3 when it waits for a person)."
    return command


@run.command("resume")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--ready", is_flag=True,
              help="The failed gate's outputs are already fixed: validate its retry at once.")
@write_options
@json_option
def resume(run_id, ready, repo, actor, no_commit, offline, as_json) -> int:
    """Continue a run where it stopped (retrying a failed gate as a new attempt)."""
    from runner.cli import drive

    repo_ = open_repo(repo, actor, no_commit, offline)
    return drive.finish(repo_, repo_.resume(run_id, ready), as_json, drive.interactive())


@run.command("cancel")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--reason", help="Why (recorded).")
@write_options
@json_option
def cancel(run_id, reason, repo, actor, no_commit, offline, as_json) -> int:
    """End a run: open attempts end FAIL, the run becomes CANCELED."""
    done = open_repo(repo, actor, no_commit, offline).cancel_run(run_id, reason)
    emit_json(done) if as_json else click.echo(f"{run_id} CANCELED")
    return 0


@run.command("start")
@click.option("--workflow", required=True, help="Workflow name (in the workflows folder) or path.")
@click.option("--slug", required=True, help="Project slug, e.g. the-word-robot.")
@click.option("--artifact-path", help="Workspace-relative folder of the artifact.")
@click.option("--depth", type=click.Choice(DEPTHS), default="standard", show_default=True)
@click.option("--prompt-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="The original prompt.")
@write_options
@json_option
def start(workflow, slug, artifact_path, depth, prompt_file, repo, actor, no_commit, offline, as_json) -> int:
    """Create a run of a workflow."""
    prompt = prompt_file.read_text(encoding="utf-8") if prompt_file else None
    new = open_repo(repo, actor, no_commit, offline).start_run(workflow, slug, artifact_path, depth, prompt)
    if as_json:
        emit_json(new)
    else:
        click.echo(new.run_id)
    return 0


@run.command("list")
@click.option("--status", help="Only runs with this status.")
@click.option("--stale", is_flag=True, help="Only unfinished runs idle for longer than --older-than.")
@click.option("--older-than", default="24h", show_default=True, help="Threshold for --stale: 90m, 24h, 7d.")
@repo_option
@json_option
def list_(status, stale, older_than, repo, as_json) -> int:
    """List runs, oldest first."""
    runs = open_repo(repo).runs(status, stale_after_s=parse_duration(older_than) if stale else None)
    if as_json:
        emit_json([r.to_dict() for r in runs])
    else:
        table([(r.run_id, r.status, f"{r.gates_passed}/{r.gates_total}", r.current or "",
                (r.waiting or "") + (f" (overdue: {', '.join(r.overdue)})" if r.overdue else ""),
                r.started_at) for r in runs], ["RUN", "STATUS", "PASSED", "OPEN", "WAITING", "STARTED"])
    for r in runs:
        if r.overdue:
            click.echo(f"warning: {r.run_id}: the deadline of {', '.join(r.overdue)} has passed; "
                       "`runner tick` applies it", err=True)
    return 0


def _report_overdue(repo, record) -> None:
    """Every command that reads a run says when a deadline passed without being applied."""
    for gate_id in repo.overdue(record):
        w = record.gate(gate_id).waiting
        click.echo(f"warning: gate {gate_id} is overdue: its deadline {w.deadline} passed "
                   f"({w.on_timeout} not applied yet; `runner tick` applies it)", err=True)


@run.command("show")
@click.option("--run", "run_id", required=True, help="Run id.")
@repo_option
@json_option
def show(run_id, repo, as_json) -> int:
    """Show a run record."""
    repo_ = open_repo(repo)
    record = repo_.run(run_id)
    _report_overdue(repo_, record)
    if as_json:
        emit_json(record)
        return 0
    w = record.workflow
    click.echo(f"{record.run_id}  {record.status}\nworkflow {w.name} ({w.version}), slug {w.slug}, "
               f"artifacts {w.artifact_path}, depth {record.depth}\nstarted {record.started_at} by {record.created_by.name}"
               + (f", finished {record.finished_at}" if record.finished_at else ""))
    table([(g.gate, g.name or "", g.status, len(g.attempts) + (1 if g.current else 0),
            "yes" if g.blocking else "no") for g in record.gates], ["GATE", "NAME", "STATUS", "ATTEMPTS", "BLOCKING"])
    decided = [(g.gate, d.attempt, d.verdict, d.by, "patch" if d.patch_pending else "", d.file)
               for g in record.gates for d in g.decisions]
    if decided:
        click.echo("")
        table(decided, ["GATE", "ATTEMPT", "DECISION", "BY", "", "RECORD"])
    return 0


@run.command("complete")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--status", type=click.Choice(COMPLETE_STATUSES),
              help="Final status. Default: PASSED when every blocking gate passed, else FAILED.")
@click.option("--reason", help="Why (recorded in the event).")
@write_options
@json_option
def complete(run_id, status, reason, repo, actor, no_commit, offline, as_json) -> int:
    """Mark a run complete."""
    done = open_repo(repo, actor, no_commit, offline).complete_run(run_id, status, reason)
    if as_json:
        emit_json(done)
    else:
        click.echo(f"{run_id} {done.status}")
    return 0
