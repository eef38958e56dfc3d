"""`runner patch apply|types`, and the patch options `gate approve|reject` share:
`--patch FILE`, or `--patch-type TYPE` with the type's own options (from the catalogue
in runner/patches/catalog.py, so every type's flags are listed in one place)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from runner.cli.common import emit_json, json_option, open_repo, repo_option, table, write_options
from runner.errors import EXIT_FAILED, UsageError

# type -> its options: (flag, metavar, may repeat, help); the names are those of
# runner.patches.catalog.OPTIONS (imported only when used: the patch library loads yaml).
FLAGS: dict[str, tuple[tuple[str, str, bool, str], ...]] = {
    "json_patch": (("--op", "JSON", True, 'one RFC 6902 operation, e.g. \'{"op": "remove", "path": "/x"}\''),),
    "text_replace": (("--replace", "OLD NEW", True, "replace every OLD by NEW, in order"),),
    "section_replace": (("--section", "HEADING", False, "the whole heading line, e.g. '## Act 2'"),
                        ("--content", "TEXT", False, "the section's new body ('' empties it)")),
    "duration_adjust": (("--beat", "ID=SECONDS", True, "set the duration of a beat"),),
    "level_adjust": (("--level-db", "DB", False, "change the audio level by DB decibels"),),
}


def patch_options(fn: Callable) -> Callable:
    """--patch FILE | --patch-type TYPE and its options, and --target."""
    for kind, flags in reversed(FLAGS.items()):
        for flag, metavar, repeat, text in reversed(flags):
            fn = click.option(flag, metavar=metavar, nargs=len(metavar.split()), multiple=repeat,
                              help=f"({kind}) {text}.")(fn)
    fn = click.option("--target", help="The output the patch changes (not needed when the gate has one).")(fn)
    fn = click.option("--patch-type", type=click.Choice(list(FLAGS)),
                      help="Build a typed patch from the options below (see `runner patch types`).")(fn)
    return click.option("--patch", "patch_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                        help="A patch file: an RFC 6902 JSON Patch (a list) or a typed patch (JSON or YAML).")(fn)


def patch_given(patch_file: Path | None, patch_type: str | None, values: dict[str, Any]) -> Any:
    """The patch the options give (a file's content, or a typed patch built from the
    options), or None."""
    from runner.patches import load_patch
    from runner.patches.catalog import from_options

    typed = {k: v for k, v in values.items() if v not in (None, ())}
    if patch_file is not None and (patch_type or typed):
        raise UsageError("--patch FILE goes without --patch-type and its options", "give one or the other")
    if patch_file is not None:
        return load_patch(patch_file)
    if patch_type is None:
        if typed:
            raise UsageError(f"--{next(iter(typed)).replace('_', '-')} needs --patch-type", "see `runner patch types`")
        return None
    return from_options(patch_type, typed)


@click.group()
def patch() -> None:
    """Patch a gate's outputs (as an attempt of their own), or list the patch types."""


@patch.command("apply")
@click.option("--run", "run_id", required=True, help="Run id.")
@click.option("--gate", "gate_id", required=True, help="Gate id.")
@click.option("--note", help="Why (recorded with the patch).")
@patch_options
@write_options
@json_option
def apply(run_id, gate_id, note, patch_file, patch_type, target, repo, actor, no_commit, offline, as_json,
          **values) -> int:
    """Apply a patch to a gate's outputs without a decision: a new attempt of the gate, whose
    outputs are hashed and checked like any (a gate that needs approval waits again).
    Exit 0 when the patched outputs pass, 1 when they fail."""
    data = patch_given(patch_file, patch_type, values)
    if data is None:
        raise UsageError("no patch given", "pass --patch FILE, or --patch-type TYPE with its options")
    r = open_repo(repo, actor, no_commit, offline)
    attempt = r.apply_patch(run_id, gate_id, data, target=target, note=note)
    if as_json:
        emit_json(attempt)
    else:
        run = r.run(run_id)
        patched = [f.path for i in run.invocations if i.id in attempt.invocation_ids and i.patch for f in i.patch.files]
        waits = " (waits for a decision)" if run.gate(gate_id).status == "AWAITING_APPROVAL" else ""
        click.echo(f"{run_id} {gate_id} attempt {attempt.attempt}: {attempt.status}{waits}, patched: {', '.join(patched)}")
        if attempt.failure_reason:
            click.echo(f"  {attempt.failure_reason}")
    return 0 if attempt.status == "PASS" else EXIT_FAILED


@patch.command("types")
@repo_option
@json_option
def types(repo, as_json) -> int:
    """Every patch type: its fields, its options and a worked example."""
    found = open_repo(repo).patch_types()
    if as_json:
        emit_json(found)
        return 0
    table([(t.type, ", ".join(f.name + ("" if f.required else "?") for f in t.fields),
            " ".join(f"{flag} {metavar}" for flag, metavar, _, _ in FLAGS.get(t.type, ()))) for t in found],
          ["TYPE", "FIELDS", "OPTIONS"])
    for t in found:
        click.echo(f"\n{t.type}: {t.summary}")
        click.echo(f"  example on {t.example.target}: {_compact(t.example.patch)}")
    return 0


def _compact(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)
