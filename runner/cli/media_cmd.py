"""`runner render`, `runner qc`, `runner recast`, `runner handoff` (runner[media])."""

from __future__ import annotations

from pathlib import Path

import click

from runner import jsonio
from runner.cli.common import emit_json, err, json_option, open_repo, table, write_options
from runner.errors import EXIT_FAILED
from runner.models.base import to_data


@click.command()
@click.argument("job", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: beside the job).")
@click.option("--base", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder the job's input paths are relative to (default: the current directory).")
@json_option
def render(job, out, base, as_json) -> int:
    """Render a job file with ffmpeg, outside any run: final.mp4, final.srt, result.json."""
    from runner.media import load_job
    from runner.media import render as render_job

    result = render_job(load_job(job), (base or Path.cwd()).resolve(), (out or job.parent / "render").resolve())
    emit_json(to_data(result)) if as_json else click.echo(f"rendered {result.frames} frames: "
                                                       + ", ".join(o.path for o in result.outputs))
    return 0


class QcGroup(click.Group):
    """`runner qc VIDEO [OPTIONS]` checks a video; `runner qc import-policy` is a
    subcommand. (A group argument would swallow the subcommand's name, and options after
    it would be taken for a subcommand: the video is read as a command name instead, as
    `runner run WORKFLOW` does.)"""

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or _check_command(name)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "VIDEO [--reference IMAGE] [--policy FILE] [--sample-fps N] "
                                                "[--out DIR [--format F]] [--json] | import-policy SRC DST")


@click.group(cls=QcGroup)
def qc() -> None:
    """Check any video against a QC policy: `runner qc VIDEO [--reference IMAGE]
    [--policy FILE] [--sample-fps N] [--out DIR] [--json]` (`runner qc VIDEO --help` lists them); exit 0
    when the decision is finalize, 1 otherwise."""


def _check_command(video_arg: str) -> click.Command:
    @click.command(video_arg)
    @click.option("--policy", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="qc_policy.json.")
    @click.option("--sample-fps", type=float, default=5.0, show_default=True)
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                  help="Write the report and the decision here.")
    @click.option("--format", "formats", type=click.Choice(["both", "runner", "caf"]), default="both",
                  show_default=True, help="With --out: runner's qc_report.json and quality_decision.json, the "
                  "original factory's qc_report.v1.json and quality_decision.v1.json, or both.")
    @click.option("--job-id", help="The job id their files name (default: the video's file name without suffix).")
    @click.option("--reference", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                  help="The job's reference image (the hero image): identity and costume are measured against it; "
                  "with --out and their format, also their recast_quality_report.v1.json.")
    @json_option
    @click.pass_context
    def check(ctx, policy, sample_fps, out, formats, job_id, reference, as_json) -> int:
        from runner.media import decide, default_policy, read_policy
        from runner.media import qc as measure
        from runner.media.caf_qc import write_qc_files

        video = click.Path(dir_okay=False, exists=True, path_type=Path).convert(video_arg, None, ctx)
        chosen = read_policy(policy) if policy else default_policy()
        report = measure(video.resolve(), chosen, sample_fps, reference=reference and reference.resolve())
        decision = decide(report, chosen, 0)
        if out:
            write_qc_files(out, report, decision, chosen, job_id=job_id or video.stem,
                           policy_rel=policy and policy.as_posix(), formats=formats)
        if out and reference and formats != "runner":
            from runner.media.quality_report import write_recast_quality
            from runner.timeutil import iso

            write_recast_quality(out, report, chosen, job_id=job_id or video.stem, video_rel=Path(video_arg).as_posix(),
                                 at=iso())
        if as_json:
            emit_json({"report": to_data(report), "decision": to_data(decision)})
        else:
            table([(r.status, r.metric, "-" if r.value is None else f"{r.value:.4g}", f"{r.direction} {r.threshold:g}")
                   for r in report.results], ["STATUS", "METRIC", "VALUE", "RULE"])
            click.echo(f"decision: {decision.action} ({decision.reason})")
        return 0 if decision.action == "finalize" else EXIT_FAILED

    check.help = f"Check {video_arg} against a QC policy; exit 0 when the decision is finalize, 1 otherwise."
    return check


@qc.command("import-policy")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def import_policy(source, target, as_json) -> int:
    """Convert a qc_policy.v1.json of the original factory to runner's format (actions
    mapped; failure classes, presets and advisory mode carried); says what it did not carry."""
    from runner.media import import_caf

    policy, notes = import_caf(jsonio.read_json(source, what="policy"))
    jsonio.write_atomic(target, to_data(policy))
    if as_json:
        emit_json({"policy": to_data(policy), "not_carried": notes})
        return 0
    click.echo(f"wrote {target}: {len(policy.rules)} rules, max_retries {policy.max_retries}, "
               f"{len(policy.failure_classes)} failure classes, {len(policy.presets)} presets, "
               f"advisory mode {'on' if policy.advisory and policy.advisory.enabled else 'off'}")
    for note in notes:
        click.echo(f"not carried: {note}")
    return 0


@click.group()
def recast() -> None:
    """The external re-cast handoff: export a pack, re-ingest the video brought back."""


@recast.command("export")
@click.option("--run", "run_id", required=True, help="Run id.")
@write_options
@json_option
def export(run_id, repo, actor, no_commit, offline, as_json) -> int:
    """Write the pack (hero image, motion video, prompt, instructions, manifest) and open the recast gate."""
    front = open_repo(repo, actor, no_commit, offline)
    life = front.recast_export(run_id)
    emit_json(to_data(life)) if as_json else click.echo(
        f"{run_id}: pack exported into {front.recast_pack(run_id)}/ ({life.state}); "
        f"re-ingest with `runner recast reingest --run {run_id} --video PATH`")
    return 0


@recast.command("reingest")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--video", required=True, help="The re-cast video, inside the workspace.")
@write_options
@json_option
def reingest(run_id, video, repo, actor, no_commit, offline, as_json) -> int:
    """Check the video and the pack, record it, and run QC on it as a new attempt. Exit 1 unless QC finalizes."""
    done = open_repo(repo, actor, no_commit, offline).recast_reingest(run_id, str(Path(video).resolve()))
    life = done.lifecycle
    if as_json:
        emit_json({"new_attempt": done.new_attempt, "lifecycle": to_data(life)})
    elif not done.new_attempt:
        click.echo(f"{video} was already re-ingested ({life.state}); nothing recorded")
    else:
        click.echo(f"{run_id}: re-ingested, QC attempt {life.qc_attempt} decided {life.qc_action}: {life.state}")
    return 0 if life.state == "DONE" else EXIT_FAILED


@recast.command("watch")
@click.option("--inbox", help="Folder of the re-ingest pointers, in the workspace (default: sandbox/inbox).")
@click.option("--once", is_flag=True, help="Scan once and exit (default: scan every --interval seconds).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@write_options
@json_option
def watch(inbox, once, interval, repo, actor, no_commit, offline, as_json) -> int:
    """Pick up viggle_reingest_pointer.v1 files dropped in the inbox: each names a job (a
    run's slug) and its re-cast video, re-ingested as `recast reingest` does, once. Exit 1
    when a pointer was refused or a re-cast did not pass QC (with --once)."""
    import time

    from runner.run.recast_inbox import DEFAULT_INBOX

    opened = open_repo(repo, actor, no_commit, offline)
    if not once and not as_json:
        err(f"watching {inbox or DEFAULT_INBOX}/ every {interval:g} s (Ctrl-C stops)")
    while True:
        picked = opened.recast_pick_up(inbox)
        if once and not as_json:
            err(f"{len(picked)} pointer(s) in {inbox or DEFAULT_INBOX}/")
        if as_json:
            emit_json([p.to_dict() for p in picked])
        else:
            for p in picked:
                click.echo(f"{p.pointer}: " + (f"refused: {p.error}" if p.error else
                           f"{p.run_id} {p.state}" + ("" if p.new_attempt else " (picked up before)")))
        if once:
            bad = [p for p in picked if p.error or (p.new_attempt and p.state != "DONE")]
            return EXIT_FAILED if bad else 0
        time.sleep(interval)


@click.group()
def handoff() -> None:
    """Record publications."""


@handoff.command("register")
@click.option("--run", "run_id", required=True, help="Run id (PASSED).")
@click.option("--platform", required=True, help="Where it was published, e.g. youtube.")
@click.option("--url", required=True, help="The post's address.")
@click.option("--video", help="The published file (its SHA-256 is recorded).")
@write_options
@json_option
def register(run_id, platform, url, video, repo, actor, no_commit, offline, as_json) -> int:
    """Record a publication; the run becomes POSTED."""
    entry = open_repo(repo, actor, no_commit, offline).register_publication(run_id, platform, url,
                          str(Path(video).resolve()) if video else None)
    emit_json(to_data(entry)) if as_json else click.echo(f"{run_id} POSTED on {platform}: {url}")
    return 0
